import Foundation
import HeraldCrypto
@testable import HeraldAgent
import Membership
import Testing

/// Anti-entropy entries that had expired before they reached the agent
/// (``LateEntry``): a peer's claim that one was received in time is taken
/// from its announcer, or with enough members' signed acks; from anyone
/// else it is held, neither logged nor applied. One real agent (node 1 of
/// three genesis validators) on 127.0.0.1, hand-made peers. Each "not
/// logged" check first waits for the agent's ack of a later message on the
/// same connection, which the agent handles in order.
@Suite("late anti-entropy entries", .serialized)
struct LateEntryTests {
    typealias F = AgentFixtures
    typealias Setup = HostileAnnouncementTests.Setup

    /// An ack of `id` signed by node `n`.
    static func ack(_ id: AnnouncementID, by n: Int, decision: AckDecision = .accepted) throws -> [UInt8] {
        let head = try #require(LogHash(rawRepresentation: [UInt8](repeating: 0x11, count: 32)))
        let ack = Ack(announcementID: id, receiver: F.key(n).publicKey.nodeID, decision: decision, logIndex: 3, logHead: head)
        return try SignedAck.sign(ack, with: F.key(n)).encoded
    }

    /// Node `subject`'s own leave, issued two hours ago and expired an hour ago.
    static func expiredLeave(of subject: Int, lamport: UInt64, by peer: F.HandPeer) throws -> SignedAnnouncement {
        try peer.signed(peer.announcement(.leave, subject: subject, by: subject, lamport: lamport,
                                          issuedAt: F.HandPeer.now - 7200, lifetime: 3600))
    }

    /// Sends an expired announcement directly and waits for its ack: a
    /// barrier that changes nothing but adds one rejected log entry.
    static func barrier(_ session: F.Session, lamport: UInt64) async throws {
        let peer = session.peer
        let stale = try peer.signed(peer.announcement(.leave, subject: 3, by: 3, lamport: lamport,
                                                      issuedAt: F.HandPeer.now - 7200, lifetime: 60))
        try await session.send(.announcement(stale.encoded))
        #expect(try await session.acks(of: stale.id).first?.decision == .rejected(.expired))
    }

    @Test("an expired entry sent by another than its announcer is held until two members' acks back it",
          .timeLimit(.minutes(1)))
    func heldUntilWitnessed() async throws {
        try await HostileAnnouncementTests.withAgent { setup in
            let agent = setup.agent
            let peer = try setup.peer(2)
            let now = F.HandPeer.now
            // Node 3's own leave, expired an hour ago; node 2 claims it was received in time.
            let leave = try Self.expiredLeave(of: 3, lamport: 1, by: peer)
            let claimed = now - 7000
            let runs = F.runs(setup.runs)
            try await peer.session(with: setup.running) { session in
                // The sender's word alone: held.
                try await session.send(.entries([WireMessage.Entry(encoded: leave.encoded, receivedAt: claimed)]))
                try await Self.barrier(session, lamport: 2)
                #expect(try await agent.log.entry(for: leave.id) == nil)
                #expect(await agent.summary().heldLateEntries == 1)

                // The sender's own ack, and acks that witness nothing: one from outside the
                // consortium, a rejection, and an ack of another announcement.
                let other = AnnouncementID(of: [1, 2, 3])
                let noWitnesses = [try Self.ack(leave.id, by: 2), try Self.ack(leave.id, by: 9),
                                   try Self.ack(leave.id, by: 3, decision: .rejected(.expired)), try Self.ack(other, by: 3)]
                try await session.send(.entries([WireMessage.Entry(encoded: leave.encoded, receivedAt: claimed, witnesses: noWitnesses)]))
                try await Self.barrier(session, lamport: 3)
                #expect(try await agent.log.entry(for: leave.id) == nil)
                #expect(await agent.summary().heldLateEntries == 1)
                #expect(await setup.memberNodes().contains(setup.node(3)))
                #expect(F.runs(setup.runs) == runs)
                let held = MetricsFixtures.Samples(String(decoding: await agent.metricsExposition(), as: UTF8.self))
                #expect(held["herald_held_late_entries"] == 1)

                // A second member's ack, in a later message: two witnesses, taken in as received when claimed.
                try await session.send(.entries([WireMessage.Entry(encoded: leave.encoded, receivedAt: claimed,
                                                                   witnesses: [try Self.ack(leave.id, by: 3)])]))
                #expect(try await session.acks(of: leave.id).first?.decision == .accepted)
                let entry = try #require(try await agent.log.entry(for: leave.id))
                #expect(entry.receivedAt == claimed)
                #expect(await agent.summary().heldLateEntries == 0)
                let none = MetricsFixtures.Samples(String(decoding: await agent.metricsExposition(), as: UTF8.self))
                #expect(none["herald_held_late_entries"] == 0)
                try await F.settled(agent)
                #expect(await !setup.memberNodes().contains(setup.node(3)))
                #expect(F.runs(setup.runs) == runs + 1)
            }
        }
    }

