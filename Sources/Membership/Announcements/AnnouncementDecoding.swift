import HeraldCrypto
import RLP

/// The body's fields as read from RLP, before any semantic check.
private struct RawAnnouncement {
    var version: UInt64 = 0
    var consortium: ArraySlice<UInt8> = []
    var kind: UInt8 = 0
    var subject: ArraySlice<UInt8> = []
    var enode: ArraySlice<UInt8> = []
    var endpoint: ArraySlice<UInt8> = []
    var roles: [ArraySlice<UInt8>] = []
    var lamportTime: UInt64 = 0
    var issuedAt: UInt64 = 0
    var expiresAt: UInt64 = 0
    var policyHash: ArraySlice<UInt8> = []
    var approvedID: ArraySlice<UInt8> = []
    var announcer: ArraySlice<UInt8> = []
    /// The policy text item, when present (only a policy change has one).
    var policyText: ArraySlice<UInt8>?

    init(from reader: inout RLPReader, maxRoles: Int) throws(RLPError) {
        try reader.readList { list throws(RLPError) in
            version = try list.read(UInt64.self)
            guard version == Announcement.version else {
                try list.skipRemaining()
                return
            }
            consortium = try list.readByteSlice()
            kind = try list.read(UInt8.self)
            subject = try list.readByteSlice()
            enode = try list.readByteSlice()
            endpoint = try list.readByteSlice()
            roles = try list.readList { rolesList throws(RLPError) in
                var roles: [ArraySlice<UInt8>] = []
                while !rolesList.isAtEnd {
                    roles.append(try rolesList.readByteSlice())
                    if roles.count > maxRoles {
                        try rolesList.skipRemaining()
                        break
                    }
                }
                return roles
            }
            lamportTime = try list.read(UInt64.self)
            issuedAt = try list.read(UInt64.self)
            expiresAt = try list.read(UInt64.self)
            policyHash = try list.readByteSlice()
            approvedID = try list.readByteSlice()
            announcer = try list.readByteSlice()
            if !list.isAtEnd { policyText = try list.readByteSlice() }
        }
    }
}

extension Announcement {
    /// Decodes and checks a body: version, bounds, field shapes, the enode
    /// URL and its agreement with the subject. Signatures are checked by
    /// ``SignedAnnouncement``.
    ///
    /// - Throws: ``AnnouncementError`` naming the first problem.
    public init(decodingBody bytes: some Collection<UInt8>, limits: AnnouncementLimits = .default) throws(AnnouncementError) {
        try self.init(decodingBody: bytes, encodedSize: bytes.count, limits: limits)
    }

    /// As ``init(decodingBody:limits:)``; `encodedSize` is the size the kind's bound applies to
    /// (the signed encoding's, when the body comes out of one).
    init(decodingBody bytes: some Collection<UInt8>, encodedSize: Int, limits: AnnouncementLimits) throws(AnnouncementError) {
        guard bytes.count <= limits.maxEncodedSize else {
            throw .oversized(field: "announcement body", size: bytes.count, limit: limits.maxEncodedSize)
        }
        var reader = RLPReader(bytes, limits: RLPLimits(maxDepth: 4))
        let raw: RawAnnouncement
        do throws(RLPError) {
            raw = try RawAnnouncement(from: &reader, maxRoles: limits.maxRoles)
            if !reader.isAtEnd { throw RLPError.trailingBytes(offset: reader.offset) }
        } catch {
            throw .malformed(error)
        }
        try self.init(validating: raw, size: encodedSize, limits: limits)
    }

