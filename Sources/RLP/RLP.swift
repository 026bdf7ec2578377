/// Entry points for encoding a value and decoding one from bytes.
///
/// Recursive Length Prefix as specified in the Ethereum Yellow Paper,
/// appendix B; the decoder accepts canonical encodings only.
public enum RLP {
    /// The RLP encoding of `value`.
    @inlinable
    public static func encode(_ value: some RLPEncodable) -> [UInt8] {
        var writer = RLPWriter()
        value.encode(to: &writer)
        return writer.bytes
    }

    /// Decodes exactly one item of type `T` from `bytes`.
    ///
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - bytes: The encoding; copied at most once.
    ///   - allowTrailingBytes: If `false` (the default), bytes after the item
    ///     are an error; handshake plaintexts carry padding and set it to `true`.
    ///   - limits: Bounds such as the nesting depth.
    /// - Returns: The decoded value.
    /// - Throws: ``RLPError`` naming the rule broken and its byte offset.
    @inlinable
    public static func decode<T: RLPDecodable>(
        _ type: T.Type,
        from bytes: some Collection<UInt8>,
        allowTrailingBytes: Bool = false,
        limits: RLPLimits = .default
    ) throws(RLPError) -> T {
        var reader = RLPReader(bytes, limits: limits)
        let value = try T(from: &reader)
        if !allowTrailingBytes && !reader.isAtEnd {
            throw .trailingBytes(offset: reader.offset)
        }
        return value
    }
}
