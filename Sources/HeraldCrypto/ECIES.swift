/// ECIES exactly as go-ethereum's `crypto/ecies` with secp256k1
/// (`ECIES_AES128_SHA256`), the encryption of RLPx auth/ack and of Whisper
/// asymmetric envelopes (`spec/rlpx.md` §4):
///
/// ```
/// z  = ECDH(r, K_B).x                      (r, R fresh per message)
/// K  = ConcatKDF-SHA256(z, s1, 32)
/// kE = K[0..<16]                           AES-128 key
/// kM = SHA256(K[16..<32])                  HMAC key (note the extra hash)
/// c  = AES-128-CTR(kE, iv, m)              iv random, 16 bytes
/// d  = HMAC-SHA256(kM, iv ‖ c ‖ s2)
/// output = 0x04 ‖ R.X ‖ R.Y ‖ iv ‖ c ‖ d   (len(m) + 113 bytes)
/// ```
public enum ECIES {
    /// Bytes added to the plaintext: 65 (ephemeral key) + 16 (IV) + 32 (tag).
    public static let overhead = 113

    private static let ephemeralKeyByteCount = 65
    private static let ivByteCount = 16
    private static let tagByteCount = 32

    /// Why a message could not be opened.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// The message has this many bytes, fewer than the 113-byte overhead.
        case tooShort(Int)
        /// The leading 65 bytes are not 0x04 followed by a point on
        /// secp256k1. Checked before any ECDH, as geth does since its
        /// invalid-curve fix.
        case invalidEphemeralKey
        /// The HMAC tag does not match: wrong recipient key, wrong shared
        /// data, or altered bytes. Nothing was decrypted.
        case macMismatch

