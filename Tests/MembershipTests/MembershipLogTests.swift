import Foundation
import HeraldCrypto
import Testing
@testable import Membership

@Suite("Membership log")
struct MembershipLogTests {
    /// This test\'s log files, removed after it.
    let files = LogFiles()

    typealias F = StateFixtures

    @Test("append chains entries, survives reopening, and the audit passes")
    func appendReopenAudit() throws {
        let path = try LogFixtures.sample(in: files)
        let log = try MembershipLog(path: path, policy: F.policy)
        #expect(log.count == 12)
        let entries = try log.entries(from: 0, limit: 100)
        #expect(entries.count == 12)
        #expect(entries.first?.previousHash == .zero)
        for (previous, entry) in zip(entries, entries.dropFirst()) {
            #expect(entry.previousHash == previous.hash)
            #expect(entry.hash == entry.computeHash())
        }
        #expect(log.head == entries.last?.hash)
        #expect(try log.entry(at: 0)?.decision == .pending(reason: "needs 2 approvals from role org-admin, has 1 (\(F.short(1)))"))
        #expect(log.state.decision(for: entries[0].announcementID) == .accepted)
        #expect(try log.entry(at: 3)?.decision.ackDecision == .rejected(.unauthorisedAnnouncer))
        let members = log.members
        let digest = log.digest
        try log.close()

        let report = try MembershipLog.audit(path: path, policy: F.policy)
        #expect(report.passed)
        #expect(report.verifiedEntries == 12)
        #expect(report.members == members)
        #expect(report.digest == digest)
        #expect(report.head == entries.last?.hash)
    }

    @Test("the log runs in WAL mode with synchronous = FULL")
    func durabilitySettings() throws {
        let log = try MembershipLog(path: files.path(), policy: F.policy)
        #expect(try log.pragma("journal_mode") == "wal")
        #expect(try log.pragma("synchronous") == "2")
        try log.close()
    }

    @Test("appending an announcement already present is a no-op that says so")
    func idempotent() throws {
        let log = try MembershipLog(path: files.path(), policy: F.policy)
        let join = F.make(.join, subject: 4, by: 4, lamport: 1, host: "10.0.0.4")
        guard case .appended(let first) = try log.append(join.encoded, receivedAt: Fixtures.now) else {
            Issue.record("first append not appended"); return
        }
        let again = try log.append(join.encoded, receivedAt: Fixtures.now + 50)
        #expect(again == .duplicate(first))
        #expect(log.count == 1)
        try log.close()
    }

    @Test("a crash between append and commit leaves a valid log")
    func crashBeforeCommit() throws {
        struct Crash: Error {}
        let path = try LogFixtures.sample(in: files, count: 5)
        let log = try MembershipLog(path: path, policy: F.policy)
        let head = log.head
        let digest = log.digest
        log.beforeCommit = { throw Crash() }
        let extra = F.make(.leave, subject: 7, by: 7, lamport: 40)
        #expect(throws: MembershipLogError.self) { try log.append(extra.encoded, receivedAt: Fixtures.now) }
        #expect(log.count == 5)
        #expect(log.head == head)
        #expect(log.digest == digest)
        #expect(!log.state.contains(extra.id))
        log.beforeCommit = nil
        try log.close()

        let reopened = try MembershipLog(path: path, policy: F.policy)
        #expect(reopened.count == 5)
        #expect(reopened.head == head)
        guard case .appended(let entry) = try reopened.append(extra.encoded, receivedAt: Fixtures.now) else {
            Issue.record("append after the crash failed"); return
        }
        #expect(entry.index == 5)
        try reopened.close()
        #expect(try MembershipLog.audit(path: path, policy: F.policy).passed)
    }

    @Test("input larger than any announcement is refused and not logged")
    func oversized() throws {
        let log = try MembershipLog(path: files.path(), policy: F.policy)
        #expect(throws: MembershipLogError.oversized(size: 70_000, limit: 65_536)) {
            try log.append([UInt8](repeating: 0xc0, count: 70_000), receivedAt: Fixtures.now)
        }
        #expect(log.count == 0)
        try log.close()
    }

    @Test("auditing a missing file says so and creates nothing")
    func auditMissing() {
        let path = files.path()
        #expect(throws: MembershipLogError.notFound(path: path)) { try MembershipLog.audit(path: path, policy: F.policy) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}

@Suite("Membership log batches")
struct MembershipLogBatchTests {
    /// This test\'s log files, removed after it.
    let files = LogFiles()

    typealias F = StateFixtures

    @Test("a batch append equals one-by-one appends, and a failed batch writes nothing")
    func batch() throws {
        struct Crash: Error {}
        let items = LogFixtures.sampleAnnouncements().map { (bytes: $0.encoded, receivedAt: Fixtures.now + 10) }
        let one = try MembershipLog(path: files.path(), policy: F.policy)
        for item in items { _ = try one.append(item.bytes, receivedAt: item.receivedAt) }
        let batched = try MembershipLog(path: files.path(), policy: F.policy)
        batched.beforeCommit = { throw Crash() }
        #expect(throws: MembershipLogError.self) { try batched.append(contentsOf: items) }
        #expect(batched.count == 0)
        #expect(batched.state.count == 0)
        batched.beforeCommit = nil
        let outcomes = try batched.append(contentsOf: items + [items[0]])
        #expect(outcomes.last == .duplicate(outcomes[0].entry))
        #expect(batched.head == one.head)
        #expect(batched.digest == one.digest)
        try one.close()
        try batched.close()
    }

    @Test("appending decoded announcements gives the same entries as appending their bytes")
    func decodedEqualsBytes() throws {
        let items = LogFixtures.sampleAnnouncements()
        let fromBytes = try MembershipLog(path: files.path(), policy: F.policy)
        let fromDecoded = try MembershipLog(path: files.path(), policy: F.policy)
        for item in items {
            let expected = try fromBytes.append(item.encoded, receivedAt: Fixtures.now + 10)
            #expect(try fromDecoded.append(item, receivedAt: Fixtures.now + 10) == expected)
        }
        let first = try #require(try fromBytes.entry(at: 0))
        #expect(try fromDecoded.append(items[0], receivedAt: Fixtures.now + 20) == .duplicate(first))
        #expect(fromDecoded.head == fromBytes.head)
        try fromBytes.close()
        try fromDecoded.close()
    }
}
