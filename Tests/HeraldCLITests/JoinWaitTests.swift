import Foundation
import Testing

/// The usual order of an admission: the new node is admitted before its own
/// agent runs. `--wait` waits for the members, and reports the joining
/// node's agent on a line of its own; `status` tells the decision in force
/// now apart from what each recipient acknowledged.
@Suite("announce --wait and approve --wait before the joining node's agent runs", .serialized)
struct JoinWaitTests {
    @Test("join and approval --wait exit 0 once every member acked; the joiner's agent is reported, not waited for",
          .timeLimit(.minutes(1)))
    func waitsForMembersOnly() async throws {
        let cluster = try AgentProcessCluster(count: 3)
        defer { cluster.tearDown() }
        try await cluster.initialise()
        for n in 1...3 { try cluster.start(n) }
        for n in 1...3 { try await cluster.untilLinked(n, peers: 2) }
        let joiner = String(AgentProcessCluster.nodeID(10).prefix(8))
        // Node 10's agent endpoint: a port nothing listens on.
        let unused = try AgentProcessCluster.freePorts(1)[0]

        let announced = try await cluster.run([
            "announce", "join", "--enode", AgentProcessCluster.nodeEnode(10), "--agent-endpoint", "127.0.0.1:\(unused)",
            "--wait", "--timeout", "20", "--config", cluster.config(1),
        ])
        #expect(announced.status == 0, "\(announced.stderr)")
        let lines = announced.stdout.split(separator: "\n").map(String.init)
        let id = try #require(lines.first?.split(separator: " ").first.map(String.init))
        #expect(lines.first?.hasPrefix("\(id) pending: needs 2 approvals") == true, "\(lines)")
        #expect(lines.contains("acks: 2/2 members"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("decision: pending") }, "\(lines)")
        #expect(lines.last?.hasPrefix("joining node's agent \(joiner): not reachable yet (") == true, "\(lines)")
        #expect(lines.last?.hasSuffix("; it catches up when it starts") == true)

        try await cluster.until("agent 2 holds the join") { try await cluster.holds(2, id) }
        let approved = try await cluster.run(["approve", id, "--wait", "--timeout", "20", "--config", cluster.config(2)])
        #expect(approved.status == 0, "\(approved.stderr)")
        let approval = approved.stdout.split(separator: "\n").map(String.init)
        #expect(approval.contains("acks: 2/2 members"), "\(approval)")
        #expect(approval.last?.hasPrefix("joining node's agent \(joiner): not reachable yet") == true, "\(approval)")

        // The join is accepted now everywhere; agents 2 and 3 acknowledged it as pending.
        try await cluster.until("agent 1 accepts the join") { try await cluster.status(1, id)?.decision == "accepted" }
        let status = try await cluster.command(1, ["status", id]).split(separator: "\n").map(String.init)
        #expect(status.first == "\(id) accepted", "\(status)")
        #expect(status.contains("acks: 2/2 members"), "\(status)")
        for n in [2, 3] {
            let node = AgentProcessCluster.nodeID(n).prefix(16)
            #expect(status.contains { $0.hasPrefix("  \(node)… acked (logged it as pending)") }, "\(status)")
        }
        let joinerNode = AgentProcessCluster.nodeID(10).prefix(16)
        #expect(status.contains { $0.hasPrefix("  \(joinerNode)… [joining node's agent] not acknowledged yet") }, "\(status)")
    }
}
