/// Exponential backoff with jitter for re-applying a member list after a
/// failed apply. A value the agent drives: it asks for the delay before the
/// next attempt, or runs an operation through ``run(sleep:random:_:)``.
public struct RetryPolicy: Codable, Hashable, Sendable {
    /// Delay before the second attempt, in seconds.
    public var initialDelaySeconds: Double
    /// Factor applied to the delay after each failed attempt.
    public var multiplier: Double
    /// Upper bound on any delay, in seconds.
    public var maximumDelaySeconds: Double
    /// Fraction of the delay drawn at random and subtracted (0 = none, 1 = full jitter).
    public var jitter: Double
    /// Give up after this many attempts in total; nil retries forever.
    public var maximumAttempts: Int?

    /// Defaults: 1 s, doubling, at most 5 minutes, 20 % jitter, forever.
    public init(initialDelaySeconds: Double = 1, multiplier: Double = 2, maximumDelaySeconds: Double = 300,
                jitter: Double = 0.2, maximumAttempts: Int? = nil) {
        self.initialDelaySeconds = initialDelaySeconds
        self.multiplier = multiplier
        self.maximumDelaySeconds = maximumDelaySeconds
        self.jitter = jitter
        self.maximumAttempts = maximumAttempts
    }

    private enum CodingKeys: String, CodingKey {
        case initialDelaySeconds, multiplier, maximumDelaySeconds, jitter, maximumAttempts
    }

    /// Decodes; a missing key keeps its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = RetryPolicy()
        initialDelaySeconds = try container.decodeIfPresent(Double.self, forKey: .initialDelaySeconds) ?? defaults.initialDelaySeconds
        multiplier = try container.decodeIfPresent(Double.self, forKey: .multiplier) ?? defaults.multiplier
        maximumDelaySeconds = try container.decodeIfPresent(Double.self, forKey: .maximumDelaySeconds) ?? defaults.maximumDelaySeconds
        jitter = try container.decodeIfPresent(Double.self, forKey: .jitter) ?? defaults.jitter
        maximumAttempts = try container.decodeIfPresent(Int.self, forKey: .maximumAttempts)
    }

    /// Checks the values.
    /// - Throws: ``NodeAdapterError/invalidConfiguration(adapter:field:reason:)``.
    public func validate() throws(NodeAdapterError) {
        func invalid(_ field: String, _ reason: String) -> NodeAdapterError {
            .invalidConfiguration(adapter: "retry", field: field, reason: reason)
        }
        guard initialDelaySeconds > 0 else { throw invalid("initialDelaySeconds", "must be above 0") }
        guard multiplier >= 1 else { throw invalid("multiplier", "must be at least 1") }
        guard maximumDelaySeconds >= initialDelaySeconds else { throw invalid("maximumDelaySeconds", "must be at least initialDelaySeconds") }
        guard (0...1).contains(jitter) else { throw invalid("jitter", "must be between 0 and 1") }
        if let maximumAttempts, maximumAttempts < 1 { throw invalid("maximumAttempts", "must be at least 1") }
    }

    /// The delay after failed attempt number `attempt` (1-based), with
    /// `random` in 0..<1 choosing the jitter.
    public func delay(afterAttempt attempt: Int, random: Double) -> Duration {
        let exponent = Double(max(attempt - 1, 0))
        let base = min(initialDelaySeconds * _pow(multiplier, exponent), maximumDelaySeconds)
        let seconds = base * (1 - jitter * min(max(random, 0), 1))
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Whether another attempt follows failed attempt number `attempt`.
    public func shouldRetry(afterAttempt attempt: Int) -> Bool {
        maximumAttempts.map { attempt < $0 } ?? true
    }

    /// Runs `operation` until it succeeds, sleeping between attempts; gives
    /// up with the last error when attempts run out (or the task is cancelled).
    public func run<T: Sendable>(
        sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        random: @Sendable () -> Double = { Double.random(in: 0..<1) },
        _ operation: @Sendable (_ attempt: Int) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await operation(attempt)
            } catch {
                guard shouldRetry(afterAttempt: attempt), !Task.isCancelled else { throw error }
                try await sleep(delay(afterAttempt: attempt, random: random()))
                attempt += 1
            }
        }
    }

    private func _pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 && result < 1e12 {
            result *= base
            remaining -= 1
        }
        return result
    }
}
