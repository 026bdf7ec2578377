/// A decoded RLP value tree, for generic use, tests and debugging.
///
/// Protocol types should conform to ``RLPEncodable`` / ``RLPDecodable``
/// instead: they read their fields straight from the input without building
/// this intermediate tree.
public enum RLPItem: Hashable, Sendable {
    /// A byte string (also how integers are carried).
    case bytes([UInt8])
    /// A list of items.
    case list([RLPItem])

    /// The payload if this is a byte string, otherwise `nil`.
    @inlinable
    public var bytesValue: [UInt8]? {
        if case .bytes(let bytes) = self { return bytes }
        return nil
    }

    /// The elements if this is a list, otherwise `nil`.
    @inlinable
    public var listValue: [RLPItem]? {
        if case .list(let items) = self { return items }
        return nil
    }
}

extension RLPItem: CustomStringConvertible {
    /// Compact form for test failures and logs: `[0x646f67, []]`.
    public var description: String {
        switch self {
        case .bytes(let bytes):
            var text = "0x"
            for byte in bytes {
                let digits = String(byte, radix: 16)
                text += byte < 16 ? "0" + digits : digits
            }
            return text
        case .list(let items):
            return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

extension RLPItem: RLPEncodable, RLPDecodable {
    /// Writes the tree as it stands (byte strings as strings, lists as lists).
    @inlinable
    public func encode(to writer: inout RLPWriter) {
        switch self {
        case .bytes(let bytes):
            writer.write(bytes: bytes)
        case .list(let items):
            writer.writeList { writer in
                for item in items { item.encode(to: &writer) }
            }
        }
    }

    /// Reads any one item, refusing non-canonical input and nesting beyond
    /// the reader's ``RLPLimits/maxDepth``.
    @inlinable
    public init(from reader: inout RLPReader) throws(RLPError) {
        self = try reader.readItem()
    }
}
