import HeraldCrypto
import NIOCore
import NIOPosix
import RLPx
import Testing

/// Shared set-up of the socket tests: nodes on 127.0.0.1, short timeouts,
/// raw hostile clients. Every helper closes what it opens.
enum Net {
    static let shh = LocalProtocol(capability: Capability(name: "shh", version: 6), messageIDCount: 128)

    static func configuration(key: Secp256k1.PrivateKey = Secp256k1.PrivateKey(), p2pVersion: UInt64 = 5,
                              allowed: (@Sendable (NodeID) -> Bool)? = nil,
                              handshake: Duration = .seconds(3), ping: Duration = .seconds(15),
                              idle: Duration = .seconds(30), maxFrameSize: Int? = nil) -> RLPxConfiguration {
        var configuration = RLPxConfiguration(privateKey: key, clientID: "Herald/test", protocols: [shh],
                                              isAllowed: allowed ?? { _ in true })
        configuration.p2pVersion = p2pVersion
        configuration.timeouts.handshake = handshake
        configuration.timeouts.pingInterval = ping
        configuration.timeouts.idle = idle
        configuration.timeouts.disconnectWrite = .milliseconds(500)
        configuration.timeouts.dial = .seconds(3)
        if let maxFrameSize { configuration.limits.maxFrameSize = maxFrameSize }
        return configuration
    }

    /// Runs `body` with a fresh event loop group and always shuts it down.
    static func withGroup<R: Sendable>(_ body: (any EventLoopGroup) async throws -> R) async throws -> R {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        do {
            let result = try await body(group)
            try await group.shutdownGracefully()
            return result
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Runs `body` with a listener and always closes it.
    static func withListener<R: Sendable>(_ node: RLPxNode, _ body: (RLPxListener) async throws -> R) async throws -> R {
        let listener = try await node.listen(on: "127.0.0.1", port: 0)
        do {
            let result = try await body(listener)
            await listener.close()
            return result
        } catch {
            await listener.close()
            throw error
        }
    }

    /// Fails with `TimeoutError` if `body` takes longer than `limit`.
    static func within<R: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> R) async throws -> R {
        try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask { try await body() }
            group.addTask { try await Task.sleep(for: limit); return nil }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw TimeoutError() }
            return value
        }
    }

    struct TimeoutError: Error {}

    /// The next event matching `predicate`, skipping others.
    static func nextEvent(_ events: AsyncStream<ConnectionEvent>, within limit: Duration = .seconds(5),
                          where predicate: @escaping @Sendable (ConnectionEvent) -> Bool) async throws -> ConnectionEvent {
        try await within(limit) {
            for await event in events where predicate(event) { return event }
            throw TimeoutError()
        }
    }
}

/// A plain TCP client that speaks whatever bytes a test wants.
final class RawConnection {
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
    }

    static func with<R: Sendable>(group: any EventLoopGroup, port: Int, _ body: (RawConnection) async throws -> R) async throws -> R {
        let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(RawConnection(inbound: inbound, outbound: outbound))
        }
    }

    func write(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// The next chunk, or nil once the server has closed.
    func read() async -> [UInt8]? {
        do {
            guard var buffer = try await inbound.next() else { return nil }
            return buffer.readBytes(length: buffer.readableBytes)
        } catch {
            return nil   // reset by peer counts as closed
        }
    }

    /// Reads until the server closes; returns how long that took.
    func waitForClose() async -> Duration {
        let start = ContinuousClock.now
        while await read() != nil {}
        return ContinuousClock.now - start
    }

    /// Initiator handshake by hand; returns the codec for framing.
    func handshake(key: Secp256k1.PrivateKey, remote: Secp256k1.PublicKey) async throws -> FrameCodec {
        var machine = HandshakeStateMachine(role: .initiator(remote: remote), staticKey: key)
        guard case .send(let auth) = machine.start() else { throw HandshakeError.invalidState }
        try await write(auth)
        while let chunk = await read() {
            switch machine.receive(chunk) {
            case .needMoreBytes: continue
            case .complete(let outcome, _): return try FrameCodec(secrets: outcome.secrets)
            case .send, .fail: throw HandshakeError.invalidState
            }
        }
        throw SessionError.connectionClosed
    }
}
