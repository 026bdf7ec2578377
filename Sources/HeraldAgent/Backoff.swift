/// Exponential backoff with full jitter: the n-th delay is uniform in
/// [0, min(max, base · 2ⁿ)], so that many agents retrying the same peer do
/// not retry in step.
struct Backoff: Sendable {
    var base: Double
    var max: Double

    /// The delay before attempt `attempt` (0 for the first retry), in seconds.
    func delay(attempt: Int) -> Double {
        let ceiling = Swift.min(max, base * Double(1 << Swift.min(attempt, 30)))
        return Double.random(in: 0...Swift.max(ceiling, 0.001))
    }
}
