import HeraldCrypto
import Testing
@testable import Membership

@Suite("Membership state")
struct MembershipStateTests {
    typealias F = StateFixtures

    @Test("genesis members are members before any announcement")
    func genesis() {
        let state = MembershipState(policy: F.policy)
        #expect(state.members.map(\.node) == [1, 2, 3].map(Fixtures.node).sorted())
        #expect(state.digest == MembershipDigest(members: state.members.reversed()))
    }

    @Test("admitting another node waits for 2 org-admin approvals, then takes effect")
    func admission() {
        var state = MembershipState(policy: F.policy)
        let join = F.make(.join, subject: 7, by: 1, lamport: 1, roles: ["observer"])
        #expect(state.insert(join) == .pending(reason: "needs 2 approvals from role org-admin, has 1 (\(F.short(1)))"))
        #expect(state.member(Fixtures.node(7)) == nil)
        let approve = F.make(.approve, subject: 7, by: 2, lamport: 2, approving: join.id)
        #expect(state.insert(approve) == .accepted)
        #expect(state.decision(for: join.id) == .accepted)
        #expect(state.member(Fixtures.node(7))?.roles == ["observer"])
        #expect(state.member(Fixtures.node(7))?.since == join.id)
    }

    @Test("a pending announcement reads as rejected with what it lacked once expired")
    func expiredPending() {
        var state = MembershipState(policy: F.policy)
        let join = F.make(.join, subject: 7, by: 1, lamport: 1)
        state.insert(join)
        let status = state.status(of: join.id, at: Fixtures.now + 7200)
        #expect(status?.description == "rejected: needs 2 approvals from role org-admin, has 1 (\(F.short(1))); expired at 2025-06-15T16:06:40Z")
    }

    @Test("hostile: approval by a non-approver, a duplicate approval, an unauthorised announcer")
    func hostile() {
        var state = MembershipState(policy: F.policy)
        let join = F.make(.join, subject: 7, by: 1, lamport: 1)
        state.insert(join)
        // Node 4 joins itself (listed), but holds no org-admin role.
        #expect(state.insert(F.make(.join, subject: 4, by: 4, lamport: 2, roles: ["validator"], host: "10.0.0.4")) == .accepted)
        let byNonApprover = F.make(.approve, subject: 7, by: 4, lamport: 3, approving: join.id)
        #expect(state.insert(byNonApprover) == .rejected(code: .notAnApprover, reason: "approver \(F.short(4)) does not hold role org-admin"))
        let duplicate = F.make(.approve, subject: 7, by: 1, lamport: 4, approving: join.id)
        #expect(state.insert(duplicate) == .rejected(code: .duplicateApproval, reason: "approver \(F.short(1)) has already approved \(join.id)"))
        #expect(state.decision(for: join.id) == .pending(reason: "needs 2 approvals from role org-admin, has 1 (\(F.short(1)))"))
        let byStranger = F.make(.join, subject: 8, by: 9, lamport: 5)
        #expect(state.insert(byStranger) == .rejected(code: .unauthorisedAnnouncer,
                                                      reason: "announcer \(F.short(9)) is not a member, so it may not announce for \(F.short(8))"))
        let byPlainMember = F.make(.join, subject: 8, by: 4, lamport: 6)
        #expect(state.insert(byPlainMember) == .rejected(code: .unauthorisedAnnouncer,
                                                         reason: "announcer \(F.short(4)) needs role org-admin to announce a join for another node"))
        #expect(state.members.count == 4)
    }

    @Test("policy checks: roles, endpoints, unlisted self-join, minimum validators, policy hash")
    func policyChecks() {
        var state = MembershipState(policy: F.policy)
        let badRole = F.make(.join, subject: 4, by: 4, lamport: 1, roles: ["validatr"], host: "10.0.0.4")
        #expect(state.insert(badRole).description == "rejected: unknown role 'validatr' (known: bootnode, observer, org-admin, validator)")
        let notGranted = F.make(.join, subject: 4, by: 4, lamport: 2, roles: ["org-admin"], host: "10.0.0.4")
        #expect(state.insert(notGranted) == .rejected(code: .roleNotGranted, reason: "the policy does not grant role 'org-admin' to val-4"))
        let outside = F.make(.join, subject: 4, by: 4, lamport: 3, host: "192.168.1.4")
        #expect(state.insert(outside) == .rejected(code: .endpointNotAllowed, reason: "enode address 192.168.1.4:30303 is outside the allowed networks and ports"))
        // An unlisted node announcing itself needs admission approvals.
        let unlisted = F.make(.join, subject: 12, by: 12, lamport: 4)
        #expect(state.insert(unlisted) == .pending(reason: "needs 2 approvals from role org-admin, has 0"))
        // Three validators, minimum two: the first leave passes, the second does not.
        #expect(state.insert(F.make(.leave, subject: 3, by: 3, lamport: 5)) == .accepted)
        #expect(state.insert(F.make(.leave, subject: 2, by: 2, lamport: 6))
                == .rejected(code: .belowMinimumValidators, reason: "leaving would leave 1 validators, the policy requires at least 2"))
        #expect(state.insert(F.make(.leave, subject: 3, by: 3, lamport: 7)) == .rejected(code: .notAMember, reason: "node \(F.short(3)) is not a member"))
        let otherPolicy = Fixtures.signed(Fixtures.announcement(.leave, subject: 1, by: 1, lamport: 8), by: 1)
        if case .rejected(.policyMismatch, _) = state.insert(otherPolicy) {} else { Issue.record("policy mismatch not rejected") }
    }

    @Test("a later leave beats an earlier join and vice versa, whatever the arrival order")
    func laterWins() {
        let join = F.make(.join, subject: 4, by: 4, lamport: 5, host: "10.0.0.4")
        let leave = F.make(.leave, subject: 4, by: 4, lamport: 9)
        let rejoin = F.make(.join, subject: 4, by: 4, lamport: 12, host: "10.0.0.44")
        for order in [[join, leave], [leave, join]] {
            var state = MembershipState(policy: F.policy)
            for item in order { state.insert(item) }
            #expect(state.member(Fixtures.node(4)) == nil)
        }
        for order in [[join, leave, rejoin], [rejoin, leave, join], [leave, rejoin, join]] {
            var state = MembershipState(policy: F.policy)
            for item in order { state.insert(item) }
            #expect(state.member(Fixtures.node(4))?.enode.contains("10.0.0.44") == true)
        }
    }

    @Test("an approval that sorts before its target still counts")
    func earlyApproval() {
        let join = F.make(.join, subject: 7, by: 1, lamport: 10)
        let approve = F.make(.approve, subject: 7, by: 2, lamport: 3, approving: join.id)
        var state = MembershipState(policy: F.policy)
        #expect(state.insert(approve) == .pending(reason: "approves \(join.id), which this agent has not received"))
        #expect(state.insert(join) == .accepted)
        #expect(state.decision(for: approve.id) == .accepted)
        #expect(state.member(Fixtures.node(7)) != nil)
    }

    @Test("inserting an announcement twice is a no-op")
    func idempotent() {
        var state = MembershipState(policy: F.policy)
        let join = F.make(.join, subject: 4, by: 4, lamport: 5, host: "10.0.0.4")
        state.insert(join)
        let digest = state.digest
        state.insert(join)
        #expect(state.count == 1)
        #expect(state.digest == digest)
    }
}
