import Foundation
import GRDB
import HeraldCrypto
import RLP
import TestSupport
import Testing
@testable import Membership

/// Consortium policy changes: announced, approved as the policy says, in force
/// from the same place in the order on every agent.
@Suite("Consortium policy changes")
struct PolicyChangeTests {
    typealias F = StateFixtures
    let files = LogFiles()

    /// The fixture policy with admissions needing three approvals instead of two.
    static let stricterYAML = F.yaml.replacingOccurrences(
        of: "admission: {announcers: [org-admin], approvals: 2, approver-roles: [org-admin]}",
        with: "admission: {announcers: [org-admin], approvals: 3, approver-roles: [org-admin]}")
    static let stricter = try! PolicyLoader.load(yaml: stricterYAML)
    /// `stricter` with a bound of nine members.
    static let thirdYAML = stricterYAML.replacingOccurrences(of: "max-members: 8", with: "max-members: 9")
    static let third = try! PolicyLoader.load(yaml: thirdYAML)

    static func proposal(_ text: String, by n: Int, lamport: UInt64, replacing: PolicyHash = F.policy.hash,
                         consortium: String = Fixtures.consortium) -> SignedAnnouncement {
        Fixtures.signed(Announcement(
            consortium: consortium, kind: .policyChange, subject: Fixtures.node(n), lamportTime: lamport,
            issuedAt: Fixtures.now, expiresAt: Fixtures.now + 3600, policyHash: replacing,
            announcer: Fixtures.node(n), policyText: text), by: n)
    }

    static func approval(of target: SignedAnnouncement, by n: Int, lamport: UInt64, policy: PolicyHash = F.policy.hash) -> SignedAnnouncement {
        Fixtures.signed(Fixtures.announcement(.approve, subject: (1...12).first { Fixtures.node($0) == target.announcement.subject }!, by: n, lamport: lamport,
                                              approving: target.id, policy: policy), by: n)
    }

