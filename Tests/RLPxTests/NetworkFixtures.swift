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
