import HeraldCrypto
import RLP

/// An announcement with its announcer's signature, as carried on the wire
/// and kept in the log.
///
/// The signed encoding is the RLP list `[body, signature]` where `signature`
/// is 65 bytes r‖s‖v over keccak256(announcement domain tag ‖ body). The
/// ``id`` is keccak256 of the signed encoding. A value of this type always
/// holds a verified signature by ``Announcement/announcer``.
public struct SignedAnnouncement: Hashable, Sendable {
    /// The signed body.
    public let announcement: Announcement
    /// The announcer's recoverable signature.
    public let signature: Secp256k1.RecoverableSignature
    /// The signed encoding, exactly as received or produced.
    public let encoded: [UInt8]
    /// keccak256 of ``encoded``.
    public let id: AnnouncementID

    /// Signs `announcement` with the announcer's key.
    ///
    /// - Parameters:
    ///   - announcement: The body; its `announcer` must be `key`'s node ID.
    ///   - key: The announcer's node key.
    /// - Returns: The signed announcement.
    /// - Throws: ``AnnouncementError/signerMismatch(claimed:actual:)`` when the key is
    ///   another node's, or ``AnnouncementError/badSignature`` if signing fails.
    public static func sign(_ announcement: Announcement, with key: Secp256k1.PrivateKey) throws(AnnouncementError) -> SignedAnnouncement {
        let signer = key.publicKey.nodeID
        guard signer == announcement.announcer else {
            throw .signerMismatch(claimed: announcement.announcer, actual: signer)
        }
        let body = announcement.encodedBody
        let signature: Secp256k1.RecoverableSignature
        do {
            signature = try key.signature(forDigest: Announcement.signingDigest(encodedBody: body))
        } catch {
            throw .badSignature
        }
        let encoded = Self.encode(body: body, signature: signature)
        return SignedAnnouncement(announcement: announcement, signature: signature, encoded: encoded)
    }

    /// Decodes a signed encoding and verifies its signature: the signer
    /// recovered from it must be the claimed announcer.
    ///
    /// Checks bounds first, then structure, then the signature (one
    /// public-key recovery). Consortium and time checks need the receiver's
    /// context: see ``verify(consortium:receivedAt:maxClockSkew:)``.
    ///
    /// - Throws: ``AnnouncementError`` naming the first problem.
    public init(decoding bytes: some Collection<UInt8>, limits: AnnouncementLimits = .default) throws(AnnouncementError) {
        try self.init(decoding: bytes, limits: limits, verifySignature: true)
    }

    /// Decodes; with `verifySignature` false, skips the public-key recovery
    /// (for re-reading an agent's own log, whose entry hashes cover the bytes).
    ///
    /// `knownID`, when given, is keccak256 of `bytes` computed by the caller (not recomputed).
    init(decoding bytes: some Collection<UInt8>, limits: AnnouncementLimits, verifySignature: Bool, knownID: AnnouncementID? = nil) throws(AnnouncementError) {
        guard bytes.count <= limits.maxEncodedSize else {
            throw .oversized(field: "signed announcement", size: bytes.count, limit: limits.maxEncodedSize)
        }
        let encoded = Array(bytes)
        var reader = RLPReader(encoded, limits: RLPLimits(maxDepth: 4))
        let body: ArraySlice<UInt8>
        let signatureBytes: [UInt8]
        do throws(RLPError) {
            (body, signatureBytes) = try reader.readList { list throws(RLPError) in
                let body = try list.readRawItem()
                let signature = try list.readBytes(count: 65)
                return (body, signature)
            }
            if !reader.isAtEnd { throw RLPError.trailingBytes(offset: reader.offset) }
        } catch {
            throw .malformed(error)
        }
        let announcement = try Announcement(decodingBody: body, encodedSize: encoded.count, limits: limits)
        guard verifySignature else {
            guard let signature = try? Secp256k1.RecoverableSignature(rawRepresentation: signatureBytes) else { throw .badSignature }
            self.init(announcement: announcement, signature: signature, encoded: encoded, id: knownID)
            return
        }
        guard let signature = try? Secp256k1.RecoverableSignature(rawRepresentation: signatureBytes),
              let signer = try? signature.recoverPublicKey(forDigest: Announcement.signingDigest(encodedBody: body))
        else {
            throw .badSignature
        }
        let signerID = signer.nodeID
        guard signerID == announcement.announcer else {
            throw .signerMismatch(claimed: announcement.announcer, actual: signerID)
        }
        self.init(announcement: announcement, signature: signature, encoded: encoded, id: knownID)
    }

    private init(announcement: Announcement, signature: Secp256k1.RecoverableSignature, encoded: [UInt8], id: AnnouncementID? = nil) {
        self.announcement = announcement
        self.signature = signature
        self.encoded = encoded
        self.id = id ?? AnnouncementID(of: encoded)
    }

    /// The receiver's checks: consortium, expiry and clock skew.
    ///
    /// - Parameters:
    ///   - consortium: The consortium this agent serves.
    ///   - receivedAt: Receipt time, Unix seconds.
    ///   - maxClockSkew: How far in the future `issuedAt` may be, in seconds.
    /// - Throws: ``AnnouncementError/wrongConsortium(expected:actual:)``,
    ///   ``AnnouncementError/expired(expiresAt:receivedAt:)`` or
    ///   ``AnnouncementError/futureDated(issuedAt:receivedAt:maxSkew:)``.
    public func verify(consortium: String, receivedAt: UInt64, maxClockSkew: UInt64) throws(AnnouncementError) {
        guard announcement.consortium == consortium else {
            throw .wrongConsortium(expected: consortium, actual: announcement.consortium)
        }
        guard receivedAt <= announcement.expiresAt else {
            throw .expired(expiresAt: announcement.expiresAt, receivedAt: receivedAt)
        }
        let (latest, overflow) = receivedAt.addingReportingOverflow(maxClockSkew)
        guard overflow || announcement.issuedAt <= latest else {
            throw .futureDated(issuedAt: announcement.issuedAt, receivedAt: receivedAt, maxSkew: maxClockSkew)
        }
    }

    static func encode(body: [UInt8], signature: Secp256k1.RecoverableSignature) -> [UInt8] {
        var writer = RLPWriter(reservingCapacity: body.count + 72)
        writer.writeList { list in
            list.write(rawEncoded: body)
            list.write(bytes: signature.rawRepresentation)
        }
        return writer.bytes
    }
}
