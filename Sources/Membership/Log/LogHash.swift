import HeraldCrypto

/// The hash of a membership log entry; the hash of the last entry is the
/// log head, which acks carry so that members can compare logs.
public struct LogHash: Hashable, Sendable, CustomStringConvertible {
    package let value: Bytes32

    package init(value: Bytes32) {
        self.value = value
    }

    /// The "previous hash" of the first entry, and the head of an empty log: 32 zero bytes.
    public static let zero = LogHash(value: .zero)

    /// Reads 32 raw bytes; nil for any other length.
    public init?(rawRepresentation bytes: some Collection<UInt8>) {
        guard let value = Bytes32(bytes) else { return nil }
        self.value = value
    }

    /// The 32 bytes.
    public var rawRepresentation: [UInt8] { value.bytes }

    /// All 64 lowercase hex digits, without `0x`.
    public var hex: String { value.hex }

    /// `0x` and all 64 hex digits.
    public var description: String { "0x" + hex }
}
