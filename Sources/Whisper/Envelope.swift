import HeraldCrypto
import RLP

/// A Whisper v6 envelope: the unit that is flooded between peers.
///
/// On the wire it is the RLP list `[Expiry, TTL, Topic, Data, Nonce]`
/// (integers minimal, Topic exactly 4 bytes). `Data` is the encrypted
/// message; only a holder of the key can open it (``EnvelopeOpener``).
public struct Envelope: Hashable, Sendable {
    /// Unix time (seconds) after which the envelope is dead.
    public var expiry: UInt32
    /// Time to live in seconds; `expiry - timeToLive` is the send time.
    public var timeToLive: UInt32
    /// The topic receivers filter on.
    public var topic: Topic
    /// The encrypted message (AES-256-GCM or ECIES output).
    public var data: [UInt8]
    /// The proof-of-work nonce.
    public var nonce: UInt64

    /// Creates an envelope from its five wire fields.
    public init(expiry: UInt32, timeToLive: UInt32, topic: Topic, data: [UInt8], nonce: UInt64 = 0) {
        self.expiry = expiry
        self.timeToLive = timeToLive
        self.topic = topic
        self.data = data
        self.nonce = nonce
    }

    /// Header length geth adds to `Data` for an envelope's size.
    public static let headerSize = 20

    /// geth's `size()`: `20 + data.count`, the value compared with the
    /// maximum message size. Not the length of the RLP encoding.
    public var size: Int { Envelope.headerSize + data.count }

    /// The send time, `expiry - timeToLive` in wrapping 32-bit arithmetic
    /// (so a TTL larger than the expiry reads as a far-future send time, as in geth).
    public var sent: UInt32 { expiry &- timeToLive }

    /// The bloom filter of the envelope's topic.
    public var bloom: TopicBloom { topic.bloom }

    /// keccak256 of the envelope's RLP encoding: its identity for
    /// de-duplication and forwarding. Computed without building the encoding.
    public var hash: Keccak256.Digest {
        let header = fieldsHeader()
        var nonceBytes: [UInt8] = []
        EnvelopeEncoding.appendInteger(nonce, to: &nonceBytes)
        var prefix: [UInt8] = []
        EnvelopeEncoding.appendLengthPrefix(header.count + data.count + nonceBytes.count,
                                            base: EnvelopeEncoding.listBase, to: &prefix)
        var hasher = Keccak256.Hasher()
        hasher.update(prefix)
        hasher.update(header)
        hasher.update(data)
        hasher.update(nonceBytes)
        return hasher.finalize()
    }

    /// The envelope's proof of work, exactly as geth v1.9.20 computes it:
    /// `2^z / len(shortRLP) / (TTL + extension)` in IEEE-754 doubles, where
    /// `z` is the number of leading zero bits of
    /// `keccak256(shortRLP ‖ nonce as 8 bytes big-endian)` and `shortRLP` is
    /// the RLP of `[Expiry, TTL, Topic, Data]`.
    ///
    /// - Parameter diff: seconds added to the TTL (wrapping, as geth's
    ///   uint32 sum); geth uses `sent - now + 1` for envelopes sent slightly
    ///   in the future. A total of 0 gives `+infinity`.
    /// - Returns: the PoW value; never negative.
    public func proofOfWork(timeToLiveExtension diff: UInt32 = 0) -> Double {
        let (hasher, length) = shortRLPHasher()
        return ProofOfWork.value(leadingZeroBits: ProofOfWork.leadingZeroBits(of: Envelope.powHash(hasher, nonce: nonce)),
                                 shortRLPLength: length,
                                 timeToLive: timeToLive &+ diff)
    }

    // MARK: - Internals

    /// keccak256(shortRLP ‖ nonce big-endian), the PoW hash.
    package var proofOfWorkHash: Keccak256.Digest {
        Envelope.powHash(shortRLPHasher().hasher, nonce: nonce)
    }

