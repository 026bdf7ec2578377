// Conformances of standard types. Arrays of other element types cannot also
// conform (Array conforms once), so lists of values use
// `RLPWriter.write(list:)` and `RLPReader.readList(of:)`.

extension Array: RLPEncodable where Element == UInt8 {
    /// Encodes the array as a byte string.
    @inlinable
    public func encode(to writer: inout RLPWriter) { writer.write(bytes: self) }
}

extension Array: RLPDecodable where Element == UInt8 {
    /// Decodes a byte string (a list is an error).
    @inlinable
    public init(from reader: inout RLPReader) throws(RLPError) { self = try reader.readBytes() }
}

extension ArraySlice: RLPEncodable where Element == UInt8 {
    /// Encodes the slice as a byte string.
    @inlinable
    public func encode(to writer: inout RLPWriter) { writer.write(bytes: self) }
}

extension ArraySlice: RLPDecodable where Element == UInt8 {
    /// Decodes a byte string as a slice of the reader's input, without copying.
    @inlinable
    public init(from reader: inout RLPReader) throws(RLPError) { self = try reader.readByteSlice() }
}

extension String: RLPCodable {
    /// Encodes the string's UTF-8 bytes as a byte string.
    @inlinable
    public func encode(to writer: inout RLPWriter) { writer.write(bytes: utf8) }

    /// Decodes a byte string that must be valid UTF-8.
    @inlinable
    public init(from reader: inout RLPReader) throws(RLPError) {
        let start = reader.offset
        let bytes = try reader.readByteSlice()
        // Decoding repairs invalid sequences; a changed result means invalid input.
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.utf8.elementsEqual(bytes) else { throw .invalidUTF8(offset: start) }
        self = text
    }
}

extension UInt8: RLPCodable {
    /// Encodes as a minimal big-endian integer (0 is 0x80).
    @inlinable
    public func encode(to writer: inout RLPWriter) { writer.write(self) }
    /// Decodes a canonical integer of at most 1 byte.
    @inlinable
    public init(from reader: inout RLPReader) throws(RLPError) { self = try reader.read(UInt8.self) }
}

extension UInt16: RLPCodable {
    /// Encodes as a minimal big-endian integer (0 is 0x80).
    @inlinable
    public func encode(to writer: inout RLPWriter) { writer.write(self) }
    /// Decodes a canonical integer of at most 2 bytes.
    @inlinable
    public init(from reader: inout RLPReader) throws(RLPError) { self = try reader.read(UInt16.self) }
}

extension UInt32: RLPCodable {
    /// Encodes as a minimal big-endian integer (0 is 0x80).
    @inlinable
    public func encode(to writer: inout RLPWriter) { writer.write(self) }
    /// Decodes a canonical integer of at most 4 bytes.
    @inlinable
    public init(from reader: inout RLPReader) throws(RLPError) { self = try reader.read(UInt32.self) }
}

extension UInt64: RLPCodable {
    /// Encodes as a minimal big-endian integer (0 is 0x80).
    @inlinable
    public func encode(to writer: inout RLPWriter) { writer.write(self) }
    /// Decodes a canonical integer of at most 8 bytes.
    @inlinable
    public init(from reader: inout RLPReader) throws(RLPError) { self = try reader.read(UInt64.self) }
}

extension UInt: RLPCodable {
    /// Encodes as a minimal big-endian integer (0 is 0x80).
    @inlinable
    public func encode(to writer: inout RLPWriter) { writer.write(self) }
    /// Decodes a canonical integer no wider than `UInt`.
    @inlinable
    public init(from reader: inout RLPReader) throws(RLPError) { self = try reader.read(UInt.self) }
}

@available(macOS 15.0, iOS 18.0, watchOS 11.0, tvOS 18.0, visionOS 2.0, *)
extension UInt128: RLPCodable {
    /// Encodes as a minimal big-endian integer (0 is 0x80).
    @inlinable
    public func encode(to writer: inout RLPWriter) { writer.write(self) }
    /// Decodes a canonical integer of at most 16 bytes.
    @inlinable
    public init(from reader: inout RLPReader) throws(RLPError) { self = try reader.read(UInt128.self) }
}
