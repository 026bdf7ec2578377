import RLP

/// Why an `shh/6` packet was refused. Each is a protocol error on which
/// geth disconnects the peer (reason 0x10, subprotocol error).
public enum PacketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message-data exceeds the maximum message size; refused before decoding.
    case tooLarge(code: UInt64, size: Int, limit: Int)
    /// A code outside the capability's 128 message ids.
    case codeOutOfRange(code: UInt64)
    /// The message-data is not the RLP this code requires.
    case malformed(code: UInt64, RLPError)
    /// Status with a protocol version other than 6.
    case unsupportedVersion(UInt64)
    /// A PoW requirement that is NaN, infinite or negative (given as its bits).
    case invalidProofOfWork(code: UInt64, bitPattern: UInt64)
    /// A bloom filter that is not 64 bytes (Status also allows 0).
    case wrongBloomLength(code: UInt64, length: Int)

    public var description: String {
        switch self {
        case let .tooLarge(code, size, limit):
            return "shh \(WhisperPacket.name(code: code)) packet of \(size) bytes exceeds the limit of \(limit) bytes"
        case let .codeOutOfRange(code):
            return "shh packet code \(code) is outside the capability's 128 message ids"
        case let .malformed(code, error):
            return "shh \(WhisperPacket.name(code: code)) packet is malformed: \(error)"
        case let .unsupportedVersion(version):
            return "peer speaks shh version \(version), not 6"
        case let .invalidProofOfWork(code, bits):
            return "shh \(WhisperPacket.name(code: code)) packet carries an invalid PoW requirement \(Double(bitPattern: bits)) (bits 0x\(String(bits, radix: 16)))"
        case let .wrongBloomLength(code, length):
            return "shh \(WhisperPacket.name(code: code)) packet carries a \(length)-byte bloom filter (must be 64)"
        }
    }
}
