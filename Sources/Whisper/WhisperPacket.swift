import RLP

/// One `shh/6` packet: its local message code (0...127; the RLPx message id
/// is the capability offset plus this) and its message-data as a value.
///
/// ```swift
/// let packet = try WhisperPacket.decode(code: id - offset, data: messageData)
/// ```
public enum WhisperPacket: Hashable, Sendable {
    /// Code 0: the handshake.
    case status(WhisperStatus)
    /// Code 1: a batch of envelopes (possibly empty).
    case messages([Envelope])
    /// Code 2: the sender's new minimum PoW.
    case proofOfWorkRequirement(Double)
    /// Code 3: the sender's new bloom filter.
    case bloomFilter(TopicBloom)
    /// Code 126: one envelope for a mail server.
    case p2pRequest(Envelope)
    /// Code 127: one envelope sent directly to a trusted peer.
    case p2pMessage(Envelope)
    /// Codes 4...125: unused by `shh/6`; geth ignores them. The data is kept as received.
    case unknown(code: UInt64, data: [UInt8])

    /// Status.
    public static let statusCode: UInt64 = 0
    /// Messages.
    public static let messagesCode: UInt64 = 1
    /// PoW Requirement.
    public static let proofOfWorkRequirementCode: UInt64 = 2
    /// Bloom Filter.
    public static let bloomFilterCode: UInt64 = 3
    /// P2P Request.
    public static let p2pRequestCode: UInt64 = 126
    /// P2P Message.
    public static let p2pMessageCode: UInt64 = 127

    /// The packet's local message code.
    public var code: UInt64 {
        switch self {
        case .status: return WhisperPacket.statusCode
        case .messages: return WhisperPacket.messagesCode
        case .proofOfWorkRequirement: return WhisperPacket.proofOfWorkRequirementCode
        case .bloomFilter: return WhisperPacket.bloomFilterCode
        case .p2pRequest: return WhisperPacket.p2pRequestCode
        case .p2pMessage: return WhisperPacket.p2pMessageCode
        case let .unknown(code, _): return code
        }
    }

    /// The packet's message-data (RLP; not wrapped in a list with the code).
    public func encodedData() -> [UInt8] {
        var writer = RLPWriter()
        switch self {
        case let .status(status):
            status.encode(to: &writer)
        case let .messages(envelopes):
            writer.writeList { list in
                for envelope in envelopes {
                    list.write(envelope)
                }
            }
        case let .proofOfWorkRequirement(value):
            writer.write(value.bitPattern)
        case let .bloomFilter(bloom):
            writer.write(bytes: bloom.rawRepresentation)
        case let .p2pRequest(envelope), let .p2pMessage(envelope):
            writer.write(envelope)
        case let .unknown(_, data):
            return data
        }
        return writer.bytes
    }

    /// Decodes one packet as geth does on receipt (§1–§4).
    ///
    /// - Parameters:
    ///   - code: the local message code (RLPx id minus the capability offset).
    ///   - data: the message-data (decompressed).
    ///   - maxSize: the largest message-data accepted, checked before decoding
    ///     (geth's default 1 MiB).
    /// - Returns: the packet; codes 4...125 as ``unknown(code:data:)``.
    /// - Throws: ``PacketError``, every case a reason to disconnect.
    public static func decode(code: UInt64, data: some Collection<UInt8>,
                              maxSize: Int = WhisperProtocol.defaultMaxMessageSize) throws(PacketError) -> WhisperPacket {
        guard code < WhisperProtocol.messageCodeCount else {
            throw .codeOutOfRange(code: code)
        }
        let size = data.count
        guard size <= maxSize else {
            throw .tooLarge(code: code, size: size, limit: maxSize)
        }
        switch code {
        case statusCode:
            return .status(try WhisperStatus.decode(data))
        case messagesCode:
            return .messages(try decodeRLP(code: code) { () throws(RLPError) in
                try RLP.decode(EnvelopeBatch.self, from: data).envelopes
            })
        case proofOfWorkRequirementCode:
            let bits = try decodeRLP(code: code) { () throws(RLPError) in try RLP.decode(UInt64.self, from: data) }
            let value = Double(bitPattern: bits)
            guard value.isFinite, !(value < 0) else {
                throw .invalidProofOfWork(code: code, bitPattern: bits)
            }
            return .proofOfWorkRequirement(value)
        case bloomFilterCode:
            let bytes = try decodeRLP(code: code) { () throws(RLPError) in try RLP.decode([UInt8].self, from: data) }
            guard let bloom = TopicBloom(rawRepresentation: bytes) else {
                throw .wrongBloomLength(code: code, length: bytes.count)
            }
            return .bloomFilter(bloom)
        case p2pRequestCode:
            return .p2pRequest(try decodeRLP(code: code) { () throws(RLPError) in try RLP.decode(Envelope.self, from: data) })
        case p2pMessageCode:
            return .p2pMessage(try decodeRLP(code: code) { () throws(RLPError) in try RLP.decode(Envelope.self, from: data) })
        default:
            return .unknown(code: code, data: Array(data))
        }
    }

    private static func decodeRLP<T>(code: UInt64, _ body: () throws(RLPError) -> T) throws(PacketError) -> T {
        do throws(RLPError) {
            return try body()
        } catch {
            throw .malformed(code: code, error)
        }
    }

    /// A human name for a code, for messages and logs.
    public static func name(code: UInt64) -> String {
        switch code {
        case statusCode: return "Status"
        case messagesCode: return "Messages"
        case proofOfWorkRequirementCode: return "PoW Requirement"
        case bloomFilterCode: return "Bloom Filter"
        case p2pRequestCode: return "P2P Request"
        case p2pMessageCode: return "P2P Message"
        default: return "code \(code)"
        }
    }

    /// The Messages list.
    private struct EnvelopeBatch: RLPDecodable {
        var envelopes: [Envelope]

        init(from reader: inout RLPReader) throws(RLPError) {
            envelopes = try reader.readList { (list: inout RLPReader) throws(RLPError) -> [Envelope] in
                var envelopes: [Envelope] = []
                while !list.isAtEnd {
                    envelopes.append(try list.read(Envelope.self))
                }
                return envelopes
            }
        }
    }
}
