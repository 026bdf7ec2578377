import HeraldCrypto

/// A 32-byte AES-256-GCM key for symmetric Whisper messages (geth
/// `shh_addSymKey` / `shh_generateSymKeyFromPassword`).
///
/// The description never shows the key; it shows a short fingerprint.
public struct SymmetricKey: Sendable, Equatable, CustomStringConvertible {
    /// Key length in bytes.
    public static let byteCount = 32
    /// PBKDF2 iteration count of geth's password derivation (65356, sic).
    public static let passwordIterations = 65356

    /// The key bytes.
    public let rawRepresentation: [UInt8]

    /// A raw key: exactly 32 bytes, not all zero.
    public init(rawRepresentation bytes: some Collection<UInt8>) throws(SymmetricKeyError) {
        guard bytes.count == SymmetricKey.byteCount else {
            throw .wrongLength(actual: bytes.count)
        }
        guard bytes.contains(where: { $0 != 0 }) else {
            throw .allZero
        }
        rawRepresentation = Array(bytes)
    }

    /// A fresh random key from the OS CSPRNG.
    public init() {
        var bytes = SecureRandom.bytes(count: SymmetricKey.byteCount)
        while !bytes.contains(where: { $0 != 0 }) {
            bytes = SecureRandom.bytes(count: SymmetricKey.byteCount)
        }
        rawRepresentation = bytes
    }

    /// The key geth's `shh_generateSymKeyFromPassword` derives:
    /// PBKDF2-HMAC-SHA256(password UTF-8, empty salt, 65356 iterations, 32 bytes).
    /// Deliberately slow (tens of milliseconds).
    public init(password: String) {
        rawRepresentation = PBKDF2.sha256(password: Array(password.utf8), salt: [],
                                          iterations: SymmetricKey.passwordIterations,
                                          byteCount: SymmetricKey.byteCount)
    }

    /// Constant-time comparison.
    public static func == (lhs: SymmetricKey, rhs: SymmetricKey) -> Bool {
        ConstantTime.equals(lhs.rawRepresentation, rhs.rawRepresentation)
    }

    /// `SymmetricKey(id …)`: the first 4 bytes of keccak256 of the key,
    /// enough to tell keys apart in logs without revealing them.
    public var description: String {
        "SymmetricKey(id \(Hex.encode(Keccak256.hash(rawRepresentation).prefix(4))))"
    }
}
