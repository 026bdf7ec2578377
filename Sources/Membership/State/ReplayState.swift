import HeraldCrypto

/// A join or leave waiting for approvals.
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
    /// Members holding the policy's validator role (kept, not counted per leave).
    private(set) var validatorCount = 0
    private let validatorRole: String

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

    /// Removes a member, if it is one.
    mutating func removeMember(_ node: NodeID) {
        if let old = members.removeValue(forKey: node), old.roles.contains(validatorRole) {
            validatorCount -= 1
        }
    }
}