        /// A sentence for logs and users; never contains key material.
        public var description: String {
            switch self {
            case .tooShort(let count):
                return "ECIES message has \(count) bytes, fewer than the \(ECIES.overhead)-byte overhead"
            case .invalidEphemeralKey:
                return "ECIES ephemeral public key is not a valid secp256k1 point"
            case .macMismatch:
                return "ECIES message authentication failed (wrong key or altered message)"
            }
        }
    }

    /// Encrypts `plaintext` to `recipient` with a fresh ephemeral key and IV.
    /// - Parameters:
    ///   - s1: Shared info mixed into the KDF (empty in RLPx and Whisper).
    ///   - s2: Shared data authenticated by the tag but not sent (the 2-byte
    ///     size prefix of EIP-8 packets, else empty).
    /// - Returns: `plaintext.count + 113` bytes.
    public static func seal(_ plaintext: some Collection<UInt8>, to recipient: Secp256k1.PublicKey,
                            sharedInfo s1: some Collection<UInt8> = [UInt8](),
                            sharedMACData s2: some Collection<UInt8> = [UInt8]()) -> [UInt8] {
        seal(plaintext, to: recipient, sharedInfo: s1, sharedMACData: s2,
             ephemeralKey: Secp256k1.PrivateKey(), iv: SecureRandom.bytes(count: ivByteCount))
    }

    /// ``seal(_:to:sharedInfo:sharedMACData:)`` with a given ephemeral key and
    /// IV, for deterministic tests and known-answer checks. Never reuse either
    /// in production.
    package static func seal(_ plaintext: some Collection<UInt8>, to recipient: Secp256k1.PublicKey,
                             sharedInfo s1: some Collection<UInt8> = [UInt8](),
                             sharedMACData s2: some Collection<UInt8> = [UInt8](),
                             ephemeralKey: Secp256k1.PrivateKey, iv: [UInt8]) -> [UInt8] {
        precondition(iv.count == ivByteCount, "ECIES IV must be 16 bytes")
        var keys = DerivedKeys(sharedSecret: ephemeralKey.sharedSecret(with: recipient), sharedInfo: Array(s1))
        defer { keys.wipe() }
        var output = ephemeralKey.publicKey.uncompressedRepresentation
        output.reserveCapacity(plaintext.count + overhead)
        output += iv
        let cipherStart = output.count
        output += plaintext
        // A 16-byte key and a 16-byte IV: this cannot throw.
        let stream = try! AES.CTR(key: keys.encryptionKey, iv: iv)
        output.withUnsafeMutableBytes { stream.apply(UnsafeMutableRawBufferPointer(rebasing: $0[cipherStart...])) }
        let tag = keys.tag(ivAndCiphertext: output[ephemeralKeyByteCount...], sharedMACData: Array(s2))
        output += tag
        return output
    }

    /// Checks and decrypts a message sealed to `key`.
    /// - Parameters:
    ///   - message: 0x04 ‖ R ‖ iv ‖ c ‖ tag.
    ///   - key: The recipient's private key.
    ///   - s1: The shared info the sender used.
    ///   - s2: The shared MAC data the sender used.
    /// - Returns: The plaintext (`message.count − 113` bytes).
    /// - Throws: ``ECIES/Error/tooShort(_:)``, ``ECIES/Error/invalidEphemeralKey``,
    ///   ``ECIES/Error/macMismatch``.
    public static func open(_ message: some Collection<UInt8>, with key: Secp256k1.PrivateKey,
                            sharedInfo s1: some Collection<UInt8> = [UInt8](),
                            sharedMACData s2: some Collection<UInt8> = [UInt8]()) throws(ECIES.Error) -> [UInt8] {
        let bytes = Array(message)
        guard bytes.count >= overhead else { throw .tooShort(bytes.count) }
        // The on-curve check happens in the PublicKey initialiser, before ECDH.
        guard let ephemeral = try? Secp256k1.PublicKey(uncompressedRepresentation: bytes[0..<ephemeralKeyByteCount]) else {
            throw .invalidEphemeralKey
        }
        var keys = DerivedKeys(sharedSecret: key.sharedSecret(with: ephemeral), sharedInfo: Array(s1))
        defer { keys.wipe() }
        let tagStart = bytes.count - tagByteCount
        let expected = keys.tag(ivAndCiphertext: bytes[ephemeralKeyByteCount..<tagStart], sharedMACData: Array(s2))
        guard ConstantTime.equals(expected, bytes[tagStart...]) else { throw .macMismatch }
        let iv = bytes[ephemeralKeyByteCount..<(ephemeralKeyByteCount + ivByteCount)]
        let stream = try! AES.CTR(key: keys.encryptionKey, iv: iv)  // 16-byte key and IV: cannot throw
        var plaintext = Array(bytes[(ephemeralKeyByteCount + ivByteCount)..<tagStart])
        stream.apply(&plaintext)
        return plaintext
    }

    /// kE and kM derived from the ECDH secret.
    private struct DerivedKeys {
        var encryptionKey: [UInt8]
        var macKey: [UInt8]

        init(sharedSecret: [UInt8], sharedInfo s1: [UInt8]) {
            var z = sharedSecret
            var k = ConcatKDF.deriveKey(sharedSecret: z, sharedInfo: s1, byteCount: 32)
            encryptionKey = Array(k[0..<16])
            macKey = SHA256.hash(k[16..<32])
            z.withUnsafeMutableBytes { HeraldCrypto.wipe($0) }
            k.withUnsafeMutableBytes { HeraldCrypto.wipe($0) }
        }

        /// HMAC-SHA256(kM, iv ‖ c ‖ s2).
        func tag(ivAndCiphertext: ArraySlice<UInt8>, sharedMACData s2: [UInt8]) -> [UInt8] {
            HMACSHA256.authenticationCode(for: Array(ivAndCiphertext) + s2, key: macKey)
        }

        mutating func wipe() {
            encryptionKey.withUnsafeMutableBytes { HeraldCrypto.wipe($0) }
            macKey.withUnsafeMutableBytes { HeraldCrypto.wipe($0) }
        }
    }
}
