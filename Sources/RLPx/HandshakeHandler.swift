import HeraldCrypto
import NIOCore

/// Runs the auth/ack exchange over the socket by feeding a
/// `HandshakeStateMachine`, then checks the allowlist and either installs
/// the frame codec and session handler after itself, or answers with a
/// framed Disconnect and closes. Nothing after the handshake is read before
/// the allowlist has said yes.
final class HandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var machine: HandshakeStateMachine
    private let setup: ConnectionSetup
    private var started = false
    private var finished = false
    private var deadline: Scheduled<Void>?
    private var deadlineTime: NIODeadline = .distantFuture
    private var remoteAddress = "unknown"
    private var learntNodeID: NodeID?

    init(setup: ConnectionSetup) {
        self.setup = setup
        let role: HandshakeStateMachine.Role = setup.dialledKey.map { .initiator(remote: $0) } ?? .recipient
        machine = HandshakeStateMachine(role: role, staticKey: setup.configuration.privateKey)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        remoteAddress = context.channel.remoteAddressText
        // One deadline from TCP connect to the peer's Hello; the session
        // handler inherits what is left of it.
        deadlineTime = .now() + TimeAmount(setup.configuration.timeouts.handshake)
        deadline = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadlineTime) { [self] in
            fail(context: context, error: HandshakeError.timeout)
        }
        perform(machine.start(), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        perform(machine.receive(bytes), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        if !finished {
            finished = true
            setup.refuse(remoteAddress: remoteAddress, nodeID: learntNodeID, error: SessionError.connectionClosed)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, error: error)
    }

    /// A channel that never became active (a refused or timed-out connect)
    /// is closed without `channelInactive`: fail the promise here so that it
    /// is never dropped uncompleted.
    func handlerRemoved(context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        deadline?.cancel()
        setup.refuse(remoteAddress: remoteAddress, nodeID: learntNodeID, error: SessionError.connectionClosed)
    }

    private func fail(context: ChannelHandlerContext, error: any Error) {
        guard !finished else { return }
        finished = true
        deadline?.cancel()
        setup.refuse(remoteAddress: remoteAddress, nodeID: learntNodeID, error: error)
        context.close(promise: nil)
    }

    private func perform(_ action: HandshakeStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .send(let bytes):
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
        case .needMoreBytes:
            break
        case .fail(let error):
            fail(context: context, error: error)
        case .complete(let outcome, let reply):
            if let reply {
                context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: reply)), promise: nil)
            }
            admit(outcome, context: context)
        }
    }

    /// The identity is known: check it, then frame or refuse.
    private func admit(_ outcome: HandshakeStateMachine.Outcome, context: ChannelHandlerContext) {
        let nodeID = outcome.remotePublicKey.nodeID
        learntNodeID = nodeID
        let codec: FrameCodec
        do {
            codec = try FrameCodec(secrets: outcome.secrets, maxIncomingFrameSize: setup.configuration.limits.maxFrameSize)
        } catch {
            fail(context: context, error: error)
            return
        }
        if let dialled = setup.dialledKey, dialled != outcome.remotePublicKey {
            refuse(context: context, codec: codec, reason: .unexpectedIdentity,
                   error: HandshakeError.unexpectedIdentity(expected: dialled.nodeID, actual: nodeID))
            return
        }
        if outcome.remotePublicKey == setup.configuration.privateKey.publicKey {
            refuse(context: context, codec: codec, reason: .connectedToSelf, error: HandshakeError.connectedToSelf)
            return
        }
        guard setup.configuration.isAllowed(nodeID) else {
            refuse(context: context, codec: codec, reason: setup.configuration.refusalReason,
                   error: HandshakeError.unknownPeer(nodeID: nodeID))
            return
        }
        finished = true
        deadline?.cancel()
        let session = SessionHandler(setup: setup, remotePublicKey: outcome.remotePublicKey,
                                     remoteAddress: remoteAddress, helloDeadline: deadlineTime)
        do {
            // Order matters: the session writes Hello as soon as it is added,
            // so the encoder must already be in place.
            let operations = context.pipeline.syncOperations
            let decoder = ByteToMessageHandler(FrameDecoder(reader: codec.reader))
            let encoder = MessageToByteHandler(FrameEncoder(writer: codec.writer))
            try operations.addHandler(decoder, position: .after(self))
            try operations.addHandler(encoder, position: .after(decoder))
            try operations.addHandler(session, position: .after(encoder))
        } catch {
            finished = false
            fail(context: context, error: error)
            return
        }
        // Bytes that came with the last handshake packet are the first frame's start.
        if !outcome.leftover.isEmpty {
            context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(bytes: outcome.leftover)))
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// Sends a framed, uncompressed Disconnect (the Hello exchange has not
    /// happened) and closes; reads stay off.
    private func refuse(context: ChannelHandlerContext, codec: FrameCodec, reason: DisconnectReason, error: any Error) {
        finished = true
        deadline?.cancel()
        setup.refuse(remoteAddress: remoteAddress, nodeID: learntNodeID, error: error)
        var writer = codec.writer
        guard let frame = try? writer.seal(messageID: BaseProtocol.MessageID.disconnect,
                                           payload: BaseProtocol.encodeDisconnect(reason)) else {
            context.close(promise: nil)
            return
        }
        let closer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(setup.configuration.timeouts.disconnectWrite)) {
            context.close(promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: frame))).assumeIsolated().whenComplete { _ in
            closer.cancel()
            context.close(promise: nil)
        }
    }
}
