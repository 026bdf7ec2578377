import HeraldCrypto
import RLP

/// Why a signed announcement (or ack) was refused on receipt, before any
/// policy is consulted. One case per check; each reads as one sentence.
public enum AnnouncementError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes are not a canonical RLP announcement.
    case malformed(RLPError)
    /// The encoding's version field is one this agent does not know.
    case unknownVersion(UInt64)
    /// A field or the whole encoding exceeds its bound (`AnnouncementLimits`).
    case oversized(field: String, size: Int, limit: Int)
    /// The kind byte is not join, leave or approve.
    case unknownKind(UInt8)
    /// A field is present where it must not be, missing where it must be, or inconsistent.
    case invalidField(field: String, reason: String)
    /// The subject enode URL does not parse, or names another node than the subject.
    case malformedEnode(url: String, reason: String)
    /// The agent endpoint is not `host:port`.
    case malformedEndpoint(String)
    /// The signature is not a valid low-s recoverable secp256k1 signature over the body.
    case badSignature
    /// The signature is valid but made by another key than the claimed announcer's.
    case signerMismatch(claimed: NodeID, actual: NodeID)
    /// The announcement belongs to another consortium.
    case wrongConsortium(expected: String, actual: String)
    /// The announcement expired before it was received (Unix seconds).
    case expired(expiresAt: UInt64, receivedAt: UInt64)
    /// The announcement claims to be issued further in the future than the allowed clock skew.
    case futureDated(issuedAt: UInt64, receivedAt: UInt64, maxSkew: UInt64)

    /// A stable numeric code for acks and the log (never reused).
    public var code: RejectionCode {
        switch self {
        case .malformed: return .malformed
        case .unknownVersion: return .unknownVersion
        case .oversized: return .oversized
        case .unknownKind: return .malformed
        case .invalidField: return .malformed
        case .malformedEnode: return .malformedEnode
        case .malformedEndpoint: return .malformedEndpoint
        case .badSignature: return .badSignature
        case .signerMismatch: return .signerMismatch
        case .wrongConsortium: return .wrongConsortium
        case .expired: return .expired
        case .futureDated: return .futureDated
        }
    }

    /// One sentence naming what is wrong.
    public var description: String {
        switch self {
        case .malformed(let error):
            return "malformed announcement: \(error)"
        case .unknownVersion(let version):
            return "unknown announcement version \(version) (this agent knows version \(Announcement.version))"
        case .oversized(let field, let size, let limit):
            return "\(field) is \(size) bytes, more than the limit of \(limit)"
        case .unknownKind(let kind):
            return "unknown announcement kind \(kind) (known: 1 join, 2 leave, 3 approve)"
        case .invalidField(let field, let reason):
            return "invalid \(field): \(reason)"
        case .malformedEnode(let url, let reason):
            return "malformed enode URL '\(url.prefix(160))': \(reason)"
        case .malformedEndpoint(let text):
            return "malformed agent endpoint '\(text.prefix(160))' (want host:port)"
        case .badSignature:
            return "bad signature: not a valid secp256k1 signature over this announcement"
        case .signerMismatch(let claimed, let actual):
            return "signed by node \(actual), not by the claimed announcer \(claimed)"
        case .wrongConsortium(let expected, let actual):
            return "announcement is for consortium '\(actual.prefix(64))', this agent serves '\(expected)'"
        case .expired(let expiresAt, let receivedAt):
            return "expired at \(Timestamp.format(expiresAt)), received at \(Timestamp.format(receivedAt))"
        case .futureDated(let issuedAt, let receivedAt, let maxSkew):
            return "issued at \(Timestamp.format(issuedAt)), more than \(maxSkew)s after its receipt at \(Timestamp.format(receivedAt))"
        }
    }
}
