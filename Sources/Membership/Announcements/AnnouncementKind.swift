import RLP

/// What an announcement asks for.
public enum AnnouncementKind: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The subject node joins the consortium (or updates its enode and roles).
    case join = 1
    /// The subject node leaves the consortium.
    case leave = 2
    /// The announcer approves the pending announcement named by `approvedID`.
    case approve = 3
    /// The announcer proposes a new consortium policy (its text in
    /// ``Announcement/policyText``) to replace the one named by ``Announcement/policyHash``.
    case policyChange = 4

    /// `join`, `leave`, `approve` or `policy-change`.
    public var description: String {
        switch self {
        case .join: return "join"
        case .leave: return "leave"
        case .approve: return "approve"
        case .policyChange: return "policy-change"
        }
    }
}
