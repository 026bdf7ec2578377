import Foundation
import Membership
import Testing

/// A consortium policy change made with the commands an operator runs, between
/// `herald run` processes on 127.0.0.1: proposed, approved, in force on every
/// agent from the same place in the order, and learnt by an agent that was away.
@Suite("herald policy propose between agent processes", .serialized)
struct PolicyChangeProcessTests {
    /// What `herald members --cluster --json` prints (the fields read here).
    struct Cluster: Decodable {
        struct Row: Decodable {
            let node: String
            let policyHash: String?
            let digest: String?
        }
        let rows: [Row]
    }

    /// Exits non-zero while an agent is away or differs: the rows say which, so the status is not checked.
    /// The rows of the agents among `agents` (members without an agent, such as node 10, have rows too).
    func cluster(_ processes: AgentProcessCluster, from n: Int, agents: ClosedRange<Int> = 1...4) async throws -> [Cluster.Row] {
        let result = try await processes.run(["members", "--cluster", "--json", "--config", processes.config(n)])
        let nodes = Set(agents.map(AgentProcessCluster.nodeID))
        return try JSONDecoder().decode(Cluster.self, from: Data(result.stdout.utf8)).rows.filter { nodes.contains($0.node) }
    }

    func decision(_ processes: AgentProcessCluster, _ n: Int, _ id: String) async throws -> String {
        try await processes.status(n, id)?.decision ?? "unknown"
    }

