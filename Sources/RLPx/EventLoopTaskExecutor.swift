import NIOCore

/// Runs tasks on one SwiftNIO event loop: a task that reads a connection
/// with this as its executor preference is resumed by the loop that just
/// read the socket, on that same thread, instead of waking a thread of
/// Swift's cooperative pool for every message.
///
/// Work done in such a task holds up every other socket on the loop, so keep
/// it short (decoding, a signature check) and hop elsewhere for anything that
/// blocks.
@available(macOS 15.0, *)
public final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}

extension PeerConnection {
    /// An executor for tasks that should run on this connection's event loop (see ``EventLoopTaskExecutor``).
    @available(macOS 15.0, *)
    public var taskExecutor: EventLoopTaskExecutor { EventLoopTaskExecutor(eventLoop) }
}
