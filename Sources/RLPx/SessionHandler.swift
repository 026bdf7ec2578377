import HeraldCrypto
import NIOCore
import Whisper

/// Asks the session handler to send Disconnect with `reason` and close.
struct DisconnectRequest: Sendable {
    let reason: DisconnectReason
}

/// The p2p base protocol over authenticated frames (spec §8–§11): Hello
/// exchange, Snappy, Ping/Pong, Disconnect, idle and Hello deadlines, and
/// the mapping between wire ids and capability-relative ids; then the
/// `shh/6` Status exchange before the peer is handed out.
final class SessionHandler: ChannelDuplexHandler {
    typealias InboundIn = RLPxFrame
    typealias InboundOut = CapabilityMessage
    typealias OutboundIn = CapabilityMessage
    typealias OutboundOut = RLPxFrame

    private enum State {
        case awaitingHello
        /// Hello done; waiting for the peer's shh Status.
        case awaitingStatus(PeerInfo)
        case established(PeerInfo)
        case closing
        case closed
    }

    private let setup: ConnectionSetup
    private let remotePublicKey: Secp256k1.PublicKey
    private let remoteAddress: String
    private let helloDeadline: NIODeadline
    private var state: State = .awaitingHello
    private var peer: PeerInfo?
    private var snappy = false
    private var table = CapabilityTable(local: [], remote: [])
    private var closeCause: CloseCause?
    /// Whether the connection was handed out before it began closing.
    private var closeCauseAfterEstablishment = false
    private var failure: (any Error)?
    private var lastMessageAt: NIODeadline = .now()
    private var helloTimer: Scheduled<Void>?
    private var pingTimer: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?
    /// Frame bytes written since the last flush; see `flushThreshold`.
    private var unflushedBytes = 0

    /// A batch of writes is flushed early once this many bytes are waiting,
    /// so the socket carries the first frames while later ones are still
    /// being sealed and the peer decrypts in parallel with us. Without it a
    /// batch is sealed whole before its first byte leaves, and the two
    /// sides' crypto runs one after the other.
    static let flushThreshold = 16 * 1024

    private var configuration: RLPxConfiguration { setup.configuration }

    init(setup: ConnectionSetup, remotePublicKey: Secp256k1.PublicKey, remoteAddress: String, helloDeadline: NIODeadline) {
        self.setup = setup
        self.remotePublicKey = remotePublicKey
        self.remoteAddress = remoteAddress
        self.helloDeadline = helloDeadline
    }

