import COpenSSL

/// AES through OpenSSL's EVP interface (AES-NI where the CPU has it): the
/// CTR keystreams of ECIES and RLPx frames, the single-block encryptor of the
/// RLPx MAC, and AES-256-GCM for Whisper symmetric envelopes.
public enum AES {
    /// Block size in bytes.
    public static let blockSize = 16

    /// Why an AES operation was refused.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// The key has this many bytes; AES-128 needs 16 and AES-256 needs 32
        /// (GCM and the block encryptor take only 32).
        case wrongKeyLength(Int)
        /// The CTR IV has this many bytes; it must be one 16-byte block.
        case wrongIVLength(Int)
        /// The GCM nonce has this many bytes; it must be 12.
        case wrongNonceLength(Int)
        /// The GCM input has this many bytes, fewer than the 16-byte tag.
        case inputTooShort(Int)
        /// The GCM tag does not match: wrong key or nonce, or the ciphertext,
        /// tag or associated data were altered. Nothing is decrypted.
        case authenticationFailure
        /// OpenSSL reported an error in the named call (out of memory or a
        /// broken installation; never caused by input data).
        case libraryFailure(String)

        /// A sentence for logs and users; never contains key material.
        public var description: String {
            switch self {
            case .wrongKeyLength(let count):
                return "AES key has \(count) bytes; AES-128 needs 16, AES-256 needs 32"
            case .wrongIVLength(let count):
                return "AES-CTR IV has \(count) bytes, want 16"
            case .wrongNonceLength(let count):
                return "AES-GCM nonce has \(count) bytes, want 12"
            case .inputTooShort(let count):
                return "AES-GCM input has \(count) bytes, fewer than the 16-byte tag"
            case .authenticationFailure:
                return "AES-GCM authentication failed: wrong key or altered data"
            case .libraryFailure(let call):
                return "OpenSSL call \(call) failed"
            }
        }
    }
}

/// An `EVP_CIPHER_CTX`, freed with its owner.
final class CipherContext {
    let pointer: OpaquePointer

    init() {
        guard let context = EVP_CIPHER_CTX_new() else { fatalError("EVP_CIPHER_CTX_new failed (out of memory)") }
        pointer = context
    }

    deinit {
        // EVP_CIPHER_CTX_free also cleanses the expanded key schedule.
        EVP_CIPHER_CTX_free(pointer)
    }
}
