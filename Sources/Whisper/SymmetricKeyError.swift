/// Why bytes cannot be a Whisper symmetric key.
public enum SymmetricKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// AES-256 keys are exactly 32 bytes.
    case wrongLength(actual: Int)
    /// geth refuses an all-zero key.
    case allZero

    public var description: String {
        switch self {
        case let .wrongLength(actual):
            return "symmetric key must be 32 bytes, got \(actual)"
        case .allZero:
            return "symmetric key is all zero bytes"
        }
    }
}
