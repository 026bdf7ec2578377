/// Why an RLP input was refused.
///
/// Every case carries `offset`, the absolute byte position (from the start of
/// the input handed to ``RLP/decode(_:from:allowTrailingBytes:limits:)`` or
/// ``RLPReader/init(_:limits:)``) of the item at fault, so that a log line
/// points at the exact byte of a hostile or corrupted message.
public enum RLPError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The input ended where an item was required (empty input or nothing
    /// left at the top level).
    case emptyInput(offset: Int)
    /// A list ended where its reader expected another item.
    case listTooShort(offset: Int)
    /// The item's header or payload runs past the end of the input.
    /// `needed` is the number of bytes the item declares after the position
    /// where it ran out, `available` how many the input still has there.
    case truncated(offset: Int, needed: Int, available: Int)
    /// A single byte below 0x80 is wrapped in a string header (`81 00` … `81 7f`).
    case nonCanonicalSingleByte(offset: Int)
    /// The long length form (0xb8–0xbf, 0xf8–0xff) is used for fewer than 56 bytes.
    case nonCanonicalLength(offset: Int)
    /// The length field of a long-form header starts with a zero byte.
    case leadingZeroInLength(offset: Int)
    /// The item runs past the end of the list that contains it.
    case elementLargerThanList(offset: Int)
    /// Bytes follow the top-level item where none are allowed.
    case trailingBytes(offset: Int)
    /// An integer has a leading zero byte (zero itself must be the empty string 0x80).
    case nonCanonicalInteger(offset: Int)
    /// An integer is wider than its target type (`maxBytes` bytes).
    case integerTooLarge(offset: Int, maxBytes: Int)
    /// A fixed-size field (key, nonce, signature) has another length.
    case wrongLength(offset: Int, expected: Int, actual: Int)
    /// A byte string was found where a list is required.
    case expectedList(offset: Int)
    /// A list was found where a byte string is required.
    case expectedBytes(offset: Int)
    /// The list at `offset` would exceed the nesting limit of `maxDepth` lists.
    case tooDeep(offset: Int, maxDepth: Int)
    /// A list's reader returned while items were left; `offset` is the first unread item.
    case listNotFullyConsumed(offset: Int)
    /// A declared length exceeds what this platform can address (above `Int.max`).
    case lengthTooLarge(offset: Int)
    /// A byte string decoded as text is not valid UTF-8.
    case invalidUTF8(offset: Int)

    /// Absolute byte offset of the offending item in the input.
    public var offset: Int {
        switch self {
        case .emptyInput(let offset), .listTooShort(let offset),
             .truncated(let offset, _, _), .nonCanonicalSingleByte(let offset),
             .nonCanonicalLength(let offset), .leadingZeroInLength(let offset),
             .elementLargerThanList(let offset), .trailingBytes(let offset),
             .nonCanonicalInteger(let offset), .integerTooLarge(let offset, _),
             .wrongLength(let offset, _, _), .expectedList(let offset),
             .expectedBytes(let offset), .tooDeep(let offset, _),
             .listNotFullyConsumed(let offset), .lengthTooLarge(let offset),
             .invalidUTF8(let offset):
            return offset
        }
    }

    /// One sentence naming the problem and the byte where it is.
    public var description: String {
        switch self {
        case .emptyInput(let offset):
            return "RLP input ends at byte \(offset) where an item was expected"
        case .listTooShort(let offset):
            return "RLP list ends at byte \(offset) where another item was expected"
        case .truncated(let offset, let needed, let available):
            return "RLP item at byte \(offset) needs \(needed) more \(Self.bytes(needed)) but the input has only \(available) left"
        case .nonCanonicalSingleByte(let offset):
            return "RLP item at byte \(offset) wraps a single byte below 0x80 in a string header; that byte must stand alone"
        case .nonCanonicalLength(let offset):
            return "RLP item at byte \(offset) uses the long length form for fewer than 56 bytes"
        case .leadingZeroInLength(let offset):
            return "RLP item at byte \(offset) has a length field with a leading zero byte"
        case .elementLargerThanList(let offset):
            return "RLP item at byte \(offset) is larger than what remains of its enclosing list"
        case .trailingBytes(let offset):
            return "RLP input has extra bytes after the item, starting at byte \(offset)"
        case .nonCanonicalInteger(let offset):
            return "RLP integer at byte \(offset) has a leading zero byte (zero must be encoded as 0x80)"
        case .integerTooLarge(let offset, let maxBytes):
            return "RLP integer at byte \(offset) is wider than \(maxBytes) \(Self.bytes(maxBytes))"
        case .wrongLength(let offset, let expected, let actual):
            return "RLP item at byte \(offset) holds \(actual) \(Self.bytes(actual)) where exactly \(expected) are required"
        case .expectedList(let offset):
            return "RLP item at byte \(offset) is a byte string where a list was expected"
        case .expectedBytes(let offset):
            return "RLP item at byte \(offset) is a list where a byte string was expected"
        case .tooDeep(let offset, let maxDepth):
            return "RLP list at byte \(offset) nests deeper than the limit of \(maxDepth) lists"
        case .listNotFullyConsumed(let offset):
            return "RLP list has an unexpected extra item at byte \(offset)"
        case .lengthTooLarge(let offset):
            return "RLP item at byte \(offset) declares a length too large to address"
        case .invalidUTF8(let offset):
            return "RLP string at byte \(offset) is not valid UTF-8"
        }
    }

    private static func bytes(_ count: Int) -> String { count == 1 ? "byte" : "bytes" }
}
