import HeraldCrypto

/// A Whisper topic: 4 opaque bytes that receivers filter on without
/// decrypting (EIP-627 "topic", geth `TopicType`).
public struct Topic: Hashable, Sendable, CustomStringConvertible {
    /// Number of bytes in a topic.
    public static let byteCount = 4

    /// The four bytes as one big-endian integer (byte 0 most significant).
    let value: UInt32

    /// The all-zero topic, which geth's API refuses for symmetric messages.
    public static let zero = Topic(value: 0)

    init(value: UInt32) {
        self.value = value
    }

    /// Exactly four bytes; `nil` for any other length.
    public init?(rawRepresentation bytes: some Collection<UInt8>) {
        guard bytes.count == Topic.byteCount else { return nil }
        self.init(truncatingOrPadding: bytes)
    }

    /// geth's `BytesToTopic`: the first `min(count, 4)` bytes, zero-filled
    /// on the right (an empty input gives ``zero``).
    public init(truncatingOrPadding bytes: some Collection<UInt8>) {
        var value: UInt32 = 0
        var shift: UInt32 = 24
        for byte in bytes.prefix(Topic.byteCount) {
            value |= UInt32(byte) << shift
            shift &-= 8
        }
        self.init(value: value)
    }

    /// The topic Herald derives from a name: the first four bytes of
    /// keccak256 of the name's UTF-8 bytes (as geth's `TopicType` suggests).
    public init(name: String) {
        self.init(truncatingOrPadding: Keccak256.hash(Array(name.utf8)).prefix(Topic.byteCount))
    }

    /// The four bytes in wire order.
    public var rawRepresentation: [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// Byte `index` (0...3) in wire order.
    subscript(byte index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: value >> UInt32(24 - 8 * index))
    }

    /// The 64-byte bloom filter of this topic, exactly as geth's `TopicToBloom`.
    public var bloom: TopicBloom { TopicBloom(topic: self) }

    /// Lowercase hex of the four bytes, e.g. `0000ff06`.
    public var description: String { Hex.encode(rawRepresentation) }
}
