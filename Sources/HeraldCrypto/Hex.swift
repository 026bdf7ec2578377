/// Lowercase hexadecimal text for keys, hashes and node IDs in logs, files and
/// the command line.
///
/// Decoding accepts an optional `0x`/`0X` prefix and digits of either case,
/// because operators paste keys from geth, explorers and JSON alike; encoding
/// always produces lowercase without a prefix, as geth prints node keys.
public enum Hex {
    /// Why a string is not valid hex.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// The string has an odd number of hex digits (the count, without any `0x`).
        case oddLength(Int)
        /// A character that is not an ASCII hex digit, with its offset in
        /// characters from the start of the string as given (a `0x` prefix counts).
        case invalidCharacter(Character, offset: Int)

        /// A sentence for logs and users. For key files, use ``NodeKeyFileError``,
        /// which reports offsets without echoing characters.
        public var description: String {
            switch self {
            case .oddLength(let count):
                return "hex string has an odd number of digits (\(count)); each byte needs two"
            case .invalidCharacter(let character, let offset):
                return "invalid hex character \(character.debugDescription) at offset \(offset)"
            }
        }
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Encodes bytes as lowercase hex without a prefix.
    /// - Parameter bytes: Any bytes.
    /// - Returns: Two characters per byte.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let count = bytes.count
        if count == 0 { return "" }
        return String(unsafeUninitializedCapacity: count * 2) { out in
            digits.withUnsafeBufferPointer { table in
                var index = 0
                for byte in bytes {
                    out[index] = table[Int(byte >> 4)]
                    out[index + 1] = table[Int(byte & 0x0f)]
                    index += 2
                }
            }
            return count * 2
        }
    }

    /// Decodes hex text: an optional `0x`/`0X` prefix, then pairs of ASCII hex
    /// digits of either case. Whitespace is not skipped.
    /// - Parameter string: The text to decode.
    /// - Returns: The decoded bytes (empty for `""` or `"0x"`).
    /// - Throws: ``Hex/Error/invalidCharacter(_:offset:)`` for the first
    ///   character that is not a hex digit, else ``Hex/Error/oddLength(_:)``.
    public static func decode(_ string: some StringProtocol) throws(Hex.Error) -> [UInt8] {
        let utf8 = Array(string.utf8)
        let prefixLength = utf8.count >= 2 && utf8[0] == UInt8(ascii: "0")
            && (utf8[1] == UInt8(ascii: "x") || utf8[1] == UInt8(ascii: "X")) ? 2 : 0
        let digitCount = utf8.count - prefixLength
        var out = [UInt8]()
        out.reserveCapacity(digitCount / 2)
        var high: UInt8 = 0
        for position in prefixLength..<utf8.count {
            guard let value = nibble(utf8[position]) else {
                throw invalidCharacter(in: string, utf8Offset: position)
            }
            if (position - prefixLength) & 1 == 0 {
                high = value << 4
            } else {
                out.append(high | value)
            }
        }
        guard digitCount & 1 == 0 else { throw .oddLength(digitCount) }
        return out
    }

    /// The value of one ASCII hex digit, or nil.
    @inline(__always)
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }

    /// Builds the error for the bad byte at `utf8Offset`: the character that
    /// contains it and that character's offset (slow path, errors only).
    private static func invalidCharacter(in string: some StringProtocol, utf8Offset: Int) -> Hex.Error {
        var offset = 0
        var index = string.startIndex
        while index < string.endIndex {
            let next = string.index(after: index)
            if string.utf8.distance(from: string.startIndex, to: next) > utf8Offset {
                return .invalidCharacter(string[index], offset: offset)
            }
            offset += 1
            index = next
        }
        // Unreachable for a valid offset; keep a sensible answer anyway.
        return .invalidCharacter("\u{FFFD}", offset: offset)
    }
}
