/// Why a frame or the message in it was refused. Every case ends the
/// connection: after a bad MAC the stream position is lost for good.
public enum FrameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The 16-byte header MAC did not verify.
    case headerMACMismatch
    /// The frame MAC did not verify.
    case frameMACMismatch
    /// The header announces a frame above the limit.
    case frameTooLarge(size: Int, limit: Int)
    /// A frame to send is above the limit.
    case outgoingFrameTooLarge(size: Int, limit: Int)
    /// The frame carries no message id, or a non-canonical one.
    case invalidMessageID
    /// The Snappy block is malformed.
    case invalidCompression
    /// The Snappy header announces more than the decompression limit.
    case decompressedTooLarge(size: Int, limit: Int)

    public var description: String {
        switch self {
        case .headerMACMismatch:
            return "frame header MAC mismatch; peer disconnected"
        case .frameMACMismatch:
            return "frame MAC mismatch; peer disconnected"
        case .frameTooLarge(let size, let limit):
            return "frame of \(size) bytes exceeds the limit of \(limit) bytes; peer disconnected"
        case .outgoingFrameTooLarge(let size, let limit):
            return "message of \(size) bytes is too large to send (limit \(limit) bytes)"
        case .invalidMessageID:
            return "frame has a missing or non-canonical message id; peer disconnected"
        case .invalidCompression:
            return "message is not valid Snappy data; peer disconnected"
        case .decompressedTooLarge(let size, let limit):
            return "compressed message would expand to \(size) bytes, above the limit of \(limit) bytes; peer disconnected"
        }
    }
}
