import NIOConcurrencyHelpers
import NIOCore

/// An accepted `NIOAsyncChannel` on its way from a server's child
/// initializer to the loop that serves it.
///
/// NIO's server channel drops the connections it has not handed out yet
/// when it closes or its reader is cancelled, and a `NIOAsyncChannel`
/// dropped before anyone ran it traps ("Deinited NIOAsyncWriter without
/// calling finish()", apple/swift-nio#3481): a server stopping while a
/// client connects would crash the process. Unless the serving loop took
/// it, this owner finishes and closes it instead. Every server of Herald's
/// (RLPx, control socket, metrics) yields its connections in one.
package final class HandedOverChannel<Inbound: Sendable, Outbound: Sendable>: Sendable {
    private let channel: NIOLockedValueBox<NIOAsyncChannel<Inbound, Outbound>?>

    package init(_ channel: NIOAsyncChannel<Inbound, Outbound>) {
        self.channel = NIOLockedValueBox(channel)
    }

    /// Hands the channel over; the caller must run or close it.
    package func take() -> NIOAsyncChannel<Inbound, Outbound>? {
        channel.withLockedValue { channel in
            defer { channel = nil }
            return channel
        }
    }

    deinit {
        guard let dropped = take() else { return }
        // Holding it until then keeps the writer alive; running it empty finishes the writer and closes the socket.
        Task { try? await dropped.executeThenClose { _, _ in } }
    }
}
