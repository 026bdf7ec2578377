import Foundation
import HeraldCrypto
@testable import HeraldAgent
import Membership
import Testing
import TestSupport

/// Delivery when the network misbehaves: an agent away for longer than any
/// retry window, and links that keep dropping while announcements flow.
/// "Lost" means an announcement missing from some agent's log; "duplicate"
/// means a log holding more entries than there are distinct announcements.
@Suite("agents converge despite outages and flapping links", .serialized)
struct FaultyDeliveryTests {
    /// Genesis agents 1–3 in every test; subjects of joins and leaves are nodes 10 and up, which run no agent.
    static let genesis = 3

    @Test("an agent offline while 20 announcements are made, back after every announcer gave up, catches up through anti-entropy alone",
          .timeLimit(.minutes(1)))
    func offlinePastEveryRetryWindow() async throws {
        let sandbox = try AgentFixtures.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: Self.genesis, giveUpAfter: "2s")
        try await AgentFixtures.withAgents(Self.genesis, in: sandbox, shared: shared) { agents in
            try await Self.untilMeshed(agents)
            let (first, second) = (agents[0].agent, agents[1].agent)
            await agents[2].stop()
            for agent in [first, second] {
                try await AgentFixtures.until("agent 3 gone") { await agent.peers().count == 1 }
            }

            // 14 joins, alternately by agents 1 and 2, then 6 approvals of the first six by the other one.
            var made: [(announcer: HeraldAgent, id: String)] = []
            for n in 0..<14 {
                let announcer = n.isMultiple(of: 2) ? first : second
                let status = try await announcer.announce(AnnounceRequest(kind: "join", enode: AgentFixtures.nodeEnode(10 + n)))
                made.append((announcer, status.id))
            }
            for n in 0..<6 {
                let approver = n.isMultiple(of: 2) ? second : first
                let target = made[n].id
                try await AgentFixtures.until("approver holds \(target.prefix(8))") { (try? await approver.status(target)) != nil }
                made.append((approver, try await approver.approve(target).id))
            }
            let ids = made.map(\.id)
            #expect(Set(ids).count == 20)

            // Past the give-up time: every status says so, nothing is due for resending,
            // and agent 3 has acknowledged nothing.
            let third = AgentFixtures.key(3).publicKey.nodeID.hex
            for (announcer, id) in made {
                try await AgentFixtures.until("announcer of \(id.prefix(8)) gave up", within: .seconds(30)) {
                    (try? await announcer.status(id).gaveUp) == true
                }
                let recipient = try await announcer.status(id).recipients.first { $0.node == third }
                #expect(recipient?.acked == false)
            }
            for announcer in [first, second] { #expect(await announcer.unfinishedAnnouncements() == 0) }

            // Same data directory and key; only the log summary exchange can bring it the 20.
            agents[2] = try await AgentFixtures.start(agents[2].configuration)
            let restarted = agents[2].agent
            try await AgentFixtures.until("agent 3 holds every announcement", within: .seconds(30)) {
                await restarted.holds(ids) == ids.count
            }
            for running in agents.prefix(2) { try await AgentFixtures.untilConverged(running.agent, restarted) }
            let members = await restarted.members()
            #expect(members.logEntries == 20)
            #expect(members.members.count == Self.genesis + 6)
        }
    }

