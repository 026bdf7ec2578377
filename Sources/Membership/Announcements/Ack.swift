import HeraldCrypto
import RLP

/// A decision as an ack carries it: a status and, for a rejection, its code.
public enum AckDecision: Hashable, Sendable, CustomStringConvertible {
    /// The receiver accepted the announcement.
    case accepted
    /// The receiver holds it pending approvals.
    case pending
    /// The receiver rejected it for this reason.
    case rejected(RejectionCode)

    /// `accepted`, `pending` or `rejected (code)`.
    public var description: String {
        switch self {
        case .accepted: return "accepted"
        case .pending: return "pending"
        case .rejected(let code): return "rejected: \(code)"
        }
    }
}

/// A receiver's acknowledgement of an announcement: it has fsynced the
/// announcement to its log at `logIndex`, decided `decision`, and its log
/// head is now `logHead`.
///
/// Encoded as `[version, announcementID, receiver, status, code, logIndex, logHead]`.
public struct Ack: Hashable, Sendable {
    /// The encoding version this code writes and reads.
    public static let version: UInt64 = 1

    /// The acknowledged announcement.
    public var announcementID: AnnouncementID
    /// The acknowledging node (the signer).
    public var receiver: NodeID
    /// What the receiver decided.
    public var decision: AckDecision
    /// Where the announcement sits in the receiver's log.
    public var logIndex: UInt64
    /// The receiver's log head after appending it.
    public var logHead: LogHash

    /// Creates an ack body.
    public init(announcementID: AnnouncementID, receiver: NodeID, decision: AckDecision, logIndex: UInt64, logHead: LogHash) {
        self.announcementID = announcementID
        self.receiver = receiver
        self.decision = decision
        self.logIndex = logIndex
        self.logHead = logHead
    }

    /// The RLP encoding of the body.
    public var encodedBody: [UInt8] {
        var writer = RLPWriter(reservingCapacity: 128)
        writer.writeList { list in
            list.write(Self.version)
            list.write(bytes: announcementID.rawRepresentation)
            list.write(bytes: receiver.rawRepresentation)
            switch decision {
            case .accepted: list.write(UInt8(1)); list.write(UInt16(0))
            case .pending: list.write(UInt8(2)); list.write(UInt16(0))
            case .rejected(let code): list.write(UInt8(3)); list.write(code.rawValue)
            }
            list.write(logIndex)
            list.write(bytes: logHead.rawRepresentation)
        }
        return writer.bytes
    }

    static func signingDigest(encodedBody: some Collection<UInt8>) -> Keccak256.Digest {
        var hasher = Keccak256.Hasher()
        hasher.update(DomainTag.ack)
        hasher.update(encodedBody)
        return hasher.finalize()
    }

    /// Decodes and checks an ack body.
    init(decodingBody bytes: ArraySlice<UInt8>) throws(AnnouncementError) {
        var raw = RawAck()
        do throws(RLPError) {
            var reader = RLPReader(bytes, limits: RLPLimits(maxDepth: 2))
            try reader.readList { list throws(RLPError) in
                raw.version = try list.read(UInt64.self)
                guard raw.version == Self.version else { try list.skipRemaining(); return }
                raw.id = try list.readBytes(count: 32)
                raw.receiver = try list.readBytes(count: 32)
                raw.status = try list.read(UInt8.self)
                raw.code = try list.read(UInt16.self)
                raw.index = try list.read(UInt64.self)
                raw.head = try list.readBytes(count: 32)
            }
            if !reader.isAtEnd { throw RLPError.trailingBytes(offset: reader.offset) }
        } catch {
            throw .malformed(error)
        }
        guard raw.version == Self.version else { throw .unknownVersion(raw.version) }
        let decision: AckDecision
        switch (raw.status, raw.code) {
        case (1, 0): decision = .accepted
        case (2, 0): decision = .pending
        case (3, let code):
            guard let rejection = RejectionCode(rawValue: code) else {
                throw .invalidField(field: "decision", reason: "unknown rejection code \(code)")
            }
            decision = .rejected(rejection)
        default:
            throw .invalidField(field: "decision", reason: "unknown status \(raw.status) with code \(raw.code)")
        }
        guard let id = AnnouncementID(rawRepresentation: raw.id),
              let receiver = try? NodeID(rawRepresentation: raw.receiver),
              let head = LogHash(rawRepresentation: raw.head)
        else { throw .invalidField(field: "ack", reason: "bad 32-byte field") }
        self.init(announcementID: id, receiver: receiver, decision: decision, logIndex: raw.index, logHead: head)
    }
}

