import Foundation
@testable import HeraldAgent
import NIOCore
import NIOPosix
import Testing
import TestTurns

/// A control-socket client that misbehaves on purpose: a request line that
/// never ends, and more connections than the agent serves at once. The
/// agent refuses each with an error line, stays bounded and keeps serving.
@Suite("control socket under abuse", .serialized)
struct ControlSocketAbuseTests {
    typealias F = AgentFixtures

    /// Collects what the agent sends on one connection.
    final class Received: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private let lock = NSLock()
        private var bytes: [UInt8] = []

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            let chunk = buffer.readBytes(length: buffer.readableBytes) ?? []
            lock.withLock { bytes += chunk }
        }

        var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
    }

    static func connect(_ path: String) async throws -> (channel: any Channel, received: Received) {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(received) }
            }
            .connect(unixDomainSocketPath: path).get()
        return (channel, received)
    }

    @Test("100 MB without a newline: refused with an error after the line limit, the connection closed, the agent serving",
          .takesTurns, .timeLimit(.minutes(6)))
    func endlessLine() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        try await F.withAgents(1, in: sandbox, shared: shared) { agents in
            let socket = agents[0].configuration.controlSocket
            let (channel, received) = try await Self.connect(socket)
            let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1 << 20)
            var sent = 0
            while sent < 100 << 20 {
                do { try await channel.writeAndFlush(chunk) } catch { break }   // the agent closed the connection
                sent += chunk.readableBytes
            }
            try await channel.closeFuture.get()
            #expect(received.text == #"{"error":"request line longer than 262144 bytes without a newline: refused"}"# + "\n")
            #expect(sent < 100 << 20, "the agent read all \(sent) bytes instead of closing the connection")
            let members = try await ControlClient(path: socket).send(ControlRequest(command: "members"))
            #expect(members.members?.members.count == 2)
        }
    }

    @Test("1,000 connections: the first 64 are served, the rest refused with an error; the agent serves again once they close",
          .takesTurns, .timeLimit(.minutes(6)))
    func manyConnections() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        try await F.withAgents(1, in: sandbox, shared: shared) { agents in
            let socket = agents[0].configuration.controlSocket
            let before = F.openDescriptors()
            var opened: [(channel: any Channel, received: Received)] = []
            for _ in 0..<1000 { opened.append(try await Self.connect(socket)) }
            let clients = opened
            let refusal = #"{"error":"too many control connections (64 open); try again when one closes"}"# + "\n"
            let refused = 1000 - ControlServer.maxClients
            try await F.until("936 connections refused and closed", within: .seconds(60)) {
                clients.filter { $0.received.text == refusal && !$0.channel.isActive }.count == refused
            }
            let open = clients.filter { $0.received.text != refusal }
            #expect(open.count == ControlServer.maxClients)
            #expect(open.allSatisfy { $0.received.text.isEmpty && $0.channel.isActive })
            // While 64 are held: a new request is refused with the same error, not left hanging.
            let whileFull = await #expect(throws: ControlClient.Failure.self) {
                try await ControlClient(path: socket).send(ControlRequest(command: "members"))
            }
            #expect(whileFull?.description == "too many control connections (64 open); try again when one closes")

            for client in clients { try? await client.channel.close() }
            try await F.until("the agent serves again") {
                (try? await ControlClient(path: socket).send(ControlRequest(command: "members")))?.members != nil
            }
            // Every descriptor the flood took, on both ends, is released.
            try await F.until("descriptors back to \(before)") { F.openDescriptors() <= before + 2 }
        }
    }
}
