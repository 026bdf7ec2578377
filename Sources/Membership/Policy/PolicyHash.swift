import HeraldCrypto

/// keccak256 of a policy's canonical encoding: the same for any two files
/// that mean the same policy, whatever their key order, comments or layout.
public struct PolicyHash: Hashable, Sendable, CustomStringConvertible {
    package let value: Bytes32

    package init(value: Bytes32) {
        self.value = value
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

    /// `0x` and all 64 hex digits.
    public var description: String { "0x" + hex }
}