/// An ack body's fields as read from RLP.
private struct RawAck {
    var version: UInt64 = 0, id: [UInt8] = [], receiver: [UInt8] = []
    var status: UInt8 = 0, code: UInt16 = 0, index: UInt64 = 0, head: [UInt8] = []
}

/// An ack signed by its receiver, under the ack domain tag (so it can never
/// pass for an announcement). Encoded as `[body, signature]`.
public struct SignedAck: Hashable, Sendable {
    /// Largest signed ack accepted, in bytes.
    public static let maxEncodedSize = 512

    /// The signed body.
    public let ack: Ack
    /// The receiver's recoverable signature over keccak256(ack domain tag ‖ body).
    public let signature: Secp256k1.RecoverableSignature
    /// The signed encoding.
    public let encoded: [UInt8]

    /// Signs `ack` with the receiver's key.
    ///
    /// - Throws: ``AnnouncementError/signerMismatch(claimed:actual:)`` when the key is not the receiver's.
    public static func sign(_ ack: Ack, with key: Secp256k1.PrivateKey) throws(AnnouncementError) -> SignedAck {
        let signer = key.publicKey.nodeID
        guard signer == ack.receiver else { throw .signerMismatch(claimed: ack.receiver, actual: signer) }
        let body = ack.encodedBody
        guard let signature = try? key.signature(forDigest: Ack.signingDigest(encodedBody: body)) else {
            throw .badSignature
        }
        return SignedAck(ack: ack, signature: signature, encoded: SignedAnnouncement.encode(body: body, signature: signature))
    }

    /// Decodes a signed ack and verifies that the receiver signed it.
    ///
    /// - Throws: ``AnnouncementError`` naming the first problem.
    public init(decoding bytes: some Collection<UInt8>) throws(AnnouncementError) {
        guard bytes.count <= Self.maxEncodedSize else {
            throw .oversized(field: "signed ack", size: bytes.count, limit: Self.maxEncodedSize)
        }
        let encoded = Array(bytes)
        var reader = RLPReader(encoded, limits: RLPLimits(maxDepth: 3))
        let body: ArraySlice<UInt8>
        let signatureBytes: [UInt8]
        do throws(RLPError) {
            (body, signatureBytes) = try reader.readList { list throws(RLPError) in
                (try list.readRawItem(), try list.readBytes(count: 65))
            }
            if !reader.isAtEnd { throw RLPError.trailingBytes(offset: reader.offset) }
        } catch {
            throw .malformed(error)
        }
        let ack = try Ack(decodingBody: body)
        guard let signature = try? Secp256k1.RecoverableSignature(rawRepresentation: signatureBytes),
              let signer = try? signature.recoverPublicKey(forDigest: Ack.signingDigest(encodedBody: body))
        else { throw .badSignature }
        guard signer.nodeID == ack.receiver else {
            throw .signerMismatch(claimed: ack.receiver, actual: signer.nodeID)
        }
        self.init(ack: ack, signature: signature, encoded: encoded)
    }

    private init(ack: Ack, signature: Secp256k1.RecoverableSignature, encoded: [UInt8]) {
        self.ack = ack
        self.signature = signature
        self.encoded = encoded
    }
}