    @Test("an expired entry sent by its own announcer is decided as received when it says",
          .timeLimit(.minutes(1)))
    func announcersWord() async throws {
        try await HostileAnnouncementTests.withAgent { setup in
            let agent = setup.agent
            let now = F.HandPeer.now
            let announcer = try setup.peer(2)
            let leave = try Self.expiredLeave(of: 2, lamport: 1, by: announcer)
            try await announcer.session(with: setup.running) { session in
                try await session.send(.entries([WireMessage.Entry(encoded: leave.encoded, receivedAt: now - 7100)]))
                #expect(try await session.acks(of: leave.id).first?.decision == .accepted)
                #expect(try await agent.log.entry(for: leave.id)?.receivedAt == now - 7100)
                // A claim after its expiry is no claim of receipt in time: clamped, it is rejected (expired).
                let late = try Self.expiredLeave(of: 2, lamport: 2, by: announcer)
                try await session.send(.entries([WireMessage.Entry(encoded: late.encoded, receivedAt: now - 60)]))
                #expect(try await session.acks(of: late.id).first?.decision == .rejected(.expired))
                try await F.settled(agent)
                #expect(await !setup.memberNodes().contains(setup.node(2)))
            }
        }
    }

    @Test("a held entry that arrives directly is logged as decided then, and no longer held", .timeLimit(.minutes(1)))
    func heldThenDirect() async throws {
        try await HostileAnnouncementTests.withAgent { setup in
            let agent = setup.agent
            let now = F.HandPeer.now
            let peer = try setup.peer(3)
            let leave = try Self.expiredLeave(of: 2, lamport: 1, by: peer)
            try await peer.session(with: setup.running) { session in
                try await session.send(.entries([WireMessage.Entry(encoded: leave.encoded, receivedAt: now - 7100)]))
                try await Self.barrier(session, lamport: 1)
                #expect(await agent.summary().heldLateEntries == 1)
                // The announcer's resend, say: received now, after its expiry.
                try await session.send(.announcement(leave.encoded))
                #expect(try await session.acks(of: leave.id).first?.decision == .rejected(.expired))
                #expect(await agent.summary().heldLateEntries == 0)
                #expect(await setup.memberNodes().contains(setup.node(2)))
            }
        }
    }

    /// Node 4's own leave, expired an hour ago, and a pending join of node 5 that has not expired.
    static func entries(policy path: String) throws -> (expired: SignedAnnouncement, fresh: SignedAnnouncement) {
        let policy = try PolicyLoader.load(contentsOf: path)
        let now = F.HandPeer.now
        let expired = try SignedAnnouncement.sign(
            Announcement(consortium: policy.consortium.name, kind: .leave, subject: F.key(4).publicKey.nodeID, subjectEnode: "",
                         lamportTime: 1, issuedAt: now - 7200, expiresAt: now - 3600, policyHash: policy.hash,
                         announcer: F.key(4).publicKey.nodeID),
            with: F.key(4))
        let fresh = try AntiEntropyTests.announcements(1, policy: path)[0]
        return (expired, fresh)
    }

    @Test("an agent catching up after an announcement expired takes it in on two peers' acks, and converges",
          .timeLimit(.minutes(2)))
    func twoPeersWitness() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 4)
        let (expired, fresh) = try Self.entries(policy: shared.policy)
        // Agents 1 and 2 took node 4's leave in time; agent 3 starts with an empty log. Agent 4 never runs.
        try await F.withAgents(3, in: sandbox, shared: shared, configure: { n, configuration in
            if n < 3 { try AntiEntropyTests.writeLog([expired, fresh], receivedAt: F.HandPeer.now - 7000, for: configuration) }
        }) { agents in
            let late = agents[2].agent
            try await F.until("agent 3 logs both entries") { await late.members().logEntries == 2 }
            #expect(try await late.log.entry(for: expired.id)?.decision == .accepted)
            #expect(await late.summary().heldLateEntries == 0)
            for running in agents.prefix(2) { try await F.untilConverged(running.agent, late) }
            #expect(await !late.members().members.map(\.node).contains(F.key(4).publicKey.nodeID.hex))
        }
    }

    @Test("one agent's word that an expired announcement came in time is not enough: the others hold it",
          .timeLimit(.minutes(2)))
    func onePeersWord() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 4)
        let (expired, fresh) = try Self.entries(policy: shared.policy)
        try await F.withAgents(3, in: sandbox, shared: shared, configure: { n, configuration in
            if n == 1 { try AntiEntropyTests.writeLog([expired, fresh], receivedAt: F.HandPeer.now - 7000, for: configuration) }
        }) { agents in
            for running in agents.dropFirst() {
                let agent = running.agent
                // The unexpired entry travels in the same batch as the expired one: once it is logged, both were handled.
                try await F.until("the unexpired entry is logged") { try await agent.log.entry(for: fresh.id) != nil }
                #expect(try await agent.log.entry(for: expired.id) == nil)
                // The unexpired entry may first have come alone, from the other agent: the expired one then
                // follows with agent 1's next summary.
                try await F.until("the expired entry is held") { await agent.summary().heldLateEntries == 1 }
                #expect(try await agent.log.entry(for: expired.id) == nil)
                #expect(await agent.members().members.map(\.node).contains(F.key(4).publicKey.nodeID.hex))
            }
        }
    }
}
