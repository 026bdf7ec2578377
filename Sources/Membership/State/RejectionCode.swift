/// A stable numeric reason for a rejection, carried in acks and the log.
/// Values are never reused; new reasons get new values.
public enum RejectionCode: UInt16, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    // Receipt checks (AnnouncementError).
    /// Not a canonical RLP announcement, or a field has the wrong shape.
    case malformed = 1
    /// Unknown encoding version.
    case unknownVersion = 2
    /// A field or the whole encoding is over its bound.
    case oversized = 3
    /// The subject enode URL is malformed or names another node.
    case malformedEnode = 4
    /// The agent endpoint is not `host:port`.
    case malformedEndpoint = 5
    /// The signature does not verify.
    case badSignature = 6
    /// Signed by another key than the claimed announcer's.
    case signerMismatch = 7
    /// For another consortium.
    case wrongConsortium = 8
    /// Expired before receipt.
    case expired = 9
    /// Issued further in the future than the allowed clock skew.
    case futureDated = 10

    // Policy checks.
    /// Made under another policy than the one in force.
    case policyMismatch = 100
    /// The announcer may not announce this kind for this subject.
    case unauthorisedAnnouncer = 101
    /// The approver holds none of the roles whose approvals count.
    case notAnApprover = 102
    /// The approver already approved this announcement.
    case duplicateApproval = 103
    /// The approved announcement is not pending (unknown, accepted or rejected).
    case nothingToApprove = 104
    /// The enode or agent endpoint is outside the allowed networks or ports.
    case endpointNotAllowed = 105
    /// The leave would drop the validators below the policy minimum.
    case belowMinimumValidators = 106
    /// The join would exceed the policy's maximum number of members.
    case tooManyMembers = 107
    /// The subject of a leave is not a member.
    case notAMember = 108
    /// A role that the policy does not define.
    case unknownRole = 109
    /// A role the policy does not grant to this identity.
    case roleNotGranted = 110
    /// The approval was issued after the approved announcement expired.
    case approvalTooLate = 111
    /// The approval names another subject than the approved announcement.
    case approvalSubjectMismatch = 112
    /// A policy change whose text does not load as a policy.
    case invalidPolicy = 113
    /// A policy change that would change what a policy change may not: the consortium name or key.
    case policyChangeRefused = 114
    /// A policy change that replaces another policy than the one in force at its place in the order.
    case stalePolicyChange = 115

    /// The case name, e.g. `badSignature`.
    public var description: String { "\(name) (\(rawValue))" }

    private var name: String {
        switch self {
        case .malformed: return "malformed"
        case .unknownVersion: return "unknownVersion"
        case .oversized: return "oversized"
        case .malformedEnode: return "malformedEnode"
        case .malformedEndpoint: return "malformedEndpoint"
        case .badSignature: return "badSignature"
        case .signerMismatch: return "signerMismatch"
        case .wrongConsortium: return "wrongConsortium"
        case .expired: return "expired"
        case .futureDated: return "futureDated"
        case .policyMismatch: return "policyMismatch"
        case .unauthorisedAnnouncer: return "unauthorisedAnnouncer"
        case .notAnApprover: return "notAnApprover"
        case .duplicateApproval: return "duplicateApproval"
        case .nothingToApprove: return "nothingToApprove"
        case .endpointNotAllowed: return "endpointNotAllowed"
        case .belowMinimumValidators: return "belowMinimumValidators"
        case .tooManyMembers: return "tooManyMembers"
        case .notAMember: return "notAMember"
        case .unknownRole: return "unknownRole"
        case .roleNotGranted: return "roleNotGranted"
        case .approvalTooLate: return "approvalTooLate"
        case .approvalSubjectMismatch: return "approvalSubjectMismatch"
        case .invalidPolicy: return "invalidPolicy"
        case .policyChangeRefused: return "policyChangeRefused"
        case .stalePolicyChange: return "stalePolicyChange"
        }
    }
}