    @Test("three agents switch policy together; admissions before and after follow the old and new rule; the agent that was away decides the same",
          .timeLimit(.minutes(3)))
    func switchTogether() async throws {
        let processes = try AgentProcessCluster(count: 4)
        defer { processes.tearDown() }
        try await processes.initialise()
        let original = try String(contentsOf: processes.root.appendingPathComponent("policy.yaml"), encoding: .utf8)
        // Four genesis validators; without a policy-change section a change needs three of them.
        let stricterText = original.replacingOccurrences(of: "admission: {approvals: 2,", with: "admission: {approvals: 3,")
        let stricterFile = processes.root.appendingPathComponent("stricter.yaml")
        try stricterText.write(to: stricterFile, atomically: true, encoding: .utf8)
        let stricter = try PolicyLoader.load(yaml: stricterText)
        let boundedText = original.replacingOccurrences(of: "limits: {min-validators: 1}", with: "limits: {min-validators: 1, max-members: 20}")
        let boundedFile = processes.root.appendingPathComponent("bounded.yaml")
        try boundedText.write(to: boundedFile, atomically: true, encoding: .utf8)
        let originalHash = try PolicyLoader.load(yaml: original).hash.description

        // Agent 4 stays away until the change is in force.
        for n in 1...3 { try processes.start(n) }
        for n in 1...3 { try await processes.untilLinked(n, peers: 2) }

        // Before the change: node 10 admitted with two approvals.
        let before = try await processes.announceJoin(on: 1, of: 10)
        try await processes.until("agent 2 holds the first join") { try await processes.holds(2, before) }
        _ = try await processes.approve(on: 2, before)
        try await processes.until("the first join accepted on agents 1-3") {
            for n in 1...3 where try await decision(processes, n, before) != "accepted" { return false }
            return true
        }

        // A proposal nobody approves, and the one that is approved.
        let stalled = try AgentProcessCluster.firstWord(of: try await processes.command(2, ["policy", "propose", boundedFile.path]))
        let change = try AgentProcessCluster.firstWord(of: try await processes.command(1, ["policy", "propose", stricterFile.path]))
        #expect(try await decision(processes, 1, change).hasPrefix("pending: needs 3 approvals from role validator, has 1"))
        for n in 2...3 {
            try await processes.until("agent \(n) holds the policy change") { try await processes.holds(n, change) }
            _ = try await processes.approve(on: n, change)
        }
        try await processes.until("agents 1-3 all decide by the new policy", within: .seconds(40)) {
            let rows = try await cluster(processes, from: 1, agents: 1...3)
            return rows.count == 3 && rows.allSatisfy { $0.policyHash == stricter.hash.description }
        }
        // The table an operator reads: the new hash on the three agents' rows and in the summary.
        let table = try await processes.run(["members", "--cluster", "--config", processes.config(2)]).stdout
        let shortHash = String(stricter.hash.description.dropFirst(2).prefix(12))
        #expect(table.split(separator: "\n").filter { $0.contains(shortHash) }.count == 4, "\(table)")
        #expect(table.contains("; policy \(shortHash) on every agent that answered"), "\(table)")
        for n in 1...3 {
            #expect(try await decision(processes, n, change) == "accepted")
            let file = processes.dataDirectory(n) + "/policy.yaml"
            #expect(try String(contentsOfFile: file, encoding: .utf8) == stricterText, "agent \(n)'s policy file")
            #expect(try String(contentsOfFile: file + ".prev", encoding: .utf8) == original, "agent \(n)'s previous policy file")
        }

        // After the change: two approvals no longer admit; the third does.
        let after = try await processes.announceJoin(on: 1, of: 11)
        try await processes.until("agent 2 holds the second join") { try await processes.holds(2, after) }
        _ = try await processes.approve(on: 2, after)
        try await processes.until("agent 1 counts the second approval") {
            try await decision(processes, 1, after).hasPrefix("pending: needs 3 approvals from role validator, has 2")
        }
        try await processes.until("agent 3 holds the second join") { try await processes.holds(3, after) }
        _ = try await processes.approve(on: 3, after)
        try await processes.until("the second join accepted on agents 1-3") {
            for n in 1...3 where try await decision(processes, n, after) != "accepted" { return false }
            return true
        }

        // The agent that was away learns the change with the log and decides every entry alike.
        try processes.start(4)
        try await processes.untilLinked(4, peers: 3)
        let reference = try await processes.members(1)
        try await processes.until("agent 4 caught up", within: .seconds(40)) {
            let members = try await processes.members(4)
            return members.digest == reference.digest && members.logEntries == reference.logEntries
        }
        try await processes.until("every agent reports the new policy") {
            let rows = try await cluster(processes, from: 4)
            return rows.count == 4 && rows.allSatisfy { $0.policyHash == stricter.hash.description && $0.digest == reference.digest }
        }
        for id in [before, change, after, stalled] {
            #expect(try await decision(processes, 4, id) == decision(processes, 1, id), "agent 4 decides \(id.prefix(8)) as agent 1")
        }
        #expect(try String(contentsOfFile: processes.dataDirectory(4) + "/policy.yaml", encoding: .utf8) == stricterText)
        // The unapproved proposal never took effect.
        #expect(try await decision(processes, 1, stalled).hasPrefix("pending"))
        #expect(stricter.hash.description != originalHash)

        // A hand edit reloaded on one host does not replace the consortium's policy.
        let edited = processes.dataDirectory(3) + "/policy.yaml"
        try boundedText.write(toFile: edited, atomically: true, encoding: .utf8)
        let reload = try await processes.run(["policy", "reload", "--config", processes.config(3)])
        #expect(reload.status == 0)
        #expect(reload.stderr.contains("differs from the consortium's accepted policy"), "\(reload.stderr)")
        #expect(reload.stderr.contains("herald policy propose \(edited)"))
        let rows = try await cluster(processes, from: 3)
        #expect(rows.count == 4 && rows.allSatisfy { $0.policyHash == stricter.hash.description })

        // Every log audits clean from scratch, policy changes and all.
        for n in 1...4 { try await processes.stop(n) }
        for n in 1...4 {
            let (result, report) = try await processes.audit(n)
            #expect(result.status == 0 && report?.passed == true, "agent \(n): \(result.stdout) \(result.stderr)")
            #expect(report?.digest == reference.digest)
        }
    }

    @Test("a proposal that renames the consortium, does not load or is the policy in force is refused by the command")
    func refusedProposals() async throws {
        let processes = try AgentProcessCluster(count: 2)   // agent 2 is not started
        defer { processes.tearDown() }
        try await processes.initialise()
        try processes.start(1)
        try await processes.untilLinked(1, peers: 0)
        let original = try String(contentsOf: processes.root.appendingPathComponent("policy.yaml"), encoding: .utf8)
        let cases: [(name: String, text: String, error: String)] = [
            ("renamed", original.replacingOccurrences(of: "name: herald-processes", with: "name: other"),
             "may not replace the one in force: it changes the consortium name from 'herald-processes' to 'other'"),
            ("broken", original + "\nrules: [\n", "broken.yaml:"),
            ("same", original, "is the one in force"),
        ]
        for item in cases {
            let file = processes.root.appendingPathComponent("\(item.name).yaml").path
            try item.text.write(toFile: file, atomically: true, encoding: .utf8)
            let result = try await processes.run(["policy", "propose", file, "--config", processes.config(1)])
            #expect(result.status == 1, "\(item.name)")
            #expect(result.stderr.contains(item.error), "\(item.name): \(result.stderr)")
        }
        #expect(try await processes.members(1).logEntries == 0)
    }
}
