import HeraldCrypto

/// The member list as a pure function of a set of announcements.
///
/// Announcements are processed in the total order (Lamport time, ID); any
/// two agents holding the same set under the same policies hold the same
/// members, decisions and digest, whatever order the announcements arrived in.
/// Until a consortium policy change takes effect, each announcement is judged
/// under the policy it was made under, when that is the policy in force or one
/// in force earlier (see ``adopt(_:)``); otherwise it is rejected as made under
/// another policy. A policy change takes effect at the place in the order of
/// the announcement that accepts it (the change itself, or its last needed
/// approval); every announcement after it, on every agent, is judged under the
/// policy it put in force, whichever policy of the chain it names.
/// Inserting an announcement that sorts last costs one step; one that sorts
/// earlier replays from the nearest snapshot.
public struct MembershipState: Sendable {
    /// The policy this agent put in force locally (its file): its genesis members start the state.
    /// Once a consortium policy change has taken effect, ``policyInForce`` is the one that decides.
    public private(set) var policy: Policy
    /// A replayer per policy held so far, by hash.
    private var replayers: [PolicyHash: Replayer]
    private var inForce: Replayer
    private var genesis: ReplayState

    private var ordered: [(key: OrderKey, announcement: SignedAnnouncement)] = []
    private var context = ReplayContext()
    private var keys: [AnnouncementID: OrderKey] {
        get { context.keys }
        set { context.keys = newValue }
    }
    private var decisions: [AnnouncementID: PolicyDecision] = [:]
    private var current: ReplayState
    /// `(position, state before processing ordered[position])`, ascending.
    private var snapshots: [(position: Int, state: ReplayState)] = []

    /// Entries between snapshots.
    static let snapshotInterval = 256

    /// The state with no announcements: the policy's genesis members.
    public init(policy: Policy) {
        self.policy = policy
        inForce = Replayer(policy: policy, policyHash: policy.hash)
        replayers = [inForce.policyHash: inForce]
        genesis = ReplayState(genesisOf: policy)
        current = genesis
    }

    /// Puts `policy` in force and re-derives every decision: the genesis
    /// members now come from `policy`; announcements made under a policy
    /// held before keep being judged under it, those made under `policy`
    /// are judged under it (one rejected earlier as made under an unknown
    /// policy may now take effect).
    public mutating func adopt(_ policy: Policy) {
        let replayer = Replayer(policy: policy, policyHash: policy.hash)
        replayers[replayer.policyHash] = replayer
        inForce = replayer
        self.policy = policy
        genesis = ReplayState(genesisOf: policy)
        replay(from: 0)
    }

    /// The state for a set of announcements (duplicates are ignored).
    public init(policy: Policy, announcements: some Sequence<SignedAnnouncement>) {
        self.init(policy: policy)
        for announcement in announcements where keys[announcement.id] == nil {
            let key = OrderKey(announcement)
            keys[announcement.id] = key
            noteProposal(announcement)
            ordered.append((key, announcement))
        }
        ordered.sort { $0.key < $1.key }
        replay(from: 0)
    }

    /// Adds an announcement to the set and returns its decision in the new set.
    /// Adding one already held changes nothing and returns its decision.
    @discardableResult
    public mutating func insert(_ announcement: SignedAnnouncement) -> PolicyDecision {
        if keys[announcement.id] != nil, let decision = decisions[announcement.id] { return decision }
        let key = OrderKey(announcement)
        keys[announcement.id] = key
        noteProposal(announcement)
        if let last = ordered.last, key < last.key {
            var low = 0, high = ordered.count
            while low < high {
                let mid = (low + high) / 2
                if ordered[mid].key < key { low = mid + 1 } else { high = mid }
            }
            ordered.insert((key, announcement), at: low)
            replay(from: low)
        } else {
            ordered.append((key, announcement))
            step(at: ordered.count - 1)
        }
        return decisions[announcement.id] ?? .accepted
    }

    /// Makes room for `count` announcements in all, so that a replay of a
    /// known number of them does not rehash as it grows.
    public mutating func reserveCapacity(_ count: Int) {
        ordered.reserveCapacity(count)
        keys.reserveCapacity(count)
        decisions.reserveCapacity(count)
    }

    /// True when the set holds the announcement.
    public func contains(_ id: AnnouncementID) -> Bool { keys[id] != nil }

