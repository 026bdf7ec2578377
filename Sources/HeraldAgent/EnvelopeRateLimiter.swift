/// A token bucket per connection: how many envelopes a peer may send per
/// second, with bursts of up to twice that. Envelopes over the limit are
/// dropped before any check or decryption, so a flooding peer costs little;
/// dropping is safe because an announcement is resent until acknowledged
/// and anti-entropy fills what is still missing.
struct EnvelopeRateLimiter: Sendable {
    let ratePerSecond: Double
    let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant
    /// Dropped since the last warning, and when that was.
    private var droppedSinceReport = 0
    private var lastReport: ContinuousClock.Instant?

    init(envelopesPerSecond: Int, now: ContinuousClock.Instant = .now) {
        ratePerSecond = Double(envelopesPerSecond)
        burst = 2 * Double(envelopesPerSecond)
        tokens = burst
        last = now
    }

    /// Takes one token; false when the peer is over its rate.
    mutating func admit(now: ContinuousClock.Instant = .now) -> Bool {
        let elapsed = now - last
        last = now
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(burst, tokens + seconds * ratePerSecond)
        guard tokens >= 1 else {
            droppedSinceReport += 1
            return false
        }
        tokens -= 1
        return true
    }

    /// How many were dropped since the last report, at most once every 10 seconds (so that
    /// a flood makes one log line, not one per envelope); nil when there is nothing to report yet.
    mutating func report(now: ContinuousClock.Instant = .now) -> Int? {
        guard droppedSinceReport > 0 else { return nil }
        if let lastReport, now - lastReport < .seconds(10) { return nil }
        lastReport = now
        defer { droppedSinceReport = 0 }
        return droppedSinceReport
    }
}
