import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `herald run` processes killed with SIGKILL in the middle of delivery and
/// started again with the same config: what was announced (its ID printed)
/// must survive, reach every agent once, and leave logs that audit clean.
@Suite("herald agents as processes, killed and restarted", .serialized)
struct CrashRecoveryTests {
    @Test("kill -9 of an agent in mid-delivery, then a restart: every log holds each announcement once, one digest, clean audits",
          .timeLimit(.minutes(3)))
    func killedInMidDelivery() async throws {
        let cluster = try AgentProcessCluster(count: 3)
        defer { cluster.tearDown() }
        try await cluster.initialise()
        for n in 1...3 { try cluster.start(n) }
        for n in 1...3 { try await cluster.untilLinked(n, peers: 2) }

        // Joins of nodes 10 and up, which run no agent: pending until a second validator approves.
        var made: [(announcer: Int, id: String)] = []
        made.append((1, try await cluster.announceJoin(on: 1, of: 10)))
        made.append((2, try await cluster.announceJoin(on: 2, of: 11)))
        // Agent 2 is frozen (SIGSTOP): what agent 3 now announces reaches its socket but is neither
        // read nor acknowledged. Agent 3 announces three joins, while agent 1 announces one to it,
        // and is killed once its last ID is printed (durable), its deliveries to agent 2 unacknowledged.
        try cluster.freeze(2)
        async let fromFirst = cluster.announceJoin(on: 1, of: 16)
        for node in 12...14 { made.append((3, try await cluster.announceJoin(on: 3, of: node))) }
        let inFlight = try await cluster.status(3, made[4].id)
        #expect(inFlight?.recipients.first { $0.node == AgentProcessCluster.nodeID(2) }?.acked == false)
        try await cluster.kill9(3)
        try cluster.thaw(2)
        made.append((1, try await fromFirst))

        // While agent 3 is down: one more join, and agent 2 approves agent 1's.
        made.append((2, try await cluster.announceJoin(on: 2, of: 15)))
        try await cluster.until("agent 2 holds agent 1's join") { try await cluster.holds(2, made[0].id) }
        made.append((2, try await cluster.approve(on: 2, made[0].id)))

        // Same config, same data directory: it resumes from disk. Then agent 1 approves
        // agent 3's first join and agent 3 approves agent 2's.
        try cluster.start(3)
        try await cluster.untilLinked(3, peers: 2)
        for (approver, target) in [(1, made[2].id), (3, made[1].id)] {
            try await cluster.until("agent \(approver) holds \(target.prefix(8))") { try await cluster.holds(approver, target) }
            made.append((approver, try await cluster.approve(on: approver, target)))
        }
        let ids = made.map(\.id)
        #expect(Set(ids).count == 10)

        // One digest, and as many log entries as distinct announcements (none twice) ...
        try await cluster.until("10 log entries and one digest on every agent", within: .seconds(40)) {
            var digests: Set<String> = []
            for n in 1...3 {
                let members = try await cluster.members(n)
                guard members.logEntries == UInt64(ids.count) else { return false }
                digests.insert(members.digest)
            }
            return digests.count == 1
        }
        // ... each of them in every log (none lost) ...
        for n in 1...3 {
            for id in ids { #expect(try await cluster.holds(n, id), "agent \(n) lacks \(id.prefix(8))") }
        }
        // ... acknowledged by both other agents, the killed one included.
        for (announcer, id) in made {
            let others = Set((1...3).filter { $0 != announcer }.map(AgentProcessCluster.nodeID))
            try await cluster.until("agent \(announcer)'s \(id.prefix(8)) acknowledged by both other agents") {
                let status = try await cluster.status(announcer, id)
                return status?.recipients.filter { $0.acked && others.contains($0.node) }.count == 2
            }
        }
        let members = try await cluster.members(1)
        // Genesis 1–3, and nodes 10, 11 and 12 with their approvals.
        #expect(Set(members.members.map(\.node)) == Set([1, 2, 3, 10, 11, 12].map(AgentProcessCluster.nodeID)))

        // Stopped with SIGTERM, then every data directory audited from scratch.
        for n in 1...3 { try await cluster.stop(n) }
        for n in 1...3 {
            let (result, report) = try await cluster.audit(n)
            #expect(result.status == 0, "audit of agent \(n): \(result.stderr)")
            #expect(report?.passed == true)
            #expect(report?.entries == UInt64(ids.count))
            #expect(report?.digest == members.digest)
        }
    }

    @Test("the herald executable is found beside the test bundle")
    func executableIsBuilt() throws {
        let herald = try HeraldProcess.locateExecutable()
        #expect(FileManager.default.isExecutableFile(atPath: herald.path))
    }
}
