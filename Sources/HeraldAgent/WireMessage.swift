import HeraldCrypto
import Membership
import RLP

/// What one Whisper message between agents carries, as the RLP list
/// `[type, ...]`: an announcement, an ack, a range reconciliation step, a
/// request for entries, a batch of log entries for anti-entropy, or a
/// cluster query and its reply.
enum WireMessage: Sendable, Equatable {
    /// A signed announcement (its signed encoding) and the nodes known to
    /// have been sent it already (the announcer's direct recipients, and
    /// whoever forwarded it), so that a receiver forwards it only to the others.
    case announcement([UInt8], reached: [NodeID] = [])
    /// A signed ack.
    case ack([UInt8])
    /// Range reconciliation: fingerprints or ID lists of ranges of the ID
    /// space (see ``RangeReconciliation``). A root summary is one part.
    case reconcile([RangePart])
    /// Log entries the receiver may lack: signed announcement, the sender's
    /// receipt time and, for an entry that has expired, witnesses to its
    /// receipt in time.
    case entries([Entry])
    /// Announcement IDs the sender lacks: answer with their entries.
    case want([AnnouncementID])
    /// Type 10: asks the receiver for its member digest and log head (`herald members --cluster`);
    /// the reply echoes the random nonce.
    case clusterQuery(nonce: [UInt8])
    /// Type 11: the answer to a ``clusterQuery(nonce:)``.
    case clusterReply(ClusterReply)

    /// Whether the message carries its author's signature over itself, so
    /// that its envelope goes unsigned: an ack, signed by its receiver. Every
    /// other message is trusted as its envelope's signer's.
    var isSelfSigned: Bool {
        if case .ack = self { return true }
        return false
    }

    /// One log entry, as `[announcement, receivedAt]` or, with witnesses,
    /// `[announcement, receivedAt, [signedAck, ...]]`.
    struct Entry: Sendable, Equatable {
        /// The signed announcement.
        var encoded: [UInt8]
        /// When the sender's log says it was received.
        var receivedAt: UInt64
        /// Signed acks of the announcement (the sender's own among them)
        /// that back the claim that it was received before it expired; at
        /// most ``WireMessage/maxWitnesses``. Empty for an entry not expired.
        var witnesses: [[UInt8]] = []
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

    /// Largest number of entries in one batch, and of IDs in one `want`.
    static let maxEntries = 1024
    /// Largest number of parts in one `reconcile` message.
    static let maxRangeParts = 16
    /// Largest `reached` list; a sender with more lists only this many, which
    /// costs at most some redundant forwards.
    static let maxReached = 256
    /// Largest number of witness acks on one entry.
    static let maxWitnesses = 8

