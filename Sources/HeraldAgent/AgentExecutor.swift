import Dispatch

/// Runs one agent's actor jobs on a serial dispatch queue of its own.
///
/// The agent writes SQLite synchronously and waits for each fsync. On
/// Swift's cooperative pool (one thread per core) those waits would stall
/// every other agent task in the process; on a dispatch queue they block only
/// this agent, and several agents' fsyncs overlap.
final class AgentExecutor: SerialExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
