import RLP

/// The `shh/6` Status packet (code 0): `[version, pow, bloom, lightNode]`.
public struct WhisperStatus: Hashable, Sendable {
    /// Protocol version; 6.
    public var version: UInt64
    /// The sender's minimum PoW (carried as its IEEE-754 bits in an RLP integer).
    public var proofOfWorkRequirement: Double
    /// The sender's bloom filter; `nil` when none was sent (an empty
    /// string), which like ``TopicBloom/full`` means "every topic".
    public var bloom: TopicBloom?
    /// geth's light-client flag.
    public var isLightNode: Bool

    /// A version-6 Status.
    public init(proofOfWorkRequirement: Double = 0, bloom: TopicBloom? = nil, isLightNode: Bool = false) {
        self.version = WhisperProtocol.version
        self.proofOfWorkRequirement = proofOfWorkRequirement
        self.bloom = bloom
        self.isLightNode = isLightNode
    }

    /// Whether the sender accepts envelopes on every topic (no bloom, or all `ff`).
    public var acceptsAllTopics: Bool {
        bloom?.isFull ?? true
    }

    /// Whether an envelope on `topic` may be sent to this peer.
    public func accepts(_ topic: Topic) -> Bool {
        bloom?.matches(topic) ?? true
    }

    /// The packet's message-data.
    func encode(to writer: inout RLPWriter) {
        writer.writeList { list in
            list.write(version)
            list.write(proofOfWorkRequirement.bitPattern)
            list.write(bytes: bloom?.rawRepresentation ?? [])
            list.write(UInt64(isLightNode ? 1 : 0))
        }
    }

    /// Parses a Status as geth does (§2): the version is mandatory and must
    /// be 6; the PoW is optional and, if it is not an unsigned integer, it
    /// and the bloom are skipped; a bloom must be 0 or 64 bytes; the light
    /// flag reads as `false` unless it is exactly `01`; further fields are ignored.
    static func decode(_ data: some Collection<UInt8>) throws(PacketError) -> WhisperStatus {
        let code = WhisperPacket.statusCode
        let fields: [ArraySlice<UInt8>]
        do throws(RLPError) {
            fields = try RLP.decode(RawFields.self, from: data).fields
        } catch {
            throw .malformed(code: code, error)
        }
        let version: UInt64
        do throws(RLPError) {
            version = try RLP.decode(UInt64.self, from: fields[0])
        } catch {
            throw .malformed(code: code, error)
        }
        guard version == WhisperProtocol.version else {
            throw .unsupportedVersion(version)
        }
        var status = WhisperStatus()
        var optionalFieldsRead = true
        if fields.count > 1 {
            if let bits = try? RLP.decode(UInt64.self, from: fields[1]) {
                let value = Double(bitPattern: bits)
                guard value.isFinite, !(value < 0) else {
                    throw .invalidProofOfWork(code: code, bitPattern: bits)
                }
                status.proofOfWorkRequirement = value
                if fields.count > 2 {
                    if let bloomBytes = try? RLP.decode([UInt8].self, from: fields[2]) {
                        if bloomBytes.isEmpty {
                            status.bloom = nil
                        } else if let bloom = TopicBloom(rawRepresentation: bloomBytes) {
                            status.bloom = bloom
                        } else {
                            throw .wrongBloomLength(code: code, length: bloomBytes.count)
                        }
                    } else {
                        optionalFieldsRead = false
                    }
                }
            } else {
                optionalFieldsRead = false
            }
        }
        if optionalFieldsRead && fields.count > 3 {
            status.isLightNode = Array(fields[3]) == [0x01]
        }
        return status
    }

    /// The first one to four raw fields of a list; the rest validated and ignored.
    private struct RawFields: RLPDecodable {
        var fields: [ArraySlice<UInt8>]

        init(from reader: inout RLPReader) throws(RLPError) {
            fields = try reader.readList { (list: inout RLPReader) throws(RLPError) -> [ArraySlice<UInt8>] in
                // The version is mandatory: reading it from an empty list fails.
                var fields: [ArraySlice<UInt8>] = [try list.readRawItem()]
                while !list.isAtEnd && fields.count < 4 {
                    fields.append(try list.readRawItem())
                }
                try list.skipRemaining()
                return fields
            }
        }
    }
}