    // MARK: - Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        // Hello is the first framed message, never compressed.
        let hello = Hello(protocolVersion: configuration.p2pVersion, clientID: configuration.clientID,
                          capabilities: configuration.protocols.map(\.capability).sorted(),
                          listenPort: 0, nodeID: configuration.privateKey.publicKey.rawRepresentation)
        context.writeAndFlush(wrapOutboundOut(RLPxFrame(messageID: BaseProtocol.MessageID.hello, payload: hello.encoded())),
                              promise: nil)
        let loop = context.eventLoop.assumeIsolated()
        helloTimer = loop.scheduleTask(deadline: helloDeadline) { [self] in
            abort(context: context, error: SessionError.helloTimeout)
        }
        lastMessageAt = .now()
        scheduleIdleCheck(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        switch state {
        case .awaitingHello, .awaitingStatus:
            setup.refuse(remoteAddress: remoteAddress, nodeID: remotePublicKey.nodeID, error: failure ?? SessionError.connectionClosed)
        case .established(let info):
            setup.events.yield(.closed(info, cause: closeCause ?? .connectionClosed))
        case .closing:
            if let peer, closeCauseAfterEstablishment {
                setup.events.yield(.closed(peer, cause: closeCause ?? .connectionClosed))
            } else {
                setup.refuse(remoteAddress: remoteAddress, nodeID: remotePublicKey.nodeID, error: failure ?? SessionError.connectionClosed)
            }
        case .closed:
            break
        }
        state = .closed
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Frame errors (bad MAC, oversized frame) and socket errors end the
        // connection; the async layer only sees its inbound stream finish.
        if error is FrameError {
            disconnect(context: context, reason: .protocolError, cause: .error(String(describing: error)), error: error)
        } else {
            abort(context: context, error: error)
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if let request = event as? DisconnectRequest {
            disconnect(context: context, reason: request.reason, cause: .localDisconnect(request.reason),
                       error: SessionError.disconnected(request.reason))
            promise?.succeed(())
        } else {
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        lastMessageAt = .now()
        switch state {
        case .awaitingHello:
            receiveFirst(frame, context: context)
        case .established:
            do {
                if let message = try receive(frame, context: context) {
                    if message.capability == WhisperProtocol.name && message.id == WhisperPacket.statusCode {
                        return   // geth ignores a repeated Status
                    }
                    context.fireChannelRead(wrapInboundOut(message))
                }
            } catch {
                // geth closes on read errors without a Disconnect; a
                // breach we can name gets one, as it is free to send.
                disconnect(context: context, reason: .protocolError, cause: .error(String(describing: error)), error: error)
            }
        case .awaitingStatus(let info):
            let message: CapabilityMessage?
            do {
                message = try receive(frame, context: context)
            } catch {
                disconnect(context: context, reason: .protocolError, cause: .error(String(describing: error)), error: error)
                return
            }
            guard let message else { return }
            do {
                try acceptStatus(message, info: info, context: context)
            } catch {
                // geth answers a failing sub-protocol handshake with 0x10.
                disconnect(context: context, reason: .subprotocolError, cause: .error(String(describing: error)), error: error)
            }
        case .closing, .closed:
            break
        }
    }

    /// The first message must be Hello or Disconnect (spec §9.1).
    private func receiveFirst(_ frame: RLPxFrame, context: ChannelHandlerContext) {
        switch frame.messageID {
        case BaseProtocol.MessageID.hello:
            break
        case BaseProtocol.MessageID.disconnect:
            let reason = BaseProtocol.decodeDisconnect(frame.payload)
            abort(context: context, error: SessionError.disconnected(reason))
            return
        default:
            abort(context: context, error: SessionError.expectedHello(messageID: frame.messageID))
            return
        }
        guard frame.payload.count <= BaseProtocol.maxHelloSize else {
            abort(context: context, error: SessionError.helloTooLarge(size: frame.payload.count))
            return
        }
        let hello: Hello
        do {
            hello = try Hello(decoding: frame.payload)
        } catch {
            abort(context: context, error: SessionError.malformedHello(String(describing: error)))
            return
        }
        guard hello.nodeID.count == 64, hello.nodeID.contains(where: { $0 != 0 }) else {
            abort(context: context, error: SessionError.invalidIdentity)
            return
        }
        // geth: enable Snappy from the peer's version (it always advertises 5);
        // with our own version configurable, both must be at 5 or above.
        snappy = configuration.p2pVersion >= 5 && hello.protocolVersion >= 5
        guard hello.nodeID == remotePublicKey.rawRepresentation else {
            disconnect(context: context, reason: .unexpectedIdentity, cause: .localDisconnect(.unexpectedIdentity),
                       error: SessionError.helloIdentityMismatch)
            return
        }
        table = CapabilityTable(local: configuration.protocols, remote: hello.capabilities)
        if !configuration.protocols.isEmpty && table.shared.isEmpty {
            disconnect(context: context, reason: .uselessPeer, cause: .localDisconnect(.uselessPeer),
                       error: SessionError.noSharedCapability)
            return
        }
        let info = PeerInfo(publicKey: remotePublicKey, direction: setup.direction, remoteAddress: remoteAddress,
                            clientID: hello.clientID, protocolVersion: hello.protocolVersion, snappy: snappy,
                            capabilities: table)
        schedulePing(context: context)
        // shh/6: both sides send Status at once; the peer's must come first.
        if let status = configuration.whisperStatus, let shh = table.capability(named: WhisperProtocol.name) {
            state = .awaitingStatus(info)
            send(messageID: shh.offset + WhisperPacket.statusCode, payload: WhisperPacket.status(status).encodedData(),
                 context: context, promise: nil)
            context.flush()
            return
        }
        establish(info)
    }

    /// The peer's first shh message must be a Status we can work with.
    private func acceptStatus(_ message: CapabilityMessage, info: PeerInfo, context: ChannelHandlerContext) throws {
        guard message.capability == WhisperProtocol.name, message.id == WhisperPacket.statusCode else {
            throw SessionError.statusFailed("peer sent \(message.capability) message \(message.id) before its Status")
        }
        let packet: WhisperPacket
        do {
            packet = try WhisperPacket.decode(code: message.id, data: message.payload)
        } catch {
            throw SessionError.statusFailed(String(describing: error))
        }
        guard case .status(let status) = packet else {
            throw SessionError.statusFailed("peer sent no Status")
        }
        if status.isLightNode && configuration.whisperStatus?.isLightNode == true {
            throw SessionError.statusFailed("both sides are light nodes")
        }
        var info = info
        info.whisperStatus = status
        establish(info)
    }

    private func establish(_ info: PeerInfo) {
        peer = info
        state = .established(info)
        closeCauseAfterEstablishment = true
        helloTimer?.cancel()
        helloTimer = nil
        setup.events.yield(.established(info))
        setup.established.succeed(info)
    }

    /// Handles base-protocol messages; returns a capability message for the caller.
    private func receive(_ frame: RLPxFrame, context: ChannelHandlerContext) throws -> CapabilityMessage? {
        let payload = snappy ? try Snappy.decompress(frame.payload, limit: configuration.limits.maxMessageSize) : frame.payload
        if !snappy && payload.count > configuration.limits.maxMessageSize {
            throw FrameError.decompressedTooLarge(size: payload.count, limit: configuration.limits.maxMessageSize)
        }
        switch frame.messageID {
        case BaseProtocol.MessageID.hello:
            throw SessionError.duplicateHello
        case BaseProtocol.MessageID.disconnect:
            let reason = BaseProtocol.decodeDisconnect(payload)
            closeCause = .remoteDisconnect(reason)
            failure = SessionError.disconnected(reason)
            cancelTimers()
            state = .closing
            context.close(promise: nil)
        case BaseProtocol.MessageID.ping:
            send(messageID: BaseProtocol.MessageID.pong, payload: BaseProtocol.emptyListPayload, context: context, promise: nil)
            context.flush()
        case BaseProtocol.MessageID.pong:
            break
        case 0x04..<BaseProtocol.messageIDCount:
            break   // reserved: geth discards them
        default:
            guard let (capability, localID) = table.route(wireID: frame.messageID) else {
                throw SessionError.unknownMessageID(frame.messageID)
            }
            return CapabilityMessage(capability: capability.capability.name, id: localID, payload: payload)
        }
        return nil
    }

    // MARK: - Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let message = unwrapOutboundIn(data)
        guard case .established = state else {
            promise?.fail(SessionError.connectionClosed)
            return
        }
        guard let wireID = table.wireID(capability: message.capability, localID: message.id) else {
            promise?.fail(SessionError.unsupportedMessage(capability: message.capability, id: message.id))
            return
        }
        guard message.payload.count <= configuration.limits.maxMessageSize else {
            promise?.fail(FrameError.outgoingFrameTooLarge(size: message.payload.count, limit: configuration.limits.maxMessageSize))
            return
        }
        send(messageID: wireID, payload: message.payload, context: context, promise: promise)
        unflushedBytes += message.payload.count
        if unflushedBytes >= Self.flushThreshold {
            flush(context: context)
        }
    }

    func flush(context: ChannelHandlerContext) {
        unflushedBytes = 0
        context.flush()
    }

    private func send(messageID: UInt64, payload: [UInt8], context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let data = snappy ? Snappy.compress(payload) : payload
        context.write(wrapOutboundOut(RLPxFrame(messageID: messageID, payload: data)), promise: promise)
    }

    // MARK: - Ending

    /// Sends Disconnect (compressed once Snappy is on), then closes when it
    /// is written or after the disconnect-write timeout, whichever is first.
    private func disconnect(context: ChannelHandlerContext, reason: DisconnectReason, cause: CloseCause, error: any Error) {
        switch state {
        case .closing, .closed: return
        case .awaitingHello, .awaitingStatus, .established: break
        }
        state = .closing
        closeCause = cause
        failure = error
        cancelTimers()
        let written = context.eventLoop.makePromise(of: Void.self)
        send(messageID: BaseProtocol.MessageID.disconnect, payload: BaseProtocol.encodeDisconnect(reason), context: context, promise: written)
        context.flush()
        let closer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(configuration.timeouts.disconnectWrite)) {
            context.close(promise: nil)
        }
        written.futureResult.assumeIsolated().whenComplete { _ in
            closer.cancel()
            context.close(promise: nil)
        }
    }

