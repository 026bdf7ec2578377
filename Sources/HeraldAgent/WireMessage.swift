import Membership
import RLP

/// What one Whisper message between agents carries, as the RLP list
/// `[type, ...]`: an announcement, an ack, a log summary, a batch of log
/// entries for anti-entropy, or a cluster query and its reply.
enum WireMessage: Sendable, Equatable {
    /// A signed announcement (its signed encoding).
    case announcement([UInt8])
    /// A signed ack.
    case ack([UInt8])
    /// The sender's log summary: entry count and the XOR of all announcement IDs.
    case summary(count: UInt64, setHash: [UInt8])
    /// Log entries the receiver may lack: signed announcement and the sender's receipt time.
    case entries([Entry])
    /// Type 10: asks the receiver for its member digest and log head (`herald members --cluster`);
    /// the reply echoes the random nonce.
    case clusterQuery(nonce: [UInt8])
    /// Type 11: the answer to a ``clusterQuery(nonce:)``.
    case clusterReply(ClusterReply)

    struct Entry: Sendable, Equatable {
        var encoded: [UInt8]
        var receivedAt: UInt64
    }

    /// One agent's view, as `[11, nonce, digest, logEntries, logHead, members, policyHash]`.
    struct ClusterReply: Sendable, Equatable {
        /// The query's nonce.
        var nonce: [UInt8]
        /// The member list digest (32 bytes).
        var digest: [UInt8]
        /// Log entries.
        var logEntries: UInt64
        /// The hash of the last log entry (32 bytes).
        var logHead: [UInt8]
        /// Current members.
        var members: UInt64
        /// The hash of the policy in force (32 bytes).
        var policyHash: [UInt8]
    }

    /// Bytes in a cluster query nonce.
    static let nonceSize = 16

    /// Largest number of entries in one batch.
    static let maxEntries = 1024

    func encoded() -> [UInt8] {
        var writer = RLPWriter(reservingCapacity: 256)
        writer.writeList { list in
            switch self {
            case .announcement(let bytes): list.write(UInt8(1)); list.write(bytes: bytes)
            case .ack(let bytes): list.write(UInt8(2)); list.write(bytes: bytes)
            case .summary(let count, let setHash): list.write(UInt8(3)); list.write(count); list.write(bytes: setHash)
            case .entries(let entries):
                list.write(UInt8(4))
                list.writeList { items in
                    for entry in entries {
                        items.writeList { item in item.write(bytes: entry.encoded); item.write(entry.receivedAt) }
                    }
                }
            case .clusterQuery(let nonce): list.write(UInt8(10)); list.write(bytes: nonce)
            case .clusterReply(let reply):
                list.write(UInt8(11))
                list.write(bytes: reply.nonce)
                list.write(bytes: reply.digest)
                list.write(reply.logEntries)
                list.write(bytes: reply.logHead)
                list.write(reply.members)
                list.write(bytes: reply.policyHash)
            }
        }
        return writer.bytes
    }

    init(decoding bytes: some Collection<UInt8>) throws(RLPError) {
        var reader = RLPReader(bytes, limits: RLPLimits(maxDepth: 4))
        self = try reader.readList { list throws(RLPError) -> WireMessage in
            let typeOffset = list.offset
            switch try list.read(UInt8.self) {
            case 1: return .announcement(try list.readBytes())
            case 2: return .ack(try list.readBytes())
            case 3: return .summary(count: try list.read(UInt64.self), setHash: try list.readBytes(count: 32))
            case 4:
                let entries = try list.readList { items throws(RLPError) -> [Entry] in
                    var entries: [Entry] = []
                    while !items.isAtEnd {
                        guard entries.count < Self.maxEntries else { throw .integerTooLarge(offset: items.offset, maxBytes: 0) }
                        entries.append(try items.readList { item throws(RLPError) in
                            Entry(encoded: try item.readBytes(), receivedAt: try item.read(UInt64.self))
                        })
                    }
                    return entries
                }
                return .entries(entries)
            case 10: return .clusterQuery(nonce: try list.readBytes(count: Self.nonceSize))
            case 11:
                return .clusterReply(ClusterReply(
                    nonce: try list.readBytes(count: Self.nonceSize), digest: try list.readBytes(count: 32),
                    logEntries: try list.read(UInt64.self), logHead: try list.readBytes(count: 32),
                    members: try list.read(UInt64.self), policyHash: try list.readBytes(count: 32)))
            default:
                throw .integerTooLarge(offset: typeOffset, maxBytes: 1)
            }
        }
        if !reader.isAtEnd { throw .trailingBytes(offset: reader.offset) }
    }
}
