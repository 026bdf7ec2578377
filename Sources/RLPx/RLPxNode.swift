import HeraldCrypto
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// An RLPx endpoint: dials peers and listens for them, admitting only those
/// its allowlist accepts. Connection events for logs and metrics arrive on
/// `events`.
public final class RLPxNode: Sendable {
    public let configuration: RLPxConfiguration
    /// What happens to connections: established, refused, closed. Buffers
    /// the newest 1024 events when nobody reads.
    public let events: AsyncStream<ConnectionEvent>
    private let eventSink: AsyncStream<ConnectionEvent>.Continuation
    private let group: any EventLoopGroup

    /// - Parameters:
    ///   - configuration: key, client name, capabilities, allowlist, timeouts.
    ///   - eventLoopGroup: the NIO group the sockets run on (owned by the caller).
    public init(configuration: RLPxConfiguration, eventLoopGroup: any EventLoopGroup) {
        self.configuration = configuration
        self.group = eventLoopGroup
        (events, eventSink) = AsyncStream.makeStream(of: ConnectionEvent.self, bufferingPolicy: .bufferingNewest(1024))
    }

    deinit {
        eventSink.finish()
    }

    /// Our enode URL at `host:port`.
    public func enode(host: Enode.Host, port: UInt16) -> Enode {
        Enode(publicKey: configuration.privateKey.publicKey, host: host, tcpPort: port)
    }

    /// Dials `enode`, runs the handshake as initiator, checks that the peer
    /// is the node dialled and on the allowlist, and exchanges Hellos.
    ///
    /// - Throws: `DialError`, `HandshakeError`, `SessionError` or a socket error.
    public func dial(_ enode: Enode) async throws -> PeerConnection {
        guard let host = enode.host, enode.tcpPort != 0 else { throw DialError.noAddress(enode.description) }
        let configuration = self.configuration
        let sink = eventSink
        let (channel, established) = try await ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(configuration.timeouts.dial))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: host.description, port: Int(enode.tcpPort)) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.configure(channel, configuration: configuration, direction: .outbound,
                                       events: sink, dialledKey: enode.publicKey)
                }
            }
        return try await Self.admit(channel: channel, established: established, configuration: configuration)
    }

    /// Listens on `host:port` (port 0 picks a free one). Admitted peers
    /// arrive on the listener's `connections`.
    /// An accepted connection over ``RLPxConfiguration/Limits/maxPendingHandshakes`` or
    /// ``RLPxConfiguration/Limits/maxConnectionsPerAddress`` is closed at once, with a `refused` event.
    public func listen(on host: String, port: Int) async throws -> RLPxListener {
        let configuration = self.configuration
        let sink = eventSink
        let gate = InboundGate(maxPendingHandshakes: configuration.limits.maxPendingHandshakes,
                               maxConnectionsPerAddress: configuration.limits.maxConnectionsPerAddress)
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let remote = channel.remoteAddress
                    let ticket: InboundGate.Ticket
                    switch gate.admit(remote?.ipAddress ?? "unknown") {
                    case .success(let admitted): ticket = admitted
                    case .failure(let refusal):
                        sink.yield(.refused(direction: .inbound, remoteAddress: remote.map { "\($0)" } ?? "unknown",
                                            nodeID: nil, reason: refusal.reason))
                        // Not by throwing: a failed child initializer fires an error on the server
                        // channel, which would end the listener's stream of connections.
                        try channel.pipeline.syncOperations.addHandler(CloseOnActive())
                        return AcceptedChannel(refused: ())
                    }
                    channel.closeFuture.whenComplete { _ in ticket.closed() }
                    let (asyncChannel, established) = try Self.configure(channel, configuration: configuration,
                                                                         direction: .inbound, events: sink, dialledKey: nil)
                    established.whenComplete { _ in ticket.handshakeEnded() }
                    return AcceptedChannel(asyncChannel, established: established)
                }
            }
        return RLPxListener(server: server, configuration: configuration)
    }

    /// Installs the handshake handler and the async bridge; runs on the channel's loop.
    static func configure(_ channel: any Channel, configuration: RLPxConfiguration, direction: ConnectionDirection,
                          events: AsyncStream<ConnectionEvent>.Continuation, dialledKey: Secp256k1.PublicKey?)
        throws -> (NIOAsyncChannel<CapabilityMessage, CapabilityMessage>, EventLoopFuture<PeerInfo>) {
        let promise = channel.eventLoop.makePromise(of: PeerInfo.self)
        let setup = ConnectionSetup(configuration: configuration, direction: direction, events: events,
                                    established: promise, dialledKey: dialledKey)
        try channel.pipeline.syncOperations.addHandler(HandshakeHandler(setup: setup))
        let asyncChannel = try NIOAsyncChannel<CapabilityMessage, CapabilityMessage>(wrappingChannelSynchronously: channel)
        return (asyncChannel, promise.futureResult)
    }

    /// Waits for admission; on failure makes sure the socket is closed.
    static func admit(channel: NIOAsyncChannel<CapabilityMessage, CapabilityMessage>, established: EventLoopFuture<PeerInfo>,
                      configuration: RLPxConfiguration) async throws -> PeerConnection {
        do {
            let peer = try await established.get()
            return PeerConnection(channel: channel, peer: peer, disconnectTimeout: configuration.timeouts.disconnectWrite)
        } catch {
            try? await channel.channel.close()
            throw error
        }
    }
}