    /// The decision for a held announcement, as of the whole set.
    public func decision(for id: AnnouncementID) -> PolicyDecision? { decisions[id] }

    /// The decision as a person should read it at `time` (Unix seconds): a
    /// pending announcement that has expired reads as rejected, with what it lacked.
    public func status(of id: AnnouncementID, at time: UInt64) -> PolicyDecision? {
        guard let decision = decisions[id] else { return nil }
        if case .pending(let reason) = decision, let key = keys[id],
           let entry = ordered.first(where: { $0.key == key }), time > entry.announcement.announcement.expiresAt {
            return .rejected(code: .expired, reason: "\(reason); expired at \(Timestamp.format(entry.announcement.announcement.expiresAt))")
        }
        return decision
    }

    /// The policy new announcements are decided under: the last consortium policy change's, or
    /// else the local ``policy``.
    public var policyInForce: Policy { current.consortiumPolicy?.policy ?? policy }

    /// ``policyInForce``'s hash (kept, not recomputed).
    public var policyHashInForce: PolicyHash { current.consortiumPolicy?.policyHash ?? inForce.policyHash }

    /// The consortium policy changes that took effect, in order (empty when none has).
    public var policyChanges: [AcceptedPolicyChange] { current.policyChanges }

    /// How many announcements the set holds.
    public var count: Int { ordered.count }

    /// The current members, sorted by node ID.
    public var members: [Member] {
        current.members.values.sorted { $0.node < $1.node }
    }

    /// The member with this node ID, if it is one.
    public func member(_ node: NodeID) -> Member? { current.members[node] }

    /// The digest of the member list.
    public var digest: MembershipDigest { MembershipDigest(members: current.members.values) }

    /// An announcement that waits for approvals, as of the whole set.
    public struct PendingApproval: Sendable {
        /// The announcement waiting.
        public let announcement: SignedAnnouncement
        /// Distinct approvals it needs in all (the announcer counts when it holds an approver role).
        public let needed: Int
        /// Roles whose approvals count.
        public let approverRoles: [String]
        /// Who has approved so far (the announcer first when it counts), in the order approvals were processed.
        public let approvers: [NodeID]
    }

    /// The announcements waiting for approvals, in the total order.
    public var pendingApprovals: [PendingApproval] {
        current.pending.values.sorted { $0.key < $1.key }.map {
            PendingApproval(announcement: $0.announcement, needed: $0.rule.approvals,
                            approverRoles: $0.rule.approverRoles, approvers: $0.approvers)
        }
    }

    // MARK: - Replay

    private mutating func step(at position: Int) {
        if position % Self.snapshotInterval == 0 && position > 0 {
            snapshots.append((position, current))
        }
        process(ordered[position])
    }

    /// Judges one announcement: under the consortium policy in force at its place, when a policy
    /// change has taken effect (the announcement must name a policy of the chain, or one held
    /// locally); else under the policy it was made under, if held, or the local one (which rejects it).
    private mutating func process(_ entry: (key: OrderKey, announcement: SignedAnnouncement)) {
        let named = entry.announcement.announcement.policyHash
        if let consortium = current.consortiumPolicy {
            let known = replayers[named] != nil || current.policyChanges.contains { $0.replaced == named || $0.policy.hash == named }
            consortium.process(entry.announcement, key: entry.key, context: context, madeUnderKnownPolicy: known,
                               state: &current, decisions: &decisions)
        } else {
            (replayers[named] ?? inForce).process(entry.announcement, key: entry.key, context: context,
                                                  state: &current, decisions: &decisions)
        }
    }

    private mutating func noteProposal(_ announcement: SignedAnnouncement) {
        if announcement.announcement.kind == .policyChange {
            context.proposals[announcement.id] = ProposedPolicy(announcement)
        }
    }

    private mutating func replay(from position: Int) {
        while let last = snapshots.last, last.position > position { snapshots.removeLast() }
        var start = 0
        current = genesis
        if let last = snapshots.last {
            start = last.position
            current = last.state
            snapshots.removeLast()
        }
        for index in start..<ordered.count {
            if index % Self.snapshotInterval == 0 && index > 0 {
                snapshots.append((index, current))
            }
            process(ordered[index])
        }
    }
}
