import Foundation
@testable import HeraldAgent
import NIOCore
import NIOPosix
import Testing
import TestTurns

/// 500 silent TCP connections to an agent's RLPx port while its members go
/// on delivering: the connections are closed (over the bounds at once, the
/// rest at the handshake timeout), the descriptors come back, and an
/// announcement made during the attack is acknowledged by every member.
@Suite("slow-loris against a real agent", .serialized)
struct SlowLorisTests {
    typealias F = AgentFixtures

    @Test("500 silent connections: all closed, descriptors back to their level, deliveries go on", .takesTurns, .timeLimit(.minutes(6)))
    func silentConnections() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 3)
        try await F.withAgents(3, in: sandbox, shared: shared) { running in
            let agents = running
            try await F.until("agents linked") {
                for agent in agents where await agent.agent.peers().count < 2 { return false }
                return true
            }
            let port = try #require(URL(string: agents[0].enode)?.port)
            let before = F.openDescriptors()

            var opened: [any Channel] = []
            for _ in 0..<500 {
                opened.append(try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: port).get())
            }
            let attack = opened
            // During the attack agent 1 announces, and agent 2 too (agent 1 receives it).
            let fromFirst = try await agents[0].agent.announce(AnnounceRequest(kind: "join", enode: F.nodeEnode(7)))
            let fromSecond = try await agents[1].agent.announce(AnnounceRequest(kind: "join", enode: F.nodeEnode(8)))
            try await F.until("both announcements acknowledged by every member", within: .seconds(30)) {
                let first = try? await agents[0].agent.status(fromFirst.id)
                let second = try? await agents[1].agent.status(fromSecond.id)
                return first?.acked == 2 && second?.acked == 2
            }
            try await F.until("every silent connection closed by the agent", within: .seconds(40)) {
                attack.allSatisfy { !$0.isActive }
            }
            #expect(await agents[0].agent.peers().count == 2, "members' links survive the attack")
            try await F.until("descriptors back to \(before)", within: .seconds(10)) { F.openDescriptors() <= before + 2 }
        }
    }
}
