import HeraldCrypto

/// A consortium policy change that took effect: the proposal, the policy it
/// put in force and the one it replaced. Every agent holding the same
/// announcements holds the same list, in the same order.
public struct AcceptedPolicyChange: Hashable, Sendable {
    /// The policy-change announcement.
    public let id: AnnouncementID
    /// The node that proposed it.
    public let proposer: NodeID
    /// The policy it put in force.
    public let policy: Policy
    /// `policy`'s YAML text, as proposed.
    public let text: String
    /// The hash of the policy it replaced.
    public let replaced: PolicyHash
    /// Who approved it, the proposer first when it counts, in the order the approvals were processed.
    public let approvers: [NodeID]
}
