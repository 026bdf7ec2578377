import Foundation
import NIOCore
import NIOPosix
import RLPx

/// Serves the control socket: a Unix socket, mode 0600, one JSON request
/// per line (see ``ControlRequest``).
///
/// Bounded against a misbehaving client: at most ``maxClients`` connections
/// at once (one more is answered with an error and closed), a request line
/// of at most ``ControlRequest/maxLineLength`` bytes (a longer one is answered
/// with an error and the connection closed), and a connection that sends no
/// complete request within ``idleTimeout`` of the agent being ready for one
/// is closed (``ControlRequestDeadline``).
struct ControlServer: Sendable {
    let path: String
    let agent: HeraldAgent
    private let server: NIOAsyncChannel<HandedOverChannel<ByteBuffer, ByteBuffer>, Never>
    private let clients = Locked(0)

    /// Connections served at once.
    static let maxClients = 64
    /// How long a connection may take to send a complete request, from its
    /// start or from the last response.
    static let idleTimeout: TimeAmount = .seconds(30)

    /// Binds the socket (replacing a stale socket file), so that the agent
    /// reports itself started only once control commands can reach it.
    static func bind(path: String, agent: HeraldAgent, idleTimeout: TimeAmount = Self.idleTimeout) async throws -> ControlServer {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ControlRequestDeadline(timeout: idleTimeout))
                    return HandedOverChannel(try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel))
                }
            }
        // Only the agent's user may talk to it.
        chmod(path, 0o600)
        return ControlServer(path: path, agent: agent, server: server)
    }

    /// Serves clients until cancelled, then removes the socket file.
    func run() async throws {
        try await withTaskCancellationHandler {
            try await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await accepted in inbound {
                        guard let client = accepted.take() else { continue }
                        group.addTask { try? await self.admit(client) }
                    }
                }
            }
        } onCancel: {
            server.channel.close(promise: nil)
        }
        unlink(path)
    }

    /// Serves `client`, or refuses it with an error line when ``maxClients`` are being served.
    private func admit(_ client: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async throws {
        let admitted = clients.update { count in
            guard count < Self.maxClients else { return false }
            count += 1
            return true
        }
        guard admitted else {
            try await client.executeThenClose { inbound, outbound in
                try await outbound.write(Self.line(ControlResponse(
                    error: "too many control connections (\(Self.maxClients) open); try again when one closes")))
                // Closing at once could fail the client's write of its request before it reads the
                // answer; let it finish (what it sends is discarded), for a second at most.
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { do { for try await _ in inbound {} } catch {} }
                    group.addTask { try? await Task.sleep(for: .seconds(1)) }
                    await group.next()
                    group.cancelAll()
                }
            }
            return
        }
        defer { clients.update { $0 -= 1 } }
        try await serve(client)
    }

    private func serve(_ client: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async throws {
        try await client.executeThenClose { inbound, outbound in
            var pending: [UInt8] = []
            for try await var buffer in inbound {
                pending += buffer.readBytes(length: buffer.readableBytes) ?? []
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(pending[..<newline])
                    pending.removeFirst(newline + 1)
                    try await outbound.write(Self.line(await handle(line)))
                }
                if pending.count > ControlRequest.maxLineLength {
                    try await outbound.write(Self.line(ControlResponse(
                        error: "request line longer than \(ControlRequest.maxLineLength) bytes without a newline: refused")))
                    return
                }
            }
        }
    }

    /// `response` as one JSON line.
    private static func line(_ response: ControlResponse) -> ByteBuffer {
        var bytes = (try? JSONEncoder().encode(response)) ?? Data(#"{"error":"internal"}"#.utf8)
        bytes.append(UInt8(ascii: "\n"))
        return ByteBuffer(bytes: bytes)
    }

    private func handle(_ line: [UInt8]) async -> ControlResponse {
        guard let request = try? JSONDecoder().decode(ControlRequest.self, from: Data(line)) else {
            return ControlResponse(error: "malformed request")
        }
        do {
            switch request.command {
            case "announce":
                guard let announce = request.announce else { return ControlResponse(error: "announce needs its fields") }
                return ControlResponse(status: try await agent.announce(announce))
            case "approve":
                return ControlResponse(status: try await agent.approve(request.id ?? ""))
            case "status":
                return ControlResponse(status: try await agent.status(request.id ?? ""))
            case "agent-status":
                return ControlResponse(summary: await agent.summary())
            case "members":
                return ControlResponse(members: await agent.members())
            case "cluster":
                let seconds = min(max(request.timeout ?? 3, 0.1), 60)
                return ControlResponse(cluster: await agent.cluster(timeout: .milliseconds(Int(seconds * 1000))))
            case "propose-policy":
                return ControlResponse(status: try await agent.proposePolicy(request.policyText ?? ""))
            case "reload-policy":
                return ControlResponse(policyReload: try await agent.reloadPolicy())
            case "peers":
                return ControlResponse(peers: await agent.peers())
            case "enode":
                return ControlResponse(enode: await agent.enodeURL())
            default:
                return ControlResponse(error: "unknown command '\(request.command)'")
            }
        } catch {
            return ControlResponse(error: error.description)
        }
    }
}
