/// A type that writes itself as RLP.
///
/// Conformances are usually a few lines: a `writeList` with one `write` per field.
///
/// ```swift
/// func encode(to writer: inout RLPWriter) {
///     writer.writeList { list in
///         list.write(version)
///         list.write(bytes: nodeID)
///     }
/// }
/// ```
public protocol RLPEncodable {
    /// Appends exactly one RLP item (which may be a list) to `writer`.
    func encode(to writer: inout RLPWriter)
}

/// A type that reads itself from RLP, refusing non-canonical input.
///
/// ```swift
/// init(from reader: inout RLPReader) throws(RLPError) {
///     (version, nodeID) = try reader.readList { list throws(RLPError) in
///         (try list.read(UInt64.self), try list.readBytes(count: 32))
///     }
/// }
/// ```
public protocol RLPDecodable {
    /// Reads exactly one item from `reader`.
    init(from reader: inout RLPReader) throws(RLPError)
}

/// A type that both writes and reads itself as RLP.
public typealias RLPCodable = RLPEncodable & RLPDecodable
