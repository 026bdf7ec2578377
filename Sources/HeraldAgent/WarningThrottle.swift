import HeraldCrypto
import Logging

/// Bounds the warnings one peer connection can make the agent log: at most
/// `limit` in each 10-second window, the rest counted and summed up in one
/// line when the next window opens. Without it an allowlisted peer sending
/// hundreds of broken envelopes a second (each under its rate limit) would
/// write hundreds of log lines a second.
struct WarningThrottle: Sendable {
    let limit: Int
    let window: Duration
    private var windowStart: ContinuousClock.Instant?
    private var loggedInWindow = 0
    private var suppressed = 0

    init(limit: Int = 10, window: Duration = .seconds(10)) {
        self.limit = limit
        self.window = window
    }

    /// Logs `message` about `peer` unless this window's share is used up.
    mutating func warning(_ message: @autoclosure () -> String, about peer: NodeID, to logger: Logger,
                          now: ContinuousClock.Instant = .now) {
        if windowStart.map({ now - $0 >= window }) ?? true {
            if suppressed > 0 {
                logger.warning("\(suppressed) more warnings about peer \(peer) were not logged in the last \(window)")
            }
            windowStart = now
            loggedInWindow = 0
            suppressed = 0
        }
        guard loggedInWindow < limit else {
            suppressed += 1
            return
        }
        loggedInWindow += 1
        logger.warning("\(message())")
    }
}