    private init(validating raw: RawAnnouncement, size: Int, limits: AnnouncementLimits) throws(AnnouncementError) {
        guard raw.version == Announcement.version else { throw .unknownVersion(raw.version) }
        let consortium = try Self.text(raw.consortium, field: "consortium", limit: limits.maxConsortiumLength)
        guard !consortium.isEmpty else { throw .invalidField(field: "consortium", reason: "empty") }
        guard let kind = AnnouncementKind(rawValue: raw.kind) else { throw .unknownKind(raw.kind) }
        if kind != .policyChange && size > limits.maxMembershipChangeSize {
            throw .oversized(field: "\(kind) announcement", size: size, limit: limits.maxMembershipChangeSize)
        }
        let subject = try Self.nodeID(raw.subject, field: "subject")
        let announcer = try Self.nodeID(raw.announcer, field: "announcer")
        guard let policyHash = PolicyHash(rawRepresentation: raw.policyHash) else {
            throw .invalidField(field: "policy hash", reason: "\(raw.policyHash.count) bytes, want 32")
        }

        let enode = try Self.text(raw.enode, field: "subject enode", limit: limits.maxEnodeLength)
        if kind == .join && enode.isEmpty {
            throw .invalidField(field: "subject enode", reason: "a join must give the subject's enode URL")
        }
        var parsedEnode: (enode: Enode, canonical: String)?
        if !enode.isEmpty {
            let (parsed, isCanonical) = try EnodeURL.parseReportingForm(enode)
            let enodeNode = parsed.nodeID
            guard enodeNode == subject else {
                throw .malformedEnode(url: enode, reason: "names node \(enodeNode), not the subject \(subject)")
            }
            parsedEnode = (parsed, isCanonical ? enode : parsed.description)
        }

        let endpointText = try Self.text(raw.endpoint, field: "agent endpoint", limit: limits.maxEndpointLength)
        var endpoint: AgentEndpoint?
        if !endpointText.isEmpty {
            guard let parsed = AgentEndpoint(endpointText) else { throw .malformedEndpoint(endpointText) }
            endpoint = parsed
        }

        guard raw.roles.count <= limits.maxRoles else {
            throw .oversized(field: "roles", size: raw.roles.count, limit: limits.maxRoles)
        }
        var roles: [String] = []
        for bytes in raw.roles {
            let role = try Self.text(bytes, field: "role", limit: limits.maxRoleLength)
            guard !role.isEmpty else { throw .invalidField(field: "roles", reason: "empty role name") }
            if let last = roles.last, last >= role {
                throw .invalidField(field: "roles", reason: "not sorted and unique")
            }
            roles.append(role)
        }
        if kind != .join && !roles.isEmpty {
            throw .invalidField(field: "roles", reason: "only a join carries roles")
        }

        var approvedID: AnnouncementID?
        switch kind {
        case .approve:
            guard let id = AnnouncementID(rawRepresentation: raw.approvedID) else {
                throw .invalidField(field: "approved ID", reason: "an approve must name a 32-byte announcement ID")
            }
            approvedID = id
        case .join, .leave, .policyChange:
            guard raw.approvedID.isEmpty else {
                throw .invalidField(field: "approved ID", reason: "only an approve names an approved ID")
            }
        }
        var policyText = ""
        if kind == .policyChange {
            guard let text = raw.policyText, !text.isEmpty else {
                throw .invalidField(field: "policy text", reason: "a policy change must carry the proposed policy")
            }
            policyText = try Self.text(text, field: "policy text", limit: limits.maxPolicyTextLength)
            guard subject == announcer, enode.isEmpty, endpoint == nil else {
                throw .invalidField(field: "subject", reason: "a policy change names its announcer as subject, with no enode or endpoint")
            }
        } else if raw.policyText != nil {
            throw .invalidField(field: "policy text", reason: "only a policy change carries a policy text")
        }
        guard raw.expiresAt > raw.issuedAt else {
            throw .invalidField(field: "expires-at", reason: "not after issued-at")
        }

        self.consortium = consortium
        self.kind = kind
        self.subject = subject
        self.subjectEnode = enode
        self.agentEndpoint = endpoint
        self.roles = roles
        self.lamportTime = raw.lamportTime
        self.issuedAt = raw.issuedAt
        self.expiresAt = raw.expiresAt
        self.policyHash = policyHash
        self.approvedID = approvedID
        self.announcer = announcer
        self.policyText = policyText
        if let parsedEnode { cacheEnode(parsedEnode.enode, canonical: parsedEnode.canonical) }
    }

    private static func text(_ bytes: ArraySlice<UInt8>, field: String, limit: Int) throws(AnnouncementError) -> String {
        guard bytes.count <= limit else { throw .oversized(field: field, size: bytes.count, limit: limit) }
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.utf8.elementsEqual(bytes) else { throw .invalidField(field: field, reason: "not valid UTF-8") }
        return text
    }

    private static func nodeID(_ bytes: ArraySlice<UInt8>, field: String) throws(AnnouncementError) -> NodeID {
        guard bytes.count == 32, let id = try? NodeID(rawRepresentation: bytes) else {
            throw .invalidField(field: field, reason: "\(bytes.count) bytes, want a 32-byte node ID")
        }
        return id
    }
}