/// Why a dial could not start.
public enum DialError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The enode has no host or no TCP port.
    case noAddress(String)

    public var description: String {
        switch self {
        case .noAddress(let url): return "cannot dial \(url): it has no host and TCP port"
        }
    }
}

/// A listening socket handing out admitted peers.
public final class RLPxListener: Sendable {
    /// The bound port (useful after binding port 0).
    public let port: Int
    /// Admitted inbound connections. The consumer owns each one and must close it.
    public let connections: AsyncStream<PeerConnection>
    private let serverChannel: any Channel
    private let acceptLoop: Task<Void, Never>

    init(server: NIOAsyncChannel<AcceptedChannel, Never>, configuration: RLPxConfiguration) {
        port = server.channel.localAddress?.port ?? 0
        serverChannel = server.channel
        let (stream, sink) = AsyncStream.makeStream(of: PeerConnection.self, bufferingPolicy: .bufferingOldest(256))
        connections = stream
        acceptLoop = Task {
            try? await server.executeThenClose { inbound in
                // A peer stuck in its handshake delays only itself.
                try await withThrowingDiscardingTaskGroup { group in
                    for try await accepted in inbound {
                        guard let channel = accepted.take(), let established = accepted.established else { continue }
                        group.addTask {
                            guard let connection = try? await RLPxNode.admit(channel: channel, established: established,
                                                                             configuration: configuration) else { return }
                            // A connection nobody will take must be closed here: dropping it
                            // unclosed traps in NIOAsyncWriter's deinit.
                            switch sink.yield(connection) {
                            case .enqueued: break
                            case .dropped: await connection.close(reason: .tooManyPeers)
                            case .terminated: await connection.close(reason: .quitting)
                            @unknown default: await connection.close(reason: .quitting)
                            }
                        }
                    }
                }
            }
            sink.finish()
        }
    }

    /// Stops accepting; returns once the socket is closed and every
    /// connection still in its handshake has finished (admitted or refused).
    public func close() async {
        try? await serverChannel.close()
        await acceptLoop.value
    }
}

/// An accepted RLPx connection on its way from the server's child initializer
/// to the accept loop, with the future of its handshake.
/// A connection over the listener's bounds carries none: the accept loop skips it.
final class AcceptedChannel: Sendable {
    let established: EventLoopFuture<PeerInfo>?
    private let channel: HandedOverChannel<CapabilityMessage, CapabilityMessage>?

    init(_ channel: NIOAsyncChannel<CapabilityMessage, CapabilityMessage>, established: EventLoopFuture<PeerInfo>) {
        self.channel = HandedOverChannel(channel)
        self.established = established
    }

    /// A connection refused on accept (closed by its ``CloseOnActive`` handler).
    init(refused: Void) {
        channel = nil
        established = nil
    }

    /// Hands the channel over; the caller must run or close it. Nil for a refused connection.
    func take() -> NIOAsyncChannel<CapabilityMessage, CapabilityMessage>? { channel?.take() }
}

/// Closes its channel as soon as it is active, before anything is read from it.
final class CloseOnActive: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { context.close(promise: nil) }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
