import HeraldCrypto

/// The identity of a signed announcement: keccak256 of its signed encoding.
///
/// Two agents holding the same bytes compute the same ID; changing any byte
/// of the body or the signature changes it.
public struct AnnouncementID: Hashable, Comparable, Sendable, CustomStringConvertible {
    package let value: Bytes32

    package init(value: Bytes32) {
        self.value = value
    }

    /// The ID of `signedEncoding`: its keccak256.
    public init(of signedEncoding: some Collection<UInt8>) {
        value = .keccak(signedEncoding)
    }

    /// Reads 32 raw bytes; nil for any other length.
    public init?(rawRepresentation bytes: some Collection<UInt8>) {
        guard let value = Bytes32(bytes) else { return nil }
        self.value = value
    }

    /// Parses 64 hex digits, with or without `0x`.
    public init?(hex text: some StringProtocol) {
        guard let bytes = try? Hex.decode(text) else { return nil }
        self.init(rawRepresentation: bytes)
    }

    /// The 32 bytes.
    public var rawRepresentation: [UInt8] { value.bytes }

    /// All 64 lowercase hex digits, without `0x`.
    public var hex: String { value.hex }

    /// Short form for messages: `0x` and the first 4 hex digits, e.g. `0x3fa2…`.
    public var description: String { "0x\(hex.prefix(4))…" }

    /// Byte-wise lexicographic order (the tie-break of the total order).
    public static func < (lhs: AnnouncementID, rhs: AnnouncementID) -> Bool {
        lhs.value < rhs.value
    }
}
