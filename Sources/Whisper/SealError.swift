import HeraldCrypto

/// Why a payload could not be sealed into an envelope.
public enum SealError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A TTL of 0 (geth's API would substitute 50 s; Herald asks for a real value).
    case zeroTimeToLive
    /// `now + ttl` does not fit the 32-bit expiry.
    case expiryOverflow(now: UInt32, timeToLive: UInt32)
    /// geth's API refuses symmetric messages on the all-zero topic.
    case zeroTopic
    /// The payload does not fit the 3-byte payload-size field (16 MiB).
    case payloadTooLarge(byteCount: Int)
    /// The envelope's size (`20 + len(data)`) would exceed the limit.
    case envelopeTooLarge(size: Int, limit: Int)
    /// A PoW target that is negative, NaN or infinite.
    case invalidProofOfWorkTarget(Double)
    /// Not even 256 leading zero bits reach the target.
    case proofOfWorkUnreachable(target: Double)
    /// The nonce search ran out of time before reaching the target.
    case proofOfWorkTimedOut(target: Double)
    /// Signing the message failed.
    case signingFailed(Secp256k1.SignatureError)
    /// AES-GCM refused to encrypt.
    case encryptionFailed(AES.Error)

    public var description: String {
        switch self {
        case .zeroTimeToLive:
            return "envelope TTL must be at least 1 second"
        case let .expiryOverflow(now, timeToLive):
            return "expiry \(now) + TTL \(timeToLive) s overflows a 32-bit Unix time"
        case .zeroTopic:
            return "symmetric messages need a non-zero topic (geth refuses topic 00000000)"
        case let .payloadTooLarge(byteCount):
            return "payload of \(byteCount) bytes does not fit Whisper's 3-byte size field (max 16777215)"
        case let .envelopeTooLarge(size, limit):
            return "sealed envelope would be \(size) bytes, over the limit of \(limit) bytes"
        case let .invalidProofOfWorkTarget(target):
            return "proof-of-work target \(target) is not a finite, non-negative number"
        case let .proofOfWorkUnreachable(target):
            return "proof-of-work target \(target) cannot be reached by any nonce"
        case let .proofOfWorkTimedOut(target):
            return "no nonce reaching proof of work \(target) found within the work time"
        case let .signingFailed(error):
            return "signing the message failed: \(error)"
        case let .encryptionFailed(error):
            return "encrypting the message failed: \(error)"
        }
    }
}