    /// Closes without a Disconnect (geth does so for read errors and a bad first message).
    private func abort(context: ChannelHandlerContext, error: any Error) {
        switch state {
        case .closing, .closed: return
        case .awaitingHello, .awaitingStatus, .established: break
        }
        state = .closing
        failure = error
        closeCause = closeCause ?? .error(String(describing: error))
        if case SessionError.disconnected(let reason) = error { closeCause = .remoteDisconnect(reason) }
        cancelTimers()
        context.close(promise: nil)
    }

    // MARK: - Timers

    private func schedulePing(context: ChannelHandlerContext) {
        pingTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(configuration.timeouts.pingInterval)) { [self] in
            switch state {
            case .awaitingStatus, .established: break
            case .awaitingHello, .closing, .closed: return
            }
            send(messageID: BaseProtocol.MessageID.ping, payload: BaseProtocol.emptyListPayload, context: context, promise: nil)
            context.flush()
            schedulePing(context: context)
        }
    }

    /// Checks a few times per idle period rather than re-arming a timer per
    /// message, so the hot path only stores a timestamp.
    private func scheduleIdleCheck(context: ChannelHandlerContext) {
        let idle = TimeAmount(configuration.timeouts.idle)
        let interval = TimeAmount.nanoseconds(max(idle.nanoseconds / 4, 1_000_000))
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: interval) { [self] in
            switch state {
            case .closing, .closed: return
            case .awaitingHello, .awaitingStatus, .established: break
            }
            if NIODeadline.now() - lastMessageAt >= idle {
                disconnect(context: context, reason: .readTimeout, cause: .localDisconnect(.readTimeout), error: SessionError.idleTimeout)
            } else {
                scheduleIdleCheck(context: context)
            }
        }
    }

    private func cancelTimers() {
        helloTimer?.cancel()
        pingTimer?.cancel()
        idleTimer?.cancel()
        helloTimer = nil
        pingTimer = nil
        idleTimer = nil
    }
}