    func encoded() -> [UInt8] {
        var writer = RLPWriter(reservingCapacity: 256)
        writer.writeList { list in
            switch self {
            case .announcement(let bytes, let reached):
                list.write(UInt8(1))
                list.write(bytes: bytes)
                // Without a reached list the encoding is the original `[1, bytes]`.
                if !reached.isEmpty {
                    list.writeList { nodes in for node in reached.prefix(Self.maxReached) { nodes.write(bytes: node.rawRepresentation) } }
                }
            case .ack(let bytes): list.write(UInt8(2)); list.write(bytes: bytes)
            case .reconcile(let parts):
                list.write(UInt8(3))
                list.writeList { items in
                    for part in parts { Self.write(part, to: &items) }
                }
            case .entries(let entries):
                list.write(UInt8(4))
                list.writeList { items in
                    for entry in entries {
                        items.writeList { item in
                            item.write(bytes: entry.encoded)
                            item.write(entry.receivedAt)
                            if !entry.witnesses.isEmpty {
                                item.writeList { acks in for ack in entry.witnesses { acks.write(bytes: ack) } }
                            }
                        }
                    }
                }
            case .want(let ids):
                list.write(UInt8(5))
                list.writeList { items in for id in ids { items.write(bytes: id.rawRepresentation) } }
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

    /// A part is `[0, nibbleCount, packedNibbles, [[count, xor], ×16]]` or
    /// `[1, nibbleCount, packedNibbles, [id, ...]]`.
    private static func write(_ part: RangePart, to list: inout RLPWriter) {
        list.writeList { item in
            switch part {
            case .fingerprints(let prefix, let children):
                item.write(UInt8(0)); item.write(UInt8(prefix.count)); item.write(bytes: prefix.packed)
                item.writeList { fingerprints in
                    for child in children {
                        fingerprints.writeList { pair in pair.write(child.count); pair.write(bytes: child.xor.bytes) }
                    }
                }
            case .ids(let prefix, let ids):
                item.write(UInt8(1)); item.write(UInt8(prefix.count)); item.write(bytes: prefix.packed)
                item.writeList { list in for id in ids { list.write(bytes: id.rawRepresentation) } }
            }
        }
    }

    /// Decodes and checks one message: canonical RLP, known type, every list
    /// within its bound, every range well formed (a fingerprint part has
    /// exactly 16 children and a prefix shorter than 64 nibbles; an ID list
    /// has at most ``RangeReconciliation/maxIDsPerRange`` IDs, strictly
    /// ascending, all inside its range).
    init(decoding bytes: some Collection<UInt8>) throws(WireMessageError) {
        var reader = RLPReader(bytes, limits: RLPLimits(maxDepth: 5))
        var problem: WireMessageError?
        do throws(RLPError) {
            self = try reader.readList { list throws(RLPError) -> WireMessage in
                let typeOffset = list.offset
                switch try list.read(UInt8.self) {
                case 1:
                    let bytes = try list.readBytes()
                    var reached: [NodeID] = []
                    if !list.isAtEnd {
                        reached = try list.readList { nodes throws(RLPError) -> [NodeID] in
                            var reached: [NodeID] = []
                            while !nodes.isAtEnd {
                                guard reached.count < Self.maxReached else { throw .listNotFullyConsumed(offset: nodes.offset) }
                                let raw = try nodes.readBytes(count: 32)
                                // 32 bytes always make a node ID.
                                reached.append(try! NodeID(rawRepresentation: raw))
                            }
                            return reached
                        }
                    }
                    return .announcement(bytes, reached: reached)
                case 2: return .ack(try list.readBytes())
                case 3:
                    let parts = try list.readList { items throws(RLPError) -> [RangePart] in
                        var parts: [RangePart] = []
                        while !items.isAtEnd {
                            guard parts.count < Self.maxRangeParts else { throw .listNotFullyConsumed(offset: items.offset) }
                            let offset = items.offset
                            guard let part = try Self.readPart(&items) else {
                                problem = problem ?? .invalidRange(offset: offset)
                                continue
                            }
                            parts.append(part)
                        }
                        return parts
                    }
                    return .reconcile(parts)
                case 4:
                    let entries = try list.readList { items throws(RLPError) -> [Entry] in
                        var entries: [Entry] = []
                        while !items.isAtEnd {
                            guard entries.count < Self.maxEntries else { throw .listNotFullyConsumed(offset: items.offset) }
                            entries.append(try items.readList { item throws(RLPError) in
                                var entry = Entry(encoded: try item.readBytes(), receivedAt: try item.read(UInt64.self))
                                if !item.isAtEnd {
                                    entry.witnesses = try item.readList { acks throws(RLPError) -> [[UInt8]] in
                                        var witnesses: [[UInt8]] = []
                                        while !acks.isAtEnd {
                                            guard witnesses.count < Self.maxWitnesses else { throw .listNotFullyConsumed(offset: acks.offset) }
                                            witnesses.append(try acks.readBytes())
                                        }
                                        return witnesses
                                    }
                                }
                                return entry
                            })
                        }
                        return entries
                    }
                    return .entries(entries)
                case 5:
                    let ids = try list.readList { items throws(RLPError) -> [AnnouncementID] in
                        var ids: [AnnouncementID] = []
                        while !items.isAtEnd {
                            guard ids.count < Self.maxEntries else { throw .listNotFullyConsumed(offset: items.offset) }
                            ids.append(AnnouncementID(rawRepresentation: try items.readBytes(count: 32))!)
                        }
                        return ids
                    }
                    return .want(ids)
                case 10: return .clusterQuery(nonce: try list.readBytes(count: Self.nonceSize))
                case 11:
                    return .clusterReply(ClusterReply(
                        nonce: try list.readBytes(count: Self.nonceSize), digest: try list.readBytes(count: 32),
                        logEntries: try list.read(UInt64.self), logHead: try list.readBytes(count: 32),
                        members: try list.read(UInt64.self), policyHash: try list.readBytes(count: 32)))
                default:
                    problem = .unknownType(offset: typeOffset)
                    try list.skipRemaining()
                    return .want([])
                }
            }
            if !reader.isAtEnd { throw .trailingBytes(offset: reader.offset) }
        } catch {
            throw .malformed(error)
        }
        if let problem { throw problem }
    }

    /// One range part; nil when it is well-formed RLP but not a valid range.
    private static func readPart(_ items: inout RLPReader) throws(RLPError) -> RangePart? {
        try items.readList { item throws(RLPError) -> RangePart? in
            let kind = try item.read(UInt8.self)
            let count = Int(try item.read(UInt8.self))
            let packed = try item.readBytes()
            guard kind <= 1, let prefix = IDPrefix(packed: packed, count: count) else {
                try item.skipRemaining()
                return nil
            }
            if kind == 0 {
                var children: [RangeFingerprint] = []
                try item.readList { list throws(RLPError) in
                    while !list.isAtEnd {
                        guard children.count < 16 else { throw .listNotFullyConsumed(offset: list.offset) }
                        children.append(try list.readList { pair throws(RLPError) in
                            RangeFingerprint(count: try pair.read(UInt64.self), xor: IDKey(bytes: try pair.readBytes(count: 32))!)
                        })
                    }
                }
                guard children.count == 16, prefix.count < IDPrefix.maxLength else { return nil }
                return .fingerprints(prefix, children)
            }
            var keys: [IDKey] = []
            try item.readList { list throws(RLPError) in
                while !list.isAtEnd {
                    guard keys.count < RangeReconciliation.maxIDsPerRange else { throw .listNotFullyConsumed(offset: list.offset) }
                    keys.append(IDKey(bytes: try list.readBytes(count: 32))!)
                }
            }
            // Strictly ascending and inside the range: one encoding per list, no duplicates, nothing out of place.
            guard zip(keys, keys.dropFirst()).allSatisfy({ $0 < $1 }), keys.allSatisfy(prefix.contains) else { return nil }
            return .ids(prefix, keys.map(\.id))
        }
    }
}

/// Why bytes are not a ``WireMessage``.
enum WireMessageError: Error, Equatable, CustomStringConvertible {
    /// Not canonical RLP of the expected shape, or a list over its bound.
    case malformed(RLPError)
    /// A message type this agent does not know.
    case unknownType(offset: Int)
    /// A range part with a bad prefix, a wrong number of children, or IDs unsorted or outside its range.
    case invalidRange(offset: Int)

    var description: String {
        switch self {
        case .malformed(let error): return "\(error)"
        case .unknownType(let offset): return "unknown message type at byte \(offset)"
        case .invalidRange(let offset): return "invalid range part at byte \(offset)"
        }
    }
}

/// The agent's wire decoding as the fuzz targets (Fuzz/) drive it; not part of
/// the agent's API.
package enum WireMessageProbe {
    /// Decodes `bytes` as a message between agents, as the agent does; nil when refused.
    /// A message that decodes must decode again, to itself, from its own encoding.
    package static func decodeRoundTrip(_ bytes: [UInt8]) -> (decoded: Bool, stable: Bool) {
        guard let message = try? WireMessage(decoding: bytes) else { return (false, true) }
        return (true, (try? WireMessage(decoding: message.encoded())) == message)
    }
}
