import NIOConcurrencyHelpers
import Testing
@testable import NodeAdapters

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test("delays double up to the maximum; jitter only shortens")
    func delays() {
        let policy = RetryPolicy(initialDelaySeconds: 1, multiplier: 2, maximumDelaySeconds: 10, jitter: 0.5)
        #expect((1...6).map { policy.delay(afterAttempt: $0, random: 0) } == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
        #expect(policy.delay(afterAttempt: 3, random: 1) == .seconds(2))
        #expect(policy.delay(afterAttempt: 1000, random: 0) == .seconds(10))
    }

    @Test("run retries a failing apply with backoff until it succeeds")
    func run() async throws {
        let policy = RetryPolicy(initialDelaySeconds: 0.5, jitter: 0)
        let slept = NIOLockedValueBox<[Duration]>([])
        let result = try await policy.run(sleep: { duration in slept.withLockedValue { $0.append(duration) } }, random: { 0 }) { attempt in
            if attempt < 3 { throw NodeAdapterError.noPeersLeft(adapter: "test") }
            return attempt
        }
        #expect(result == 3)
        #expect(slept.withLockedValue { $0 } == [.milliseconds(500), .seconds(1)])
    }

    @Test("run gives up after maximumAttempts with the last error")
    func giveUp() async {
        let policy = RetryPolicy(maximumAttempts: 2)
        let attempts = NIOLockedValueBox(0)
        await #expect(throws: NodeAdapterError.noPeersLeft(adapter: "test")) {
            try await policy.run(sleep: { _ in }) { _ in
                attempts.withLockedValue { $0 += 1 }
                throw NodeAdapterError.noPeersLeft(adapter: "test")
            }
        }
        #expect(attempts.withLockedValue { $0 } == 2)
    }

    @Test("bad values are refused")
    func validation() {
        #expect(throws: NodeAdapterError.self) { try RetryPolicy(initialDelaySeconds: 0).validate() }
        #expect(throws: NodeAdapterError.self) { try RetryPolicy(jitter: 2).validate() }
        #expect(throws: NodeAdapterError.self) { try RetryPolicy(maximumAttempts: 0).validate() }
    }
}
