import HeraldCrypto
import RLP

/// The body of a membership announcement: what an announcer asks every agent
/// to record. It is signed as a ``SignedAnnouncement``.
///
/// Encoded as the RLP list
/// `[version, consortium, kind, subject, subjectEnode, agentEndpoint, roles,
///   lamportTime, issuedAt, expiresAt, policyHash, approvedID, announcer]`,
/// where `agentEndpoint` and `approvedID` are empty strings when absent and
/// times are Unix seconds. A policy change appends one more item, the
/// proposed policy's YAML text; no other kind has it.
public struct Announcement: Hashable, Sendable {
    /// The encoding version this code writes and reads.
    public static let version: UInt64 = 1

    /// The consortium the announcement belongs to (the policy's name).
    public var consortium: String
    /// Join, leave or approve.
    public var kind: AnnouncementKind
    /// The node that joins or leaves (for approve: the subject of the approved announcement).
    public var subject: NodeID
    /// The subject's enode URL; required for a join, may be empty otherwise.
    public var subjectEnode: String
    /// The subject's own Herald agent endpoint (RLPx), if it runs one.
    public var agentEndpoint: AgentEndpoint?
    /// Roles the subject takes on joining (empty otherwise), sorted and unique when signed.
    public var roles: [String]
    /// The announcer's Lamport clock: first key of the total order.
    public var lamportTime: UInt64
    /// When it was made, Unix seconds.
    public var issuedAt: UInt64
    /// After this time (Unix seconds) receivers refuse it.
    public var expiresAt: UInt64
    /// The hash of the policy it was made under.
    public var policyHash: PolicyHash
    /// For `approve`, the announcement approved; nil otherwise.
    public var approvedID: AnnouncementID?
    /// The node whose key signs it.
    public var announcer: NodeID
    /// For `policyChange`, the YAML text of the proposed policy; empty otherwise.
    public var policyText: String

    /// ``subjectEnode`` parsed, kept so that the policy replay does not parse
    /// it again; used only while it still matches the text.
    private var enodeCache: EnodeCache?

    /// Creates an announcement body; roles are sorted and made unique.
    public init(
        consortium: String,
        kind: AnnouncementKind,
        subject: NodeID,
        subjectEnode: String = "",
        agentEndpoint: AgentEndpoint? = nil,
        roles: [String] = [],
        lamportTime: UInt64,
        issuedAt: UInt64,
        expiresAt: UInt64,
        policyHash: PolicyHash,
        approvedID: AnnouncementID? = nil,
        announcer: NodeID,
        policyText: String = ""
    ) {
        self.consortium = consortium
        self.kind = kind
        self.subject = subject
        self.subjectEnode = subjectEnode
        self.agentEndpoint = agentEndpoint
        self.roles = Array(Set(roles)).sorted()
        self.lamportTime = lamportTime
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.policyHash = policyHash
        self.approvedID = approvedID
        self.announcer = announcer
        self.policyText = policyText
        self.enodeCache = (try? EnodeURL.parse(subjectEnode)).map { EnodeCache(text: subjectEnode, enode: $0, canonical: $0.description) }
    }

    /// The parsed subject enode, or nil when it is empty or malformed.
    var enode: Enode? {
        if let cache = enodeCache, cache.text == subjectEnode { return cache.enode }
        return try? EnodeURL.parse(subjectEnode)
    }

    /// The subject enode in go-ethereum's canonical form, as the member list shows it.
    var canonicalEnode: String {
        if let cache = enodeCache, cache.text == subjectEnode { return cache.canonical }
        return enode?.description ?? subjectEnode
    }

    mutating func cacheEnode(_ enode: Enode, canonical: String) {
        enodeCache = EnodeCache(text: subjectEnode, enode: enode, canonical: canonical)
    }

    public static func == (lhs: Announcement, rhs: Announcement) -> Bool {
        lhs.consortium == rhs.consortium && lhs.kind == rhs.kind && lhs.subject == rhs.subject
            && lhs.subjectEnode == rhs.subjectEnode && lhs.agentEndpoint == rhs.agentEndpoint && lhs.roles == rhs.roles
            && lhs.lamportTime == rhs.lamportTime && lhs.issuedAt == rhs.issuedAt && lhs.expiresAt == rhs.expiresAt
            && lhs.policyHash == rhs.policyHash && lhs.approvedID == rhs.approvedID && lhs.announcer == rhs.announcer
            && lhs.policyText == rhs.policyText
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(consortium)
        hasher.combine(kind)
        hasher.combine(subject)
        hasher.combine(subjectEnode)
        hasher.combine(lamportTime)
        hasher.combine(announcer)
        hasher.combine(approvedID)
    }

    /// The RLP encoding of the body (what the signature covers, after the domain tag).
    public var encodedBody: [UInt8] {
        var writer = RLPWriter(reservingCapacity: 512)
        encode(to: &writer)
        return writer.bytes
    }

    /// The digest signed: keccak256(announcement domain tag ‖ RLP(body)).
    public var signingDigest: Keccak256.Digest {
        Self.signingDigest(encodedBody: encodedBody)
    }

    static func signingDigest(encodedBody: some Collection<UInt8>) -> Keccak256.Digest {
        var hasher = Keccak256.Hasher()
        hasher.update(DomainTag.announcement)
        hasher.update(encodedBody)
        return hasher.finalize()
    }
}

extension Announcement: RLPEncodable {
    /// Writes the body list.
    public func encode(to writer: inout RLPWriter) {
        writer.writeList { list in
            list.write(Self.version)
            list.write(bytes: consortium.utf8)
            list.write(kind.rawValue)
            list.write(bytes: subject.rawRepresentation)
            list.write(bytes: subjectEnode.utf8)
            list.write(bytes: (agentEndpoint?.description ?? "").utf8)
            list.writeList { rolesList in
                for role in roles { rolesList.write(bytes: role.utf8) }
            }
            list.write(lamportTime)
            list.write(issuedAt)
            list.write(expiresAt)
            list.write(bytes: policyHash.rawRepresentation)
            list.write(bytes: approvedID?.rawRepresentation ?? [])
            list.write(bytes: announcer.rawRepresentation)
            if kind == .policyChange { list.write(bytes: policyText.utf8) }
        }
    }
}

/// A parsed enode URL together with the text it was parsed from.
private struct EnodeCache: Sendable {
    let text: String
    let enode: Enode
    /// `enode.description`, computed once.
    let canonical: String
}
