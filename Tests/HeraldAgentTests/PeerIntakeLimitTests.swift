import Foundation
import HeraldCrypto
@testable import HeraldAgent
import Logging
import Testing

/// The two per-connection bounds on what a peer can cost: the envelope rate
/// limiter and the throttle on the warnings its bad envelopes cause.
@Suite("per-connection intake limits")
struct PeerIntakeLimitTests {
    /// Keeps every message logged through it.
    final class RecordingLogHandler: LogHandler, @unchecked Sendable {
        private let lock = NSLock()
        private var recorded: [String] = []
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            lock.withLock { recorded.append(event.message.description) }
        }

        var messages: [String] { lock.withLock { recorded } }
    }

    static let peer = NodeID(publicKey: AgentFixtures.key(2).publicKey)

    @Test("a full bucket admits a burst of twice the rate, then the rate per second")
    func rateLimiter() {
        let start = ContinuousClock.now
        var limiter = EnvelopeRateLimiter(envelopesPerSecond: 100, now: start)
        let burst = (0..<300).filter { _ in limiter.admit(now: start) }.count
        #expect(burst == 200)
        #expect(limiter.report(now: start) == 100)
        // Half a second later, fifty more.
        let later = start + .milliseconds(500)
        #expect((0..<100).filter { _ in limiter.admit(now: later) }.count == 50)
        // Reported at most once every ten seconds.
        #expect(limiter.report(now: later) == nil)
        #expect(limiter.report(now: start + .seconds(10)) == 50)
        #expect(limiter.report(now: start + .seconds(30)) == nil)
    }

    @Test("ten warnings per window are logged; the rest are counted in one line when the next window opens")
    func warningThrottle() {
        let handler = RecordingLogHandler()
        let logger = Logger(label: "test") { _ in handler }
        let start = ContinuousClock.now
        var throttle = WarningThrottle(limit: 10, window: .seconds(10))
        for index in 0..<500 {
            throttle.warning("bad envelope \(index)", about: Self.peer, to: logger, now: start + .milliseconds(index))
        }
        #expect(handler.messages == (0..<10).map { "bad envelope \($0)" })
        throttle.warning("bad envelope late", about: Self.peer, to: logger, now: start + .seconds(10))
        #expect(handler.messages.count == 12)
        #expect(handler.messages[10] == "490 more warnings about peer \(Self.peer) were not logged in the last 10.0 seconds")
        #expect(handler.messages[11] == "bad envelope late")
    }
}