    @Test("a policy change encodes its text, round-trips, and is bounded by its own limit")
    func encoding() throws {
        let change = Self.proposal(Self.stricterYAML, by: 1, lamport: 1)
        let decoded = try SignedAnnouncement(decoding: change.encoded)
        #expect(decoded == change)
        #expect(decoded.announcement.policyText == Self.stricterYAML)
        #expect(decoded.announcement.kind.description == "policy-change")

        let long = Self.proposal(Self.stricterYAML + "\n#" + String(repeating: "x", count: 8000), by: 1, lamport: 1)
        #expect(long.encoded.count > AnnouncementLimits.default.maxMembershipChangeSize)
        #expect(try SignedAnnouncement(decoding: long.encoded).announcement.kind == .policyChange)

        var join = Fixtures.announcement(.join, subject: 2, by: 1)
        join.subjectEnode += "?discport=" + String(repeating: "1", count: 10)
        join.consortium = String(repeating: "c", count: 60)
        let tooBig = AnnouncementLimits(maxEncodedSize: 64 << 10, maxMembershipChangeSize: 300)
        #expect(throws: AnnouncementError.oversized(field: "join announcement", size: Fixtures.signed(join, by: 1).encoded.count, limit: 300)) {
            try SignedAnnouncement(decoding: Fixtures.signed(join, by: 1).encoded, limits: tooBig)
        }
        let text = AnnouncementLimits(maxPolicyTextLength: 100)
        #expect(throws: AnnouncementError.oversized(field: "policy text", size: Self.stricterYAML.utf8.count, limit: 100)) {
            try SignedAnnouncement(decoding: change.encoded, limits: text)
        }
    }

    @Test("only a policy change carries a text, and it names its announcer as subject")
    func shapes() throws {
        // A join with a trailing text item: re-encode its body by hand.
        let join = Fixtures.announcement(.join, subject: 2, by: 1)
        var reader = RLPReader(join.encodedBody)
        let items = try reader.readList { list throws(RLPError) in
            var items: [ArraySlice<UInt8>] = []
            while !list.isAtEnd { items.append(try list.readRawItem()) }
            return items
        }
        var writer = RLPWriter()
        writer.writeList { list in
            for item in items { list.write(rawEncoded: item) }
            list.write(bytes: Array("version: 1".utf8))
        }
        let body = writer.bytes
        let signature = try Fixtures.key(1).signature(forDigest: Announcement.signingDigest(encodedBody: body))
        let forged = SignedAnnouncement.encode(body: body, signature: signature)
        #expect(throws: AnnouncementError.invalidField(field: "policy text", reason: "only a policy change carries a policy text")) {
            try SignedAnnouncement(decoding: forged)
        }
        var other = Self.proposal(Self.stricterYAML, by: 1, lamport: 1).announcement
        other.subject = Fixtures.node(2)
        #expect(throws: AnnouncementError.self) { try SignedAnnouncement(decoding: Fixtures.signed(other, by: 1).encoded) }
        var empty = Self.proposal(Self.stricterYAML, by: 1, lamport: 1).announcement
        empty.policyText = ""
        #expect(throws: AnnouncementError.invalidField(field: "policy text", reason: "a policy change must carry the proposed policy")) {
            try SignedAnnouncement(decoding: Fixtures.signed(empty, by: 1).encoded)
        }
    }

    @Test("without a policy-change section a majority of validators approves; then the new policy decides")
    func majorityDefault() {
        var state = MembershipState(policy: F.policy)
        let change = Self.proposal(Self.stricterYAML, by: 1, lamport: 1)
        // Three genesis validators: two approvals, the proposer's own counts.
        #expect(state.insert(change) == .pending(reason: "needs 2 approvals from role validator, has 1 (\(F.short(1)))"))
        #expect(state.policyHashInForce == F.policy.hash)
        #expect(state.insert(Self.approval(of: change, by: 2, lamport: 2)) == .accepted)
        #expect(state.decision(for: change.id) == .accepted)
        #expect(state.policyInForce == Self.stricter)
        #expect(state.policyHashInForce == Self.stricter.hash)
        #expect(state.policyChanges.map(\.id) == [change.id])
        #expect(state.policyChanges.first?.approvers == [Fixtures.node(1), Fixtures.node(2)])
        #expect(state.policyChanges.first?.replaced == F.policy.hash)
    }

    @Test("an admission approved before the change needs two approvals, one after it needs three")
    func admissionAcrossChange() {
        var state = MembershipState(policy: F.policy)
        let before = F.make(.join, subject: 7, by: 1, lamport: 1)
        state.insert(before)
        state.insert(Self.approval(of: before, by: 2, lamport: 2))
        #expect(state.decision(for: before.id) == .accepted)

        let change = Self.proposal(Self.stricterYAML, by: 1, lamport: 3)
        state.insert(change)
        state.insert(Self.approval(of: change, by: 2, lamport: 4))
        #expect(state.policyHashInForce == Self.stricter.hash)

        // Made under the old policy, but placed after the change: decided under the new one.
        let after = F.make(.join, subject: 8, by: 1, lamport: 5)
        #expect(state.insert(after) == .pending(reason: "needs 3 approvals from role org-admin, has 1 (\(F.short(1)))"))
        state.insert(Self.approval(of: after, by: 2, lamport: 6))
        #expect(state.decision(for: after.id) == .pending(reason: "needs 3 approvals from role org-admin, has 2 (\(F.short(1)), \(F.short(2)))"))
        state.insert(Self.approval(of: after, by: 3, lamport: 7, policy: Self.stricter.hash))
        #expect(state.decision(for: after.id) == .accepted)
        #expect(state.member(Fixtures.node(7)) != nil && state.member(Fixtures.node(8)) != nil)
        // An announcement naming a policy outside the chain is still refused.
        let stranger = Fixtures.signed(Fixtures.announcement(.leave, subject: 7, by: 7, lamport: 8, policy: Self.third.hash), by: 7)
        guard case .rejected(code: .policyMismatch, _)? = Optional(state.insert(stranger)) else {
            Issue.record("a policy outside the chain was accepted: \(String(describing: state.decision(for: stranger.id)))")
            return
        }
    }

    @Test("a proposal without enough approvals never takes effect")
    func notEnoughApprovals() {
        var state = MembershipState(policy: F.policy)
        let change = Self.proposal(Self.stricterYAML, by: 1, lamport: 1)
        state.insert(change)
        state.insert(Self.approval(of: change, by: 1, lamport: 2))   // the proposer again: a duplicate
        state.insert(Self.approval(of: change, by: 9, lamport: 3))   // not a member
        #expect(state.policyHashInForce == F.policy.hash)
        #expect(state.policyChanges.isEmpty)
        guard case .pending? = state.decision(for: change.id) else {
            Issue.record("\(String(describing: state.decision(for: change.id)))")
            return
        }
        #expect(state.pendingApprovals.map(\.announcement.id) == [change.id])
    }

    @Test("non-member, stale, unloadable and renaming proposals are rejected and change nothing")
    func refused() {
        var state = MembershipState(policy: F.policy)
        func expectRejected(_ signed: SignedAnnouncement, _ code: RejectionCode, containing text: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
            let decision = state.insert(signed)
            guard case .rejected(let got, let reason) = decision, got == code, reason.contains(text) else {
                Issue.record("got \(decision)", sourceLocation: sourceLocation)
                return
            }
        }
        expectRejected(Self.proposal(Self.stricterYAML, by: 9, lamport: 1), .unauthorisedAnnouncer, containing: "is not a member")
        expectRejected(Self.proposal(Self.thirdYAML, by: 1, lamport: 2, replacing: Self.stricter.hash), .policyMismatch, containing: "made under policy")
        expectRejected(Self.proposal("version: 1\nconsortium: [", by: 1, lamport: 3), .invalidPolicy, containing: "does not load")
        let renamed = F.yaml.replacingOccurrences(of: "name: \(Fixtures.consortium)", with: "name: other-net")
        expectRejected(Self.proposal(renamed, by: 1, lamport: 4), .policyChangeRefused, containing: "changes the consortium name")
        let rekeyed = F.yaml.replacingOccurrences(of: "key: \"file:k\"", with: "key: \"file:other\"")
        expectRejected(Self.proposal(rekeyed, by: 1, lamport: 5), .policyChangeRefused, containing: "changes the consortium key")
        expectRejected(Self.proposal(F.yaml, by: 1, lamport: 6), .policyChangeRefused, containing: "already in force")
        #expect(state.policyChanges.isEmpty)
        #expect(state.policyHashInForce == F.policy.hash)
    }

    @Test("of two proposals replacing the same policy, the second to be approved is stale")
    func competingProposals() {
        var state = MembershipState(policy: F.policy)
        let first = Self.proposal(Self.stricterYAML, by: 1, lamport: 1)
        let second = Self.proposal(Self.thirdYAML, by: 2, lamport: 2)
        state.insert(first)
        state.insert(second)
        state.insert(Self.approval(of: first, by: 3, lamport: 3))
        state.insert(Self.approval(of: second, by: 3, lamport: 4))
        #expect(state.decision(for: first.id) == .accepted)
        guard case .rejected(code: .stalePolicyChange, _)? = state.decision(for: second.id) else {
            Issue.record("\(String(describing: state.decision(for: second.id)))")
            return
        }
        #expect(state.policyHashInForce == Self.stricter.hash)
    }

    /// Joins, leaves and approvals around two chained policy changes, with conflicting Lamport times.
    static func setWithTwoChanges(seed: UInt64) -> [SignedAnnouncement] {
        var rng = SeededGenerator(seed: seed)
        let first = proposal(stricterYAML, by: 1, lamport: UInt64.random(in: 2...5, using: &rng))
        let second = proposal(thirdYAML, by: 2, lamport: first.announcement.lamportTime + UInt64.random(in: 2...4, using: &rng),
                              replacing: stricter.hash)
        var made = [first, second,
                    approval(of: first, by: [2, 3].randomElement(using: &rng)!, lamport: first.announcement.lamportTime + 1),
                    approval(of: second, by: [1, 3].randomElement(using: &rng)!, lamport: second.announcement.lamportTime + 1,
                             policy: stricter.hash)]
        for _ in 0..<12 {
            let lamport = UInt64.random(in: 1...14, using: &rng)
            let hash = [F.policy.hash, stricter.hash].randomElement(using: &rng)!
            if Bool.random(using: &rng), let target = made.filter({ $0.announcement.kind == .join }).randomElement(using: &rng) {
                made.append(approval(of: target, by: Int.random(in: 1...3, using: &rng), lamport: lamport, policy: hash))
            } else {
                let subject = [7, 8, 9].randomElement(using: &rng)!
                let announcer = Int.random(in: 1...3, using: &rng)
                made.append(Fixtures.signed(Fixtures.announcement(Bool.random(using: &rng) ? .join : .leave, subject: subject,
                                                                  by: announcer, lamport: lamport,
                                                                  policy: hash, host: "10.0.0.\(subject)"),
                                            by: announcer))
            }
        }
        return made
    }

    @Test("any arrival order gives the same decisions, members and policy in force", arguments: 0..<16)
    func convergence(seed: Int) {
        let set = Self.setWithTwoChanges(seed: UInt64(seed) &* 104_729 &+ 3)
        let reference = MembershipState(policy: F.policy, announcements: set)
        #expect(reference.policyChanges.count == 2, "both changes take effect in set \(seed)")
        #expect(reference.policyHashInForce == Self.third.hash)
        var rng = SeededGenerator(seed: UInt64(seed) &+ 17)
        for _ in 0..<10 {
            var state = MembershipState(policy: F.policy)
            for announcement in set.shuffled(using: &rng) { state.insert(announcement) }
            #expect(state.policyHashInForce == reference.policyHashInForce)
            #expect(state.policyChanges == reference.policyChanges)
            #expect(state.digest == reference.digest)
            for announcement in set {
                #expect(state.decision(for: announcement.id) == reference.decision(for: announcement.id))
            }
        }
    }

    // MARK: - The log

    func changedLog() throws -> (path: String, change: SignedAnnouncement) {
        let path = files.path()
        let log = try MembershipLog(path: path, policy: F.policy, source: F.yaml)
        let change = Self.proposal(Self.stricterYAML, by: 1, lamport: 1)
        _ = try log.append(change.encoded, receivedAt: Fixtures.now + 1)
        _ = try log.append(Self.approval(of: change, by: 2, lamport: 2).encoded, receivedAt: Fixtures.now + 2)
        let join = F.make(.join, subject: 7, by: 1, lamport: 3)
        let entry = try log.append(join.encoded, receivedAt: Fixtures.now + 3).entry
        #expect(entry.policyHash == Self.stricter.hash)
        #expect(entry.decision == .pending(reason: "needs 3 approvals from role org-admin, has 1 (\(F.short(1)))"))
        #expect(log.policyInForce == Self.stricter)
        #expect(log.policyChanges.map(\.text) == [Self.stricterYAML])
        try log.close()
        return (path, change)
    }

    @Test("a log keeps the consortium's policy across a reopen, whatever file it is opened with, and refuses a local reload")
    func logReopen() throws {
        let (path, _) = try changedLog()
        for (policy, source) in [(F.policy, F.yaml), (Self.stricter, Self.stricterYAML), (Self.third, Self.thirdYAML)] {
            let log = try MembershipLog(path: path, policy: policy, source: source)
            #expect(log.policyInForce == Self.stricter)
            #expect(log.count == 3)
            #expect(throws: MembershipLogError.self) { try log.replacePolicy(Self.third, source: Self.thirdYAML) }
            try log.close()
        }
        let report = try MembershipLog.audit(path: path, policy: F.policy)
        #expect(report.passed, "\(String(describing: report.failure))")
        #expect(report.verifiedEntries == 3)
    }

    @Test("the audit names the entry decided under a policy change that lacks its approval")
    func auditMissingApproval() throws {
        let (path, _) = try changedLog()
        try LogFixtures.tamper(path) { db in
            try db.execute(sql: "DELETE FROM log_entry WHERE idx = 1")
            try db.execute(sql: "UPDATE log_entry SET idx = 1 WHERE idx = 2")
        }
        try LogFixtures.rechain(path)
        let report = try MembershipLog.audit(path: path, policy: F.policy)
        #expect(report.failure?.index == 1)
        #expect(report.failure?.reason.contains("decided under policy \(Self.stricter.hash.hex.prefix(12))…, but the policy in force here is \(F.policy.hash.hex.prefix(12))…") == true,
                "\(String(describing: report.failure))")
    }

    @Test("the audit names a policy change logged as accepted without its approvals")
    func auditForgedAcceptance() throws {
        let (path, _) = try changedLog()
        try LogFixtures.tamper(path) { db in
            try db.execute(sql: "DELETE FROM log_entry WHERE idx = 1")
            try db.execute(sql: "UPDATE log_entry SET idx = 1 WHERE idx = 2")
            try db.execute(sql: "UPDATE log_entry SET decision = ? WHERE idx = 0", arguments: [Data(RLP.encode(PolicyDecision.accepted))])
        }
        try LogFixtures.rechain(path)
        let report = try MembershipLog.audit(path: path, policy: F.policy)
        #expect(report.failure?.index == 0)
        #expect(report.failure?.reason.contains("decision differs: the log says \"accepted\", re-derived \"pending: needs 2 approvals") == true,
                "\(String(describing: report.failure))")
    }
}
