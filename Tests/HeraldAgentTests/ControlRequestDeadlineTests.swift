@testable import HeraldAgent
import NIOCore
import NIOEmbedded
import Testing

/// The control socket's deadline for a request: on an embedded channel with a
/// clock the test moves, then on a real agent's socket.
@Suite("control request deadline")
struct ControlRequestDeadlineTests {
    /// An active embedded channel with the deadline handler, 30 s.
    func channel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: ControlRequestDeadline(timeout: .seconds(30)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    @Test("a connection that sends nothing is closed at the deadline, not before")
    func silent() throws {
        let channel = try channel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("bytes that do not finish a line do not move the deadline")
    func trickle() throws {
        let channel = try channel()
        for _ in 0..<29 {
            try channel.writeInbound(ByteBuffer(string: "x"))
            channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        }
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("no deadline while requests are served; it starts again from the last response")
    func serving() throws {
        let channel = try channel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        // Two requests in one read, answered 100 s later (a slow cluster query).
        try channel.writeInbound(ByteBuffer(string: #"{"command":"cluster","timeout":60}"# + "\n" + #"{"command":"members"}"# + "\n"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(100))
        #expect(channel.isActive)
        try channel.writeOutbound(ByteBuffer(string: "{}\n"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(100))
        #expect(channel.isActive, "one request is still unanswered")
        try channel.writeOutbound(ByteBuffer(string: "{}\n"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("a real agent's control socket: answered, then closed a deadline after the answer; a silent client closed",
          .timeLimit(.minutes(2)))
    func realSocket() async throws {
        let sandbox = try AgentFixtures.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        try await AgentFixtures.withAgents(1, in: sandbox, shared: shared) { agents in
            let path = agents[0].configuration.controlSocket + ".short"
            let server = try await ControlServer.bind(path: path, agent: agents[0].agent, idleTimeout: .milliseconds(500))
            let serving = Task { try await server.run() }
            defer { serving.cancel() }

            let (silent, _) = try await ControlSocketAbuseTests.connect(path)
            let (asking, received) = try await ControlSocketAbuseTests.connect(path)
            try await asking.writeAndFlush(ByteBuffer(string: #"{"command":"members"}"# + "\n"))
            try await silent.closeFuture.get()
            try await asking.closeFuture.get()
            #expect(received.text.contains(#""members""#), "\(received.text)")
        }
    }
}
