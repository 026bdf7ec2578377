import Foundation
@testable import HeraldAgent
@testable import Membership
import Testing

/// What "started" means: once the agent reports its enode URL, control
/// commands reach it; an endpoint it cannot serve stops it with an error
/// that names the setting.
@Suite("agent startup", .serialized)
struct StartupTests {
    typealias F = AgentFixtures

    @Test("once the agent is listening, its control socket already answers", .timeLimit(.minutes(1)))
    func controlSocketBeforeListening() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        try await F.withAgents(1, in: sandbox, shared: shared) { agents in
            let client = ControlClient(path: agents[0].configuration.controlSocket)
            let response = try await client.send(ControlRequest(command: "enode"))
            #expect(response.enode == agents[0].enode)
            let mode = try FileManager.default.attributesOfItem(atPath: agents[0].configuration.controlSocket)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    @Test("a control socket that cannot be created stops the agent with an error naming it", .timeLimit(.minutes(1)))
    func unusableControlSocket() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        var configuration = try sandbox.configuration(1, policy: shared.policy, consortiumKey: shared.key, peers: [])
        configuration.controlSocket = sandbox.root.appendingPathComponent("no-such-directory/herald.sock").path
        let agent = try await HeraldAgent(configuration: configuration)
        let error = await #expect(throws: AgentError.self) { try await agent.run() }
        guard case .configuration(let path, let message) = error else {
            Issue.record("expected a configuration error, got \(String(describing: error))")
            return
        }
        #expect(path == "control-socket")
        #expect(message.contains(configuration.controlSocket))
    }

    @Test("own announcements whose log entries were lost are logged again from the outbox on restart, in order, as of when they were made, acked or not",
          .timeLimit(.minutes(1)))
    func ownEntriesLoggedAgain() async throws {
        struct LostWithPower: Error {}
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        let configuration = try sandbox.configuration(1, policy: shared.policy, consortiumKey: shared.key, peers: [])
        // Every append of agent 1 fails before its commit: its outbox has both announcements, its log neither.
        let running = try await F.start(configuration) { agent in
            let log = await agent.log
            log.beforeCommit = { throw LostWithPower() }
        }
        let peer = try await F.start(try sandbox.configuration(2, policy: shared.policy, consortiumKey: shared.key,
                                                                 peers: [running.enode]))
        let first = try await running.agent.announce(AnnounceRequest(kind: "leave", enode: F.nodeEnode(2)))
        // The second stays unacked: its recipients include the joining node 9, which has no agent.
        let second = try await running.agent.announce(AnnounceRequest(kind: "join", enode: F.nodeEnode(9)))
        _ = try await F.eventually("node 2 acked the first") { try await running.agent.status(first.id).acked == 1 ? true : nil }
        await peer.stop()
        #expect(await running.agent.log.count == 0)
        await running.stop()

        // Restarted with no peer to bring the entries: they come from the outbox alone.
        let restarted = try await F.start(configuration)
        let entries = try await restarted.agent.log.entries(from: 0, limit: 10)
        await restarted.stop()
        #expect(entries.map(\.announcementID.hex) == [first.id, second.id])
        for entry in entries {
            let announcement = try SignedAnnouncement(decoding: entry.announcement).announcement
            #expect(entry.receivedAt == announcement.issuedAt)
        }
    }
}
