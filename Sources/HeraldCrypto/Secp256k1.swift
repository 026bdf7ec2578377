/// secp256k1 keys, recoverable ECDSA signatures and ECDH, over libsecp256k1
/// (the library geth itself links), so that signatures and shared secrets are
/// bit-identical with geth's.
///
/// Formats follow RLPx (`spec/rlpx.md` §1): public keys are 64 bytes X‖Y,
/// signatures 65 bytes r‖s‖v with v ∈ {0, 1}, ECDH yields the raw
/// X coordinate.
public enum Secp256k1 {
    /// Why bytes are not a valid key (or node ID).
    ///
    /// Descriptions never include key material.
    public enum KeyError: Error, Equatable, CustomStringConvertible {
        /// The input has `actual` bytes where `expected` are needed.
        case wrongLength(expected: Int, actual: Int)
        /// A private key of all zero bytes.
        case zero
        /// A private key not below the curve order n.
        case outOfRange
        /// An encoded public key whose first byte is not the one its length
        /// requires (0x04 uncompressed, 0x02/0x03 compressed).
        case invalidPrefix(UInt8)
        /// Public key coordinates that are not a point on secp256k1.
        case notOnCurve

        /// A sentence for logs and users; never contains key material.
        public var description: String {
            switch self {
            case .wrongLength(let expected, let actual):
                return "key has \(actual) bytes, want \(expected)"
            case .zero:
                return "private key is zero"
            case .outOfRange:
                return "private key is not below the secp256k1 curve order"
            case .invalidPrefix(let prefix):
                return "public key starts with byte 0x\(Hex.encode([prefix])), which does not match its length"
            case .notOnCurve:
                return "public key is not a point on the secp256k1 curve"
            }
        }
    }

    /// Why a signature could not be made, parsed or used.
    public enum SignatureError: Error, Equatable, CustomStringConvertible {
        /// The signature has `actual` bytes; a recoverable signature has 65.
        case wrongLength(expected: Int, actual: Int)
        /// The digest has `actual` bytes; secp256k1 signs exactly 32.
        case digestWrongLength(actual: Int)
        /// The last byte (recovery id v) is not 0 or 1. Signatures with
        /// 27/28 (Ethereum transaction style) must be converted by the caller.
        case invalidRecoveryID(UInt8)
        /// r or s is zero or not below the curve order.
        case invalidScalar
        /// s is in the upper half of the order. Every ECDSA signature has a
        /// twin with s' = n − s; accepting both would make signatures malleable,
        /// so (like geth) only the low-s form is valid.
        case highS
        /// No public key can be recovered from this signature and digest.
        case recoveryFailed
        /// libsecp256k1 refused to sign (cannot happen for a valid key).
        case signingFailed

        /// A sentence for logs and users; never contains key material.
        public var description: String {
            switch self {
            case .wrongLength(let expected, let actual):
                return "signature has \(actual) bytes, want \(expected)"
            case .digestWrongLength(let actual):
                return "digest has \(actual) bytes, want 32"
            case .invalidRecoveryID(let v):
                return "signature recovery id is \(v), want 0 or 1"
            case .invalidScalar:
                return "signature r or s is zero or not below the curve order"
            case .highS:
                return "signature is not in canonical low-s form"
            case .recoveryFailed:
                return "no public key can be recovered from this signature"
            case .signingFailed:
                return "signing failed"
            }
        }
    }

    /// The curve order n, big-endian.
    static let order: [UInt8] = Hex.decodeLiteral("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")

    /// Whether a 32-byte big-endian scalar is in 1..<n. Used for keys and for
    /// r and s; the comparison is not constant-time, so callers must not use
    /// it where the scalar is a secret that an attacker can time (private keys
    /// are only checked once, at load).
    static func isValidScalar(_ bytes: UnsafeRawBufferPointer) -> Bool {
        precondition(bytes.count == 32)
        guard bytes.contains(where: { $0 != 0 }) else { return false }
        return bytes.lexicographicallyPrecedes(order)
    }
}

extension Hex {
    /// Decodes a hex literal that is known to be valid (constants only).
    static func decodeLiteral(_ string: StaticString) -> [UInt8] {
        do {
            return try decode(string.description)
        } catch {
            preconditionFailure("bad hex literal \(string): \(error)")
        }
    }
}
