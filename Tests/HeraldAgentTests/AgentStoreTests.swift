import Foundation
import HeraldCrypto
@testable import HeraldAgent
import Membership
import Testing

@Suite("agent store")
struct AgentStoreTests {
    static func announcement(lamport: UInt64) throws -> SignedAnnouncement {
        let key = AgentFixtures.key(1)
        let announcement = Announcement(
            consortium: "herald-test", kind: .leave, subject: key.publicKey.nodeID, subjectEnode: "", lamportTime: lamport,
            issuedAt: 1_700_000_000, expiresAt: 1_700_003_600,
            policyHash: PolicyHash(rawRepresentation: [UInt8](repeating: 0, count: 32))!, approvedID: nil,
            announcer: key.publicKey.nodeID)
        return try SignedAnnouncement.sign(announcement, with: key)
    }

    @Test("enqueue moves the clock forward only; attempts and acks are recorded in batches, each ack once")
    func batches() throws {
        try Self.withStore { store in
            let recipients = [2, 3].map { AgentFixtures.key($0).publicKey.nodeID }
            let later = try Self.announcement(lamport: 7)
            try store.enqueue(later, recipients: recipients, createdAt: 10, giveUpAt: 20)
            #expect(try store.lamportTime() == 7)
            let earlier = try Self.announcement(lamport: 5)
            try store.enqueue(earlier, recipients: recipients, createdAt: 11, giveUpAt: 20)
            #expect(try store.lamportTime() == 7)

            try store.recordAttempts(recipients.map {
                AgentStore.Attempt(announcementID: later.id, recipient: $0, nextAttempt: 15, error: $0 == recipients[1] ? "not connected" : nil)
            })
            let acks = [AgentStore.ReceivedAck(announcementID: later.id, recipient: recipients[0], decision: "accepted"),
                        AgentStore.ReceivedAck(announcementID: later.id, recipient: AgentFixtures.key(9).publicKey.nodeID, decision: "accepted")]
            #expect(try store.recordAcks(acks).map(\.recipient) == [recipients[0]])   // the unexpected recipient is not recorded
            #expect(try store.recordAcks(acks).isEmpty)                               // nor is an ack a second time

            let deliveries = try store.deliveries(for: later.id)
            #expect(deliveries.map(\.attempts) == [1, 1])
            #expect(deliveries.filter(\.acked).map(\.recipient) == [recipients[0]])
            #expect(deliveries.first { $0.recipient == recipients[1] }?.lastError == "not connected")
            #expect(try store.unfinished(now: 12).map(\.id) == [later.id, earlier.id])
            #expect(try store.unfinished(now: 20).isEmpty)   // past the give-up time
        }
    }

    @Test("an announcement stops being unfinished once every recipient acked; enqueue returns what it stored")
    func unfinishedUntilAllAcked() throws {
        try Self.withStore { store in
            let recipients = [2, 3].map { AgentFixtures.key($0).publicKey.nodeID }
            let first = try Self.announcement(lamport: 1)
            let second = try Self.announcement(lamport: 2)
            let (outgoing, fresh) = try store.enqueue(first, recipients: recipients, createdAt: 10, giveUpAt: 99)
            try store.enqueue(second, recipients: recipients, createdAt: 11, giveUpAt: 99)
            #expect(outgoing.id == first.id && outgoing.encoded == first.encoded && outgoing.giveUpAt == 99)
            #expect(Set(fresh) == Set(try store.deliveries(for: first.id)))

            _ = try store.recordAcks([AgentStore.ReceivedAck(announcementID: first.id, recipient: recipients[0], decision: "accepted")])
            #expect(try store.unfinished(now: 12).map(\.id) == [first.id, second.id])   // one recipient still to ack
            _ = try store.recordAcks([AgentStore.ReceivedAck(announcementID: first.id, recipient: recipients[1], decision: "pending")])
            #expect(try store.unfinished(now: 12).map(\.id) == [second.id])
        }
    }

    /// Runs `body` with a fresh store in a sandbox, closed and removed afterwards.
    static func withStore(_ body: (AgentStore) throws -> Void) throws {
        let sandbox = try AgentFixtures.Sandbox()
        defer { sandbox.cleanUp() }
        let store = try AgentStore(path: sandbox.root.appendingPathComponent(AgentStore.fileName).path)
        defer { store.close() }
        try body(store)
    }
}
