import HeraldCrypto
import TestSupport
import Testing
@testable import Membership

@Suite("Convergence property")
struct ConvergenceTests {
    typealias F = StateFixtures

    /// A random set of joins, leaves and approvals with conflicting Lamport times.
    static func randomSet(seed: UInt64, size: Int) -> [SignedAnnouncement] {
        var rng = SeededGenerator(seed: seed)
        var made: [SignedAnnouncement] = []
        let subjects = [2, 3, 4, 7, 8, 9]
        let announcers = [1, 2, 3, 4, 7]
        for _ in 0..<size {
            let lamport = UInt64.random(in: 1...6, using: &rng)
            let roll = Int.random(in: 0..<10, using: &rng)
            let joinsAndLeaves = made.filter { $0.announcement.kind != .approve }
            if roll < 3, let target = joinsAndLeaves.randomElement(using: &rng) {
                let approver = [1, 2, 3, 4].randomElement(using: &rng)!
                made.append(F.make(.approve, subject: subjectIndex(target.announcement.subject),
                                   by: approver, lamport: lamport, approving: target.id))
            } else {
                let subject = subjects.randomElement(using: &rng)!
                let announcer = roll < 6 ? subject : announcers.randomElement(using: &rng)!
                let kind: AnnouncementKind = roll % 2 == 0 ? .join : .leave
                made.append(F.make(kind, subject: subject, by: announcer, lamport: lamport,
                                   roles: kind == .join && subject == 4 ? ["validator"] : [],
                                   host: "10.0.\(Int.random(in: 0...3, using: &rng)).\(subject)"))
            }
        }
        return made
    }

    static func subjectIndex(_ node: NodeID) -> Int {
        (1...12).first { Fixtures.node($0) == node }!
    }

    @Test("every arrival order gives the same members, digest and decisions", arguments: 0..<24)
    func permutations(seed: Int) {
        let set = Self.randomSet(seed: UInt64(seed) &* 7919 &+ 1, size: 14)
        let reference = MembershipState(policy: F.policy, announcements: set)
        var rng = SeededGenerator(seed: UInt64(seed) &+ 99)
        for _ in 0..<12 {
            var state = MembershipState(policy: F.policy)
            for announcement in set.shuffled(using: &rng) { state.insert(announcement) }
            #expect(state.members == reference.members)
            #expect(state.digest == reference.digest)
            for announcement in set {
                #expect(state.decision(for: announcement.id) == reference.decision(for: announcement.id))
            }
        }
    }

    @Test("the random sets exercise acceptance, pending approvals and rejections")
    func coverage() {
        var outcomes: [String: Int] = [:]
        for seed in 0..<24 {
            let set = Self.randomSet(seed: UInt64(seed) &* 7919 &+ 1, size: 14)
            let state = MembershipState(policy: F.policy, announcements: set)
            for announcement in set {
                switch state.decision(for: announcement.id) {
                case .accepted?: outcomes["accepted", default: 0] += 1
                case .pending?: outcomes["pending", default: 0] += 1
                case .rejected(let code, _)?: outcomes["\(code)", default: 0] += 1
                case nil: outcomes["missing", default: 0] += 1
                }
            }
        }
        #expect(outcomes["missing"] == nil)
        #expect(outcomes["accepted", default: 0] > 20)
        #expect(outcomes["pending", default: 0] > 5)
        #expect(outcomes.count >= 6, "outcomes: \(outcomes)")
    }

    @Test("replays across snapshot boundaries agree with a from-scratch state")
    func snapshots() {
        // More announcements than the snapshot interval, inserted out of order.
        var rng = SeededGenerator(seed: 42)
        var set: [SignedAnnouncement] = []
        for index in 0..<(MembershipState.snapshotInterval * 2 + 40) {
            let subject = [4, 7, 8][index % 3]
            let kind: AnnouncementKind = Bool.random(using: &rng) ? .join : .leave
            set.append(F.make(kind, subject: subject, by: subject == 4 ? 4 : 1, lamport: UInt64.random(in: 1...400, using: &rng),
                              host: "10.0.0.\(subject)", issuedAt: Fixtures.now + UInt64(index)))
        }
        let reference = MembershipState(policy: F.policy, announcements: set)
        var state = MembershipState(policy: F.policy)
        for announcement in set.shuffled(using: &rng) { state.insert(announcement) }
        #expect(state.members == reference.members)
        #expect(state.digest == reference.digest)
        #expect(set.allSatisfy { state.decision(for: $0.id) == reference.decision(for: $0.id) })
    }
}
