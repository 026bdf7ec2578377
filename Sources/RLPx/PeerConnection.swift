import HeraldCrypto
import NIOConcurrencyHelpers
import NIOCore

/// An established, admitted RLPx connection: the handshake proved the
/// peer's key, the allowlist accepted it, and Hellos were exchanged.
///
/// Messages are read and written inside `run(_:)`; `close(reason:)` may be
/// called from anywhere. Read promptly: while messages wait unread, the
/// socket is not read either (back-pressure), Pings go unanswered and the
/// idle timeout runs. Every connection must be closed by its owner
/// (`run` does it on return, `close(reason:)` otherwise): one dropped
/// unclosed has its socket closed by `deinit`, but SwiftNIO's writer traps
/// on it in debug builds, so that such a leak is found in tests.
public final class PeerConnection: Sendable {
    /// Identity and negotiated parameters of the peer.
    public let peer: PeerInfo
    private let channel: NIOAsyncChannel<CapabilityMessage, CapabilityMessage>
    private let disconnectTimeout: Duration
    /// Messages and payload bytes handed to ``enqueue(_:)`` that the socket has not taken yet.
    private let queued = NIOLockedValueBox(Queued())

    private struct Queued {
        var messages = 0
        var bytes = 0
    }

    /// Bounds on what ``enqueue(_:)`` keeps waiting for a slow peer: a
    /// message beyond either is refused (one message is always accepted when
    /// nothing waits, however large).
    public static let maxQueuedMessages = 4096
    public static let maxQueuedBytes = 16 << 20

    init(channel: NIOAsyncChannel<CapabilityMessage, CapabilityMessage>, peer: PeerInfo, disconnectTimeout: Duration) {
        self.channel = channel
        self.peer = peer
        self.disconnectTimeout = disconnectTimeout
    }

    deinit {
        // Safety net only; skipped once closed so that nothing is scheduled
        // on an event loop that may already be shut down.
        if channel.channel.isActive {
            channel.channel.close(promise: nil)
        }
    }

    /// The peer's static public key.
    public var remotePublicKey: Secp256k1.PublicKey { peer.publicKey }
    /// The peer's node ID (keccak256 of its public key).
    public var remoteNodeID: NodeID { peer.nodeID }

    /// Gives `body` the incoming capability messages and a sender. When
    /// `body` returns or throws, the peer is sent Disconnect (`requested`)
    /// and the socket is closed. The message sequence ends when the peer
    /// disconnects or the connection fails (see `RLPxNode.events` for why).
    public func run<Result: Sendable>(_ body: (Messages, Sender) async throws -> Result) async throws -> Result {
        try await channel.executeThenClose { inbound, outbound in
            let result: Result
            do {
                result = try await body(Messages(base: inbound), Sender(writer: outbound, peer: peer))
            } catch {
                await close(reason: .requested)
                throw error
            }
            await close(reason: .requested)
            return result
        }
    }

    /// Sends Disconnect with `reason` and closes the socket; returns once it
    /// is closed (at most the disconnect-write timeout after the request).
    public func close(reason: DisconnectReason = .requested) async {
        let channel = self.channel.channel
        channel.triggerUserOutboundEvent(DisconnectRequest(reason: reason), promise: nil)
        // If the session handler is already gone, or the write stalls, close anyway.
        let fallback = channel.eventLoop.scheduleTask(in: TimeAmount(disconnectTimeout) + .milliseconds(100)) {
            channel.close(promise: nil)
        }
        try? await channel.closeFuture.get()
        fallback.cancel()
    }

    /// The event loop the connection's socket is served on.
    public var eventLoop: any EventLoop { channel.channel.eventLoop }

    /// Queues `message` for the peer without waiting: callable from any
    /// thread or actor, it hands the message straight to the socket's event
    /// loop (one hop, one flush) rather than through a writer task. Messages
    /// queued from one thread go out in the order queued.
    ///
    /// Back-pressure is by refusal: while ``maxQueuedMessages`` messages or
    /// ``maxQueuedBytes`` bytes wait for the socket (a peer not reading), the
    /// message is dropped and false returned; so it is when the capability is
    /// not shared or the connection is closed. Use it for messages the caller
    /// can resend; `run`'s `Sender` waits instead.
    @discardableResult
    public func enqueue(_ message: CapabilityMessage) -> Bool {
        guard peer.capabilities.wireID(capability: message.capability, localID: message.id) != nil else { return false }
        let size = message.payload.count
        let accepted = queued.withLockedValue { queued in
            guard queued.messages == 0
                || (queued.messages < Self.maxQueuedMessages && queued.bytes + size <= Self.maxQueuedBytes) else { return false }
            queued.messages += 1
            queued.bytes += size
            return true
        }
        guard accepted else { return false }
        let channel = self.channel.channel
        let queued = self.queued
        channel.eventLoop.execute {
            let written = channel.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenComplete { _ in
                queued.withLockedValue { queued in
                    queued.messages -= 1
                    queued.bytes -= size
                }
            }
            channel.writeAndFlush(message, promise: written)
        }
        return true
    }

    /// Incoming capability messages, in order.
    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = CapabilityMessage
        let base: NIOAsyncChannelInboundStream<CapabilityMessage>

        public struct AsyncIterator: AsyncIteratorProtocol {
            var base: NIOAsyncChannelInboundStream<CapabilityMessage>.AsyncIterator
            public mutating func next() async throws -> CapabilityMessage? {
                try await base.next()
            }
        }

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(base: base.makeAsyncIterator())
        }
    }

    /// Sends capability messages to the peer.
    public struct Sender: Sendable {
        let writer: NIOAsyncChannelOutboundWriter<CapabilityMessage>
        let peer: PeerInfo

        /// Sends one message; throws if the capability is not shared with
        /// this peer or the id is outside its range.
        public func send(_ message: CapabilityMessage) async throws {
            guard peer.capabilities.wireID(capability: message.capability, localID: message.id) != nil else {
                throw SessionError.unsupportedMessage(capability: message.capability, id: message.id)
            }
            try await writer.write(message)
        }

        /// Sends `messages` in order as one batch: one hand-off to the event
        /// loop and one flush (so typically one write syscall) for the lot,
        /// instead of one per message. Use it when several messages are ready
        /// at once, e.g. a set of envelopes for this peer. Throws before
        /// sending anything if any message's capability is not shared with
        /// this peer or its id is outside the capability's range.
        public func send(contentsOf messages: some Collection<CapabilityMessage>) async throws {
            for message in messages where peer.capabilities.wireID(capability: message.capability, localID: message.id) == nil {
                throw SessionError.unsupportedMessage(capability: message.capability, id: message.id)
            }
            try await writer.write(contentsOf: messages)
        }
    }
}
