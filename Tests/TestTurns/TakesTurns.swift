import Testing

/// A trait for the tests that load the whole machine (hundreds of
/// connections, floods, a cluster of agents, a browser): they run one at a
/// time, while the light tests go on beside them. Run together on two cores
/// they starved each other past their deadlines (a 1,000-connection test that
/// takes 2 s alone took over 60 s beside a flood, a browser and a cluster).
///
/// Give such a test a time limit that allows for waiting its turn.
public struct TakesTurns: TestTrait, TestScoping {
    /// Set inside a turn, so that a test asked twice (for itself and for its
    /// case) does not wait for its own turn.
    @TaskLocal static var inTurn = false
    static let gate = TurnGate()

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        if Self.inTurn { return try await function() }
        await Self.gate.enter()
        do {
            try await Self.$inTurn.withValue(true) { try await function() }
        } catch {
            await Self.gate.leave()
            throw error
        }
        await Self.gate.leave()
    }
}

extension Trait where Self == TakesTurns {
    /// Runs the test only while no other `.takesTurns` test runs.
    public static var takesTurns: Self { TakesTurns() }
}

/// One turn at a time, handed to waiters in the order they came.
actor TurnGate {
    private var taken = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard taken else {
            taken = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty {
            taken = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