    /// RLP of `[Expiry, TTL, Topic, Data]`, the input of the PoW hash.
    package var shortRLP: [UInt8] {
        let header = fieldsHeader()
        var bytes: [UInt8] = []
        EnvelopeEncoding.appendLengthPrefix(header.count + data.count, base: EnvelopeEncoding.listBase, to: &bytes)
        bytes += header
        bytes += data
        return bytes
    }

    /// enc(Expiry) ‖ enc(TTL) ‖ enc(Topic) ‖ string prefix of Data (the
    /// Data bytes themselves follow it in every encoding).
    private func fieldsHeader() -> [UInt8] {
        var header: [UInt8] = []
        header.reserveCapacity(24)
        EnvelopeEncoding.appendInteger(UInt64(expiry), to: &header)
        EnvelopeEncoding.appendInteger(UInt64(timeToLive), to: &header)
        header.append(EnvelopeEncoding.stringBase + UInt8(Topic.byteCount))
        header += topic.rawRepresentation
        EnvelopeEncoding.appendStringPrefix(for: data, to: &header)
        return header
    }

    /// A hasher that has absorbed the short RLP, and that RLP's length.
    private func shortRLPHasher() -> (hasher: Keccak256.Hasher, length: Int) {
        let header = fieldsHeader()
        var prefix: [UInt8] = []
        EnvelopeEncoding.appendLengthPrefix(header.count + data.count, base: EnvelopeEncoding.listBase, to: &prefix)
        var hasher = Keccak256.Hasher()
        hasher.update(prefix)
        hasher.update(header)
        hasher.update(data)
        return (hasher, prefix.count + header.count + data.count)
    }

    private static func powHash(_ base: Keccak256.Hasher, nonce: UInt64) -> Keccak256.Digest {
        var hasher = base
        withUnsafeBytes(of: nonce.bigEndian) { hasher.update($0) }
        return hasher.finalize()
    }

    /// Searches nonces 0, 1, 2, … for one whose PoW reaches `target`, as
    /// geth's `Seal` does, but sizing the target with the checker's formula
    /// (§6.2) so the result really meets it.
    ///
    /// - Parameters:
    ///   - target: a positive, finite PoW.
    ///   - isPastDeadline: consulted before every 1024 hashes.
    package mutating func findNonce(reaching target: Double, isPastDeadline: () -> Bool) throws(SealError) {
        guard target.isFinite, target > 0 else {
            throw .invalidProofOfWorkTarget(target)
        }
        let (hasher, length) = shortRLPHasher()
        guard let zeros = ProofOfWork.requiredLeadingZeroBits(target: target, shortRLPLength: length,
                                                              timeToLive: timeToLive) else {
            throw .proofOfWorkUnreachable(target: target)
        }
        guard let found = ProofOfWork.searchNonce(from: hasher, leadingZeroBits: zeros,
                                                  isPastDeadline: isPastDeadline) else {
            throw .proofOfWorkTimedOut(target: target)
        }
        nonce = found
    }
}

extension Envelope: RLPCodable {
    /// Writes `[Expiry, TTL, Topic, Data, Nonce]`.
    public func encode(to writer: inout RLPWriter) {
        writer.writeList { list in
            list.write(expiry)
            list.write(timeToLive)
            list.write(bytes: topic.rawRepresentation)
            list.write(bytes: data)
            list.write(nonce)
        }
    }

    /// Reads exactly five canonical fields, as geth's decoder accepts them:
    /// minimal integers within 32/32/64 bits and a 4-byte topic.
    public init(from reader: inout RLPReader) throws(RLPError) {
        self = try reader.readList { (list: inout RLPReader) throws(RLPError) -> Envelope in
            let expiry = try list.read(UInt32.self)
            let timeToLive = try list.read(UInt32.self)
            let topicBytes = try list.readBytes(count: Topic.byteCount)
            let data = try list.readBytes()
            let nonce = try list.read(UInt64.self)
            return Envelope(expiry: expiry, timeToLive: timeToLive,
                            topic: Topic(truncatingOrPadding: topicBytes), data: data, nonce: nonce)
        }
    }
}
