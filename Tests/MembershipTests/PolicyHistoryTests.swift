import Foundation
import GRDB
import HeraldCrypto
import Testing
@testable import Membership

@Suite("Membership log policy history")
struct PolicyHistoryTests {
    /// This test\'s log files, removed after it.
    let files = LogFiles()

    typealias F = StateFixtures

    /// The fixture policy with another member bound: a different policy, same genesis and consortium.
    static let changedYAML = F.yaml.replacingOccurrences(of: "max-members: 8", with: "max-members: 9")
    static let changed = try! PolicyLoader.load(yaml: changedYAML)

    @Test("a replaced policy decides new entries, earlier ones keep theirs, and a reopened log replays both")
    func replaceAndReopen() throws {
        let path = files.path()
        let log = try MembershipLog(path: path, policy: F.policy, source: F.yaml)
        for item in LogFixtures.sampleAnnouncements() { _ = try log.append(item.encoded, receivedAt: Fixtures.now + 10) }
        let members = log.members
        let decisions = try log.entries(from: 0, limit: 100).map { log.state.decision(for: $0.announcementID) }
        #expect(members.contains { $0.node == Fixtures.node(4) })

        #expect(Self.changed.hash != F.policy.hash)
        #expect(try log.replacePolicy(Self.changed, source: Self.changedYAML))
        #expect(try !log.replacePolicy(Self.changed, source: Self.changedYAML))
        #expect(log.policy == Self.changed)
        #expect(log.members == members)
        #expect(try log.entries(from: 0, limit: 100).map { log.state.decision(for: $0.announcementID) } == decisions)

        // Made under the new policy: judged under it. Made under the old one: still judged under the old one.
        let leave = Fixtures.signed(Fixtures.announcement(.leave, subject: 4, by: 4, lamport: 40, policy: Self.changed.hash), by: 4)
        #expect(try log.append(leave.encoded, receivedAt: Fixtures.now + 20).entry.decision == .accepted)
        let rejoin = F.make(.join, subject: 4, by: 4, lamport: 41, roles: ["validator"], host: "10.0.0.4")
        let rejoined = try log.append(rejoin.encoded, receivedAt: Fixtures.now + 21).entry
        #expect(rejoined.decision == .accepted)
        #expect(rejoined.policyHash == Self.changed.hash)
        let (count, head, digest) = (log.count, log.head, log.digest)
        try log.close()

        let reopened = try MembershipLog(path: path, policy: Self.changed, source: Self.changedYAML)
        #expect(reopened.count == count)
        #expect(reopened.head == head)
        #expect(reopened.digest == digest)
        #expect(reopened.policy == Self.changed)
        try reopened.close()
        // The audit replays the recorded policies too.
        let report = try MembershipLog.audit(path: path, policy: F.policy)
        #expect(report.passed)
        #expect(report.verifiedEntries == count)
        #expect(report.digest == digest)

        // A policy file changed while stopped, with no text to record, is refused.
        #expect(throws: MembershipLogError.self) { try MembershipLog(path: path, policy: F.policy) }
        // With its text, it is put in force from the next entry on, as a reload would.
        let back = try MembershipLog(path: path, policy: F.policy, source: F.yaml)
        #expect(back.policy == F.policy)
        #expect(back.digest == digest)
        try back.close()
        #expect(try MembershipLog.audit(path: path, policy: F.policy).passed)
    }

    @Test("a replacement naming another consortium, or on a log without its policy text, is refused")
    func refusals() throws {
        let log = try MembershipLog(path: files.path(), policy: F.policy, source: F.yaml)
        let otherYAML = F.yaml.replacingOccurrences(of: "name: \(Fixtures.consortium)", with: "name: someone-else")
        let other = try PolicyLoader.load(yaml: otherYAML)
        let error = #expect(throws: MembershipLogError.self) { try log.replacePolicy(other, source: otherYAML) }
        guard case .policyRefused(_, let reason) = error else {
            Issue.record("expected a refusal, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("consortium name"))
        #expect(log.policy == F.policy)
        try log.close()

        let unrecorded = try MembershipLog(path: files.path(), policy: F.policy)
        #expect(throws: MembershipLogError.self) { try unrecorded.replacePolicy(Self.changed, source: Self.changedYAML) }
        #expect(unrecorded.policy == F.policy)
        try unrecorded.close()
    }

    @Test("an altered recorded policy fails the integrity check")
    func tamperedHistory() throws {
        let path = files.path()
        let log = try MembershipLog(path: path, policy: F.policy, source: F.yaml)
        _ = try log.append(F.make(.join, subject: 4, by: 4, lamport: 1, roles: ["validator"], host: "10.0.0.4").encoded,
                           receivedAt: Fixtures.now)
        try log.replacePolicy(Self.changed, source: Self.changedYAML)
        try log.close()
        try LogFixtures.tamper(path) { db in
            try db.execute(sql: "UPDATE log_policy SET source = ? WHERE from_index = 1", arguments: [F.yaml])
        }
        let error = #expect(throws: MembershipLogError.self) {
            try MembershipLog(path: path, policy: Self.changed, source: Self.changedYAML)
        }
        guard case .integrity(_, let failure) = error else {
            Issue.record("expected an integrity failure, got \(String(describing: error))")
            return
        }
        #expect(failure.index == 1)
        #expect(failure.reason.contains("does not hash"))
    }
}
