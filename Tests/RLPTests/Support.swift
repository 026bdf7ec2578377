import TestSupport
import RLP

/// Minimal big-endian bytes of an integer (empty for zero), computed
/// independently of the encoder for cross-checking.
func minimalBigEndian<T: FixedWidthInteger & UnsignedInteger>(_ value: T) -> [UInt8] {
    var bytes: [UInt8] = []
    var rest = value
    while rest != 0 {
        bytes.insert(UInt8(truncatingIfNeeded: rest), at: 0)
        rest >>= 8
    }
    return bytes
}

/// Big-endian bytes of a non-negative decimal number of any size (empty for zero).
func bigEndianBytes(decimal: String) -> [UInt8] {
    var bytes: [UInt8] = []   // big-endian, grows at the front
    for character in decimal {
        guard let digit = character.wholeNumberValue else { fatalError("not a decimal: \(decimal)") }
        var carry = digit
        for index in bytes.indices.reversed() {
            let value = Int(bytes[index]) * 10 + carry
            bytes[index] = UInt8(value & 0xff)
            carry = value >> 8
        }
        while carry > 0 {
            bytes.insert(UInt8(carry & 0xff), at: 0)
            carry >>= 8
        }
    }
    while bytes.first == 0 { bytes.removeFirst() }
    return bytes
}

/// Runs `body` and returns the RLPError it throws, or nil if it succeeds.
func rlpError<T>(_ body: () throws(RLPError) -> T) -> RLPError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// Hex to bytes for literals in tests; spaces are ignored for readability.
func bytes(_ hex: String) -> [UInt8] {
    let digits = hex.filter { !$0.isWhitespace }
    var result: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        result.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return result
}
