/// The few RLP pieces needed to hash an envelope's encodings incrementally,
/// without building them (the `Data` field is streamed into the hasher).
enum EnvelopeEncoding {
    /// First-byte base of a short byte string.
    static let stringBase: UInt8 = 0x80
    /// First-byte base of a short list.
    static let listBase: UInt8 = 0xc0

    /// Appends the RLP encoding of an unsigned integer: minimal big-endian,
    /// a single byte below 0x80 as itself, zero as `80`.
    static func appendInteger(_ value: UInt64, to out: inout [UInt8]) {
        if value == 0 {
            out.append(stringBase)
            return
        }
        if value < 0x80 {
            out.append(UInt8(value))
            return
        }
        let byteCount = (UInt64.bitWidth - value.leadingZeroBitCount + 7) / 8
        out.append(stringBase + UInt8(byteCount))
        appendBigEndian(UInt64(value), byteCount: byteCount, to: &out)
    }

    /// Appends the prefix of a byte string with these contents (none for a
    /// single byte below 0x80, which encodes as itself).
    static func appendStringPrefix(for bytes: [UInt8], to out: inout [UInt8]) {
        if bytes.count == 1 && bytes[0] < 0x80 {
            return
        }
        appendLengthPrefix(bytes.count, base: stringBase, to: &out)
    }

    /// Appends a string (`base` 0x80) or list (`base` 0xc0) length prefix.
    static func appendLengthPrefix(_ length: Int, base: UInt8, to out: inout [UInt8]) {
        if length < 56 {
            out.append(base + UInt8(length))
            return
        }
        let byteCount = (Int.bitWidth - length.leadingZeroBitCount + 7) / 8
        out.append(base + 55 + UInt8(byteCount))
        appendBigEndian(UInt64(length), byteCount: byteCount, to: &out)
    }

    private static func appendBigEndian(_ value: UInt64, byteCount: Int, to out: inout [UInt8]) {
        for index in stride(from: byteCount - 1, through: 0, by: -1) {
            out.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * index)))
        }
    }
}
