import HeraldCrypto

/// A join, leave or policy change waiting for approvals.
struct PendingChange: Sendable {
    let announcement: SignedAnnouncement
    let key: OrderKey
    let rule: Policy.ApprovalRule
    var approvers: [NodeID]
}

/// An approval processed before the announcement it approves.
struct EarlyApproval: Sendable {
    let approval: SignedAnnouncement
    /// The approver's policy roles at the approval's place in the order; nil if it was not a member.
    let authority: [String]?
}

/// The membership state after processing a prefix of the ordered
/// announcements: what the replay carries from one announcement to the next.
/// Small (members, pending changes), so snapshots are cheap.
struct ReplayState: Sendable {
    var members: [NodeID: Member] = [:]
    /// For each subject, the key of the accepted announcement that last changed it.
    var winners: [NodeID: OrderKey] = [:]
    var pending: [AnnouncementID: PendingChange] = [:]
    var early: [AnnouncementID: [EarlyApproval]] = [:]
    /// The consortium policy changes that have taken effect, in order; the last one's policy is in force.
    var policyChanges: [AcceptedPolicyChange] = []
    /// The replayer of the last accepted policy change's policy; nil until one takes effect.
    var consortiumPolicy: Replayer?
    /// Members holding the validator role of the policy in force (kept, not counted per leave).
    private(set) var validatorCount = 0
    private var validatorRole: String

    /// The state before any announcement: the policy's genesis members.
    init(genesisOf policy: Policy) {
        validatorRole = policy.limits.validatorRole
        for identity in policy.identities where identity.isGenesis {
            setMember(Member(
                node: identity.node, enode: identity.enode ?? "", agentEndpoint: nil,
                roles: identity.roles, since: nil
            ))
        }
    }

    /// Adds or replaces a member.
    mutating func setMember(_ member: Member) {
        if let old = members.updateValue(member, forKey: member.node), old.roles.contains(validatorRole) {
            validatorCount -= 1
        }
        if member.roles.contains(validatorRole) { validatorCount += 1 }
    }

    /// Puts an accepted policy change's policy in force from here on.
    mutating func accept(_ change: AcceptedPolicyChange, replayer: Replayer) {
        policyChanges.append(change)
        consortiumPolicy = replayer
        validatorRole = replayer.policy.limits.validatorRole
        validatorCount = members.values.filter { $0.roles.contains(validatorRole) }.count
    }

    /// Removes a member, if it is one.
    mutating func removeMember(_ node: NodeID) {
        if let old = members.removeValue(forKey: node), old.roles.contains(validatorRole) {
            validatorCount -= 1
        }
    }
}