    @Test("links dropped at random during 50 announcements: nothing lost, nothing twice, the same digest, clean audits",
          .timeLimit(.minutes(1)))
    func flappingLinks() async throws {
        let sandbox = try AgentFixtures.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: Self.genesis)
        let (ids, directories) = try await AgentFixtures.withAgents(Self.genesis, in: sandbox, shared: shared) { agents in
            try await Self.untilMeshed(agents)
            let nodes = agents.map(\.agent.nodeID)
            let running = agents
            // Every 40–200 ms one agent drops one of its links, or all of them; the dialling side reconnects.
            let flapper = Task {
                var random = SeededGenerator(seed: 0x6_F1A9)
                var dropped = 0
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 40...200, using: &random)))
                    let index = Int.random(in: 0..<running.count, using: &random)
                    let peer: NodeID? = Bool.random(using: &random) ? nil : nodes.filter { $0 != nodes[index] }.randomElement(using: &random)
                    dropped += await running[index].agent.dropLinks(to: peer)
                }
                return dropped
            }
            defer { flapper.cancel() }

            var random = SeededGenerator(seed: 50)
            var made: [(announcer: Int, id: String)] = []
            func pause() async throws { try await Task.sleep(for: .milliseconds(Int.random(in: 0...60, using: &random))) }
            // 20 joins of nodes 10–29 (pending: admission needs two validators) and 10 leaves of nodes 10–19,
            // the announcer rotating over the genesis agents.
            for n in 0..<20 {
                let announcer = n % Self.genesis
                let status = try await agents[announcer].agent.announce(AnnounceRequest(kind: "join", enode: AgentFixtures.nodeEnode(10 + n)))
                made.append((announcer, status.id))
                try await pause()
            }
            for n in 0..<10 {
                let announcer = (n + 2) % Self.genesis
                let status = try await agents[announcer].agent.announce(AnnounceRequest(kind: "leave", enode: AgentFixtures.nodeEnode(10 + n)))
                made.append((announcer, status.id))
                try await pause()
            }
            // 20 approvals, each join approved by the next genesis agent once it holds the join.
            for n in 0..<20 {
                let approver = (made[n].announcer + 1) % Self.genesis
                let target = made[n].id
                let agent = agents[approver].agent
                try await AgentFixtures.until("agent \(approver + 1) holds \(target.prefix(8))", within: .seconds(30)) {
                    (try? await agent.status(target)) != nil
                }
                made.append((approver, try await agent.approve(target).id))
                try await pause()
            }
            flapper.cancel()
            #expect(await flapper.value > 0)

            let ids = made.map(\.id)
            #expect(Set(ids).count == 50)
            // None lost: every log ends up holding all 50; none twice: and not one entry more.
            for running in agents {
                let agent = running.agent
                try await AgentFixtures.until("agent \(agent.nodeID.hex.prefix(8)) holds all 50", within: .seconds(30)) {
                    await agent.holds(ids) == 50
                }
            }
            for running in agents.dropFirst() { try await AgentFixtures.untilConverged(agents[0].agent, running.agent) }
            for running in agents {
                #expect(await running.agent.members().logEntries == 50, "duplicate or foreign entries")
            }
            // Every genesis agent acknowledged every announcement it did not make.
            for (announcer, id) in made {
                let agent = agents[announcer].agent
                try await AgentFixtures.until("acks of \(id.prefix(8))", within: .seconds(30)) {
                    let acked = (try? await agent.status(id))?.recipients.filter { recipient in
                        recipient.acked && nodes.contains { $0.hex == recipient.node }
                    }
                    return acked?.count == Self.genesis - 1
                }
            }
            return (ids, agents.map(\.configuration.dataDirectory))
        }

        // Every log, stopped and reopened from disk, passes the full audit and holds the same members.
        let policy = try PolicyLoader.load(contentsOf: shared.policy)
        var digests: Set<String> = []
        for directory in directories {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(MembershipLog.fileName).path
            let report = try MembershipLog.audit(path: path, policy: policy)
            #expect(report.passed, "\(path): \(report.failure.map { "entry \($0.index): \($0.reason)" } ?? "")")
            #expect(report.verifiedEntries == UInt64(ids.count))
            digests.insert(report.digest.description)
        }
        #expect(digests.count == 1)
    }

    /// Waits until every agent in `agents` is linked to every other.
    static func untilMeshed(_ agents: [AgentFixtures.Running]) async throws {
        for running in agents {
            let agent = running.agent
            try await AgentFixtures.until("mesh of \(agents.count)") { await agent.peers().count == agents.count - 1 }
        }
    }
}

extension HeraldAgent {
    /// Outbox announcements still due for (re)sending: 0 once each is acknowledged or past its give-up time.
    func unfinishedAnnouncements() -> Int {
        (try? store.unfinished(now: Self.unixNow()).count) ?? -1
    }

    /// How many of `ids` this agent's log holds.
    func holds(_ ids: [String]) -> Int {
        ids.count { id in AnnouncementID(hex: id).map { (try? log.entry(for: $0)) != nil } ?? false }
    }
}
