import Foundation
import HeraldCrypto
import RLP
import Testing
@testable import Membership

/// Hostile announcements reach the log as rejection records only: each is
/// rejected with its reason, the member list does not change, and a replay
/// writes nothing.
@Suite("Hostile announcements")
struct HostileAnnouncementTests {
    /// This test\'s log files, removed after it.
    let files = LogFiles()

    typealias F = StateFixtures

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let code: RejectionCode
        let bytes: @Sendable (AnnouncementID) -> [UInt8]
        var testDescription: String { name }
    }

    /// Built against a log whose entry 0 is a pending join of node 7 by admin 1 (its ID is passed in).
    static let cases: [Case] = [
        Case(name: "forged signature", code: .signerMismatch) { _ in
            let body = Fixtures.announcement(.leave, subject: 2, by: 2, lamport: 5, policy: F.policy.hash)
            let signature = try! Fixtures.key(9).signature(forDigest: body.signingDigest)
            return SignedAnnouncement.encode(body: body.encodedBody, signature: signature)
        },
        Case(name: "high-s (malleated) signature", code: .badSignature) { _ in
            let body = Fixtures.announcement(.leave, subject: 2, by: 2, lamport: 5, policy: F.policy.hash)
            let raw = try! Fixtures.key(2).signature(forDigest: body.signingDigest).rawRepresentation
            // s' = n − s, v' = 1 − v: the same signature in its high-s form, which must be refused.
            let order = try! Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141") as [UInt8]
            var highS = [UInt8](repeating: 0, count: 32)
            var borrow = 0
            for index in stride(from: 31, through: 0, by: -1) {
                var digit = Int(order[index]) - Int(raw[32 + index]) - borrow
                borrow = digit < 0 ? 1 : 0
                if digit < 0 { digit += 256 }
                highS[index] = UInt8(digit)
            }
            let bytes = Array(raw[0..<32]) + highS + [raw[64] ^ 1]
            var writer = RLPWriter()
            writer.writeList { list in
                list.write(rawEncoded: body.encodedBody)
                list.write(bytes: bytes)
            }
            return writer.bytes
        },
        Case(name: "expired", code: .expired) { _ in
            F.make(.leave, subject: 2, by: 2, lamport: 5, issuedAt: Fixtures.now - 7200).encoded
        },
        Case(name: "future-dated", code: .futureDated) { _ in
            F.make(.leave, subject: 2, by: 2, lamport: 5, issuedAt: Fixtures.now + 3600).encoded
        },
        Case(name: "wrong consortium", code: .wrongConsortium) { _ in
            Fixtures.signed(Fixtures.announcement(.leave, subject: 2, by: 2, lamport: 5, policy: F.policy.hash, consortium: "evil"), by: 2).encoded
        },
        Case(name: "unauthorised announcer", code: .unauthorisedAnnouncer) { _ in
            F.make(.leave, subject: 2, by: 9, lamport: 5).encoded
        },
        Case(name: "approval by a non-approver", code: .notAnApprover) { target in
            F.make(.approve, subject: 7, by: 9, lamport: 5, approving: target).encoded
        },
        Case(name: "duplicate approval by one approver", code: .duplicateApproval) { target in
            F.make(.approve, subject: 7, by: 1, lamport: 5, approving: target).encoded
        },
        Case(name: "malformed bytes", code: .malformed) { _ in [0xc3, 0x80, 0x80, 0x80] },
    ]

    @Test("rejected with its reason; only the rejection record is persisted", arguments: cases)
    func rejected(_ testCase: Case) throws {
        let path = files.path()
        let log = try MembershipLog(path: path, policy: F.policy)
        let join = F.make(.join, subject: 7, by: 1, lamport: 1)
        _ = try log.append(join.encoded, receivedAt: Fixtures.now)
        let members = log.members
        let pendingDecision = log.state.decision(for: join.id)

        let bytes = testCase.bytes(join.id)
        let outcome = try log.append(bytes, receivedAt: Fixtures.now)
        guard case .appended(let entry) = outcome, case .rejected(let code, let reason) = entry.decision else {
            Issue.record("not rejected: \(outcome)"); return
        }
        #expect(code == testCase.code, "\(reason)")
        #expect(!reason.isEmpty)
        #expect(entry.index == 1)
        #expect(log.members == members)
        #expect(log.state.decision(for: join.id) == pendingDecision)

        // A replay of the same bytes writes nothing.
        #expect(try log.append(bytes, receivedAt: Fixtures.now + 1) == .duplicate(entry))
        #expect(log.count == 2)
        try log.close()
        let report = try MembershipLog.audit(path: path, policy: F.policy)
        #expect(report.passed, "\(String(describing: report.failure))")
        #expect(report.verifiedEntries == 2)
    }

    @Test("a replay of an old announcement is a no-op naming the original entry")
    func replay() throws {
        let log = try MembershipLog(path: files.path(), policy: F.policy)
        let leave = F.make(.leave, subject: 3, by: 3, lamport: 1)
        let first = try log.append(leave.encoded, receivedAt: Fixtures.now)
        _ = try log.append(F.make(.join, subject: 3, by: 3, lamport: 2, roles: ["validator"], host: "10.0.0.3").encoded, receivedAt: Fixtures.now)
        #expect(try log.append(leave.encoded, receivedAt: Fixtures.now + 100) == .duplicate(first.entry))
        #expect(log.count == 2)
        #expect(log.state.member(Fixtures.node(3)) != nil)
        try log.close()
    }
}
