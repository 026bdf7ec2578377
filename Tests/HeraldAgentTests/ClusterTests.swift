import Foundation
import HeraldCrypto
@testable import HeraldAgent
import Membership
import Testing

@Suite("members --cluster", .serialized)
struct ClusterTests {
    typealias F = AgentFixtures

    @Test("all agents agree after convergence; a diverging agent and a stopped member are marked",
          .timeLimit(.minutes(2)))
    func rowsAgreeThenDiverge() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 3)
        // Agent 3 reads its own copy of the policy, so that it alone can be made to diverge.
        let ownPolicy = sandbox.root.appendingPathComponent("policy-3.yaml").path
        try F.policy(genesis: 3).write(toFile: ownPolicy, atomically: true, encoding: .utf8)
        try await F.withAgents(2, in: sandbox, shared: shared) { agents in
            agents.append(try await F.start(try sandbox.configuration(3, policy: ownPolicy, consortiumKey: shared.key,
                                                                      peers: agents.map(\.enode))))
            for running in agents {
                try await F.until("full mesh") { await running.agent.peers().count == 2 }
            }
            try await F.untilConverged(agents[0].agent, agents[1].agent)
            try await F.untilConverged(agents[0].agent, agents[2].agent)

            // Through the control socket, as `herald members --cluster` asks.
            let response = try await ControlClient(path: agents[0].configuration.controlSocket)
                .send(ControlRequest(command: "cluster", timeout: 30))
            let agreed = try #require(response.cluster)
            #expect(agreed.rows.count == 3)
            #expect(agreed.rows.first?.isSelf == true)
            #expect(agreed.rows.first?.name == "val-1")
            #expect(Set(agreed.rows.compactMap(\.name)) == ["val-1", "val-2", "val-3"])
            #expect(agreed.rows.allSatisfy { $0.state == .agrees && !$0.policyDiffers })
            #expect(Set(agreed.rows.compactMap(\.digest)).count == 1)
            #expect(Set(agreed.rows.compactMap(\.logHead)).count == 1)
            #expect(agreed.rows.allSatisfy { $0.memberCount == 3 })
            #expect(agreed.diverging == 0 && agreed.unanswered == 0)

            // Agent 3 reloads a policy with a fourth genesis member: its member list differs.
            try F.policy(genesis: 4).write(toFile: ownPolicy, atomically: true, encoding: .utf8)
            #expect(try await agents[2].agent.reloadPolicy().changed)
            let third = F.key(3).publicKey.nodeID.hex
            let diverged = await agents[0].agent.cluster(timeout: .seconds(30))
            let row = try #require(diverged.rows.first { $0.node == third })
            #expect(row.state == .diverges)
            #expect(row.policyDiffers)
            #expect(row.memberCount == 4)
            #expect(diverged.diverging == 1)
            #expect(diverged.rows.filter { $0.node != third }.allSatisfy { $0.state == .agrees })
            // Seen from agent 3, the majority is the other two: it is its own row that is marked.
            let fromThird = await agents[2].agent.cluster(timeout: .seconds(30))
            #expect(fromThird.rows.first?.state == .diverges)
            #expect(fromThird.diverging == 1)

            // Agent 2 stops: agent 1 reports it as a member it is not connected to.
            await agents[1].stop()
            let first = agents[0].agent
            try await F.until("agent 2 disconnected") { await first.peers().count == 1 }
            let stopped = await first.cluster(timeout: .seconds(30))
            let second = F.key(2).publicKey.nodeID.hex
            #expect(stopped.rows.first { $0.node == second }?.state == .notConnected)
            #expect(stopped.rows.first { $0.node == second }?.digest == nil)
            #expect(stopped.unanswered == 1)
        }
    }

    @Test("cluster rows are marked against the majority digest, ties going to this agent")
    func majority() {
        func row(_ node: String, _ digest: String?, isSelf: Bool = false) -> ClusterRow {
            ClusterRow(node: node, name: nil, isSelf: isSelf, state: digest == nil ? .noReply : .agrees, digest: digest,
                       policyDiffers: false)
        }
        let outvoted = ClusterInfo(rows: [row("a", "x", isSelf: true), row("b", "y"), row("c", "y"), row("d", nil)])
        #expect(outvoted.rows.map(\.state) == [.diverges, .agrees, .agrees, .noReply])
        #expect(outvoted.referenceDigest == "y")
        #expect(outvoted.diverging == 1 && outvoted.unanswered == 1)
        let tie = ClusterInfo(rows: [row("a", "x", isSelf: true), row("b", "y")])
        #expect(tie.rows.map(\.state) == [.agrees, .diverges])
    }
}
