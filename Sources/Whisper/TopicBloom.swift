import HeraldCrypto

/// A 64-byte (512-bit) bloom filter over topics, as carried in the `shh/6`
/// Status and Bloom Filter packets.
///
/// A topic's bloom is built exactly as geth's `TopicToBloom` does it: three
/// bit indices are derived from the topic, and for each the *whole byte* is
/// assigned (not OR-ed), so when two indices share a byte the later one
/// wins. A node's bloom is the union of the blooms of its topics.
public struct TopicBloom: Hashable, Sendable, CustomStringConvertible {
    /// Number of bytes in a bloom filter.
    public static let byteCount = 64

    /// The 64 bytes; byte 0 first, bit 0 the least significant bit.
    public private(set) var rawRepresentation: [UInt8]

    /// The bloom that matches every topic (all 64 bytes `ff`): what a full
    /// node advertises.
    public static let full = TopicBloom(unchecked: [UInt8](repeating: 0xff, count: byteCount))

    /// The bloom that matches no topic (all zero); the start of a union.
    public static let empty = TopicBloom(unchecked: [UInt8](repeating: 0, count: byteCount))

    private init(unchecked bytes: [UInt8]) {
        rawRepresentation = bytes
    }

    /// Exactly 64 bytes; `nil` for any other length.
    public init?(rawRepresentation bytes: some Collection<UInt8>) {
        guard bytes.count == TopicBloom.byteCount else { return nil }
        self.init(unchecked: Array(bytes))
    }

    /// The bloom of one topic, as geth's `TopicToBloom`.
    ///
    /// For `j` in 0, 1, 2: `index = topic[j] + (256 if bit j of topic[3] is set)`,
    /// then `bloom[index / 8] = 1 << (index % 8)`, assigning the byte.
    public init(topic: Topic) {
        var bytes = [UInt8](repeating: 0, count: TopicBloom.byteCount)
        let high = topic[byte: 3]
        for j in 0..<3 {
            var index = Int(topic[byte: j])
            if high & (1 << j) != 0 {
                index += 256
            }
            bytes[index / 8] = 1 << (index % 8)
        }
        self.init(unchecked: bytes)
    }

    /// The union (byte-wise OR) of the blooms of `topics`; ``empty`` for none.
    public init(topics: some Sequence<Topic>) {
        var bloom = TopicBloom.empty
        for topic in topics {
            bloom.formUnion(topic.bloom)
        }
        self = bloom
    }

    /// Adds every bit of `other` to this bloom.
    public mutating func formUnion(_ other: TopicBloom) {
        for i in 0..<TopicBloom.byteCount {
            rawRepresentation[i] |= other.rawRepresentation[i]
        }
    }

    /// The byte-wise OR of this bloom and `other`.
    public func union(_ other: TopicBloom) -> TopicBloom {
        var result = self
        result.formUnion(other)
        return result
    }

    /// Whether every bit of `other` is set in this bloom (geth
    /// `BloomFilterMatch(self, other)`): an envelope whose topic bloom is
    /// `other` may be sent to a peer advertising this bloom.
    public func contains(_ other: TopicBloom) -> Bool {
        for i in 0..<TopicBloom.byteCount {
            let mine = rawRepresentation[i]
            if mine | other.rawRepresentation[i] != mine {
                return false
            }
        }
        return true
    }

    /// Whether an envelope with `topic` matches this bloom.
    public func matches(_ topic: Topic) -> Bool {
        contains(topic.bloom)
    }

    /// Whether this is the all-`ff` bloom of a full node.
    public var isFull: Bool {
        rawRepresentation.allSatisfy { $0 == 0xff }
    }

    /// Lowercase hex of the 64 bytes.
    public var description: String { Hex.encode(rawRepresentation) }
}
