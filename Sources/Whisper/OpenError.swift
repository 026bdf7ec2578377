import HeraldCrypto

/// Why an envelope could not be opened (decrypted and parsed).
public enum OpenError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `data` is shorter than any ciphertext of this kind can be.
    case dataTooShort(byteCount: Int, minimum: Int)
    /// Decryption failed (GCM tag or ECIES MAC mismatch, bad ephemeral key):
    /// the envelope is not for this key, or was altered.
    case decryptionFailed
    /// The plaintext is empty (no flags byte).
    case emptyMessage
    /// Flag bits 3–7, unused by Whisper v6, are set.
    case reservedFlagBits(flags: UInt8)
    /// The signature flag is set but the plaintext cannot hold flags, a size
    /// field and a 65-byte signature (geth: `len - 65 <= 1`).
    case truncatedSignature(plaintextCount: Int)
    /// The flags announce more payload-size bytes than the message holds.
    case truncatedSizeField(fieldCount: Int, available: Int)
    /// The payload-size field announces more bytes than the message holds.
    case payloadSizeExceedsMessage(declared: Int, available: Int)
    /// The signature is malformed (recovery id not 0/1, high s) or no
    /// public key can be recovered from it.
    case invalidSignature(Secp256k1.SignatureError)
    /// The opener requires a signed message and this one is unsigned.
    case unsigned

    public var description: String {
        switch self {
        case let .dataTooShort(byteCount, minimum):
            return "envelope data of \(byteCount) bytes is shorter than the minimum \(minimum) for this encryption"
        case .decryptionFailed:
            return "envelope data does not decrypt with this key (not addressed to it, or altered)"
        case .emptyMessage:
            return "decrypted message is empty"
        case let .reservedFlagBits(flags):
            return "message flags 0x\(String(flags, radix: 16)) set reserved bits (only 0x07 is defined)"
        case let .truncatedSignature(plaintextCount):
            return "message of \(plaintextCount) bytes is flagged as signed but too short for a 65-byte signature"
        case let .truncatedSizeField(fieldCount, available):
            return "message announces a \(fieldCount)-byte payload size field but only \(available) bytes follow the flags"
        case let .payloadSizeExceedsMessage(declared, available):
            return "message declares a payload of \(declared) bytes but only \(available) bytes are present"
        case let .invalidSignature(error):
            return "message signature is invalid: \(error)"
        case .unsigned:
            return "message is unsigned but a signature is required"
        }
    }
}
