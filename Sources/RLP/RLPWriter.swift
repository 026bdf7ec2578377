/// Builds an RLP encoding in one growing buffer.
///
/// Lists are written in place: ``writeList(_:)`` reserves one header byte,
/// lets the body write the items, then fills the header in. Only a list whose
/// payload reaches 56 bytes needs a longer header, and then the payload is
/// shifted once; no intermediate array is built per nested list.
public struct RLPWriter: Sendable {
    /// The encoding so far.
    @usableFromInline
    internal var buffer: [UInt8]

    /// An empty writer.
    @inlinable
    public init() {
        buffer = []
        // Most devp2p messages are a few hundred bytes; avoid the first regrowths.
        buffer.reserveCapacity(256)
    }

    /// An empty writer with room for `capacity` bytes, for callers that know
    /// the size of what they encode.
    @inlinable
    public init(reservingCapacity capacity: Int) {
        buffer = []
        buffer.reserveCapacity(capacity)
    }

    /// The encoding written so far.
    @inlinable
    public var bytes: [UInt8] { buffer }

    /// Number of bytes written so far.
    @inlinable
    public var count: Int { buffer.count }

    /// Writes `bytes` as an RLP byte string.
    @inlinable
    public mutating func write(bytes: some Collection<UInt8>) {
        let count = bytes.count
        if count == 1, let byte = bytes.first, byte < 0x80 {
            buffer.append(byte)
            return
        }
        appendHeader(payloadLength: count, shortBase: 0x80)
        buffer.append(contentsOf: bytes)
    }

    /// Writes an unsigned integer as its minimal big-endian byte string
    /// (0 is the empty string).
    @inlinable
    public mutating func write<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        if value < 0x80 {
            buffer.append(value == 0 ? 0x80 : UInt8(truncatingIfNeeded: value))
            return
        }
        let byteCount = (T.bitWidth - value.leadingZeroBitCount + 7) / 8
        if T.bitWidth <= 64 {
            // One bulk append from the big-endian image instead of a byte loop.
            let wide = UInt64(truncatingIfNeeded: value)
            buffer.append(0x80 &+ UInt8(truncatingIfNeeded: byteCount))
            appendBigEndian(wide, byteCount: byteCount)
        } else {
            appendHeader(payloadLength: byteCount, shortBase: 0x80)
            var shift = (byteCount - 1) * 8
            while shift >= 0 {
                buffer.append(UInt8(truncatingIfNeeded: value >> shift))
                shift -= 8
            }
        }
    }

    /// Writes a big-endian unsigned integer given as bytes (e.g. a 256-bit
    /// value), dropping leading zero bytes so the encoding is canonical.
    @inlinable
    public mutating func write(bigEndianUInt bytes: some Collection<UInt8>) {
        if let firstNonZero = bytes.firstIndex(where: { $0 != 0 }) {
            write(bytes: bytes[firstNonZero...])
        } else {
            buffer.append(0x80)
        }
    }

    /// Writes a value that encodes itself.
    @inlinable
    @_disfavoredOverload
    public mutating func write(_ value: some RLPEncodable) {
        value.encode(to: &self)
    }

    /// Writes a list of values that encode themselves.
    @inlinable
    public mutating func write<S: Sequence>(list elements: S) where S.Element: RLPEncodable {
        writeList { writer in
            for element in elements { element.encode(to: &writer) }
        }
    }

    /// Writes a list whose items `body` writes; the length prefix is filled
    /// in afterwards. If `body` throws, everything it wrote is removed.
    @inlinable
    public mutating func writeList<E: Error>(_ body: (inout RLPWriter) throws(E) -> Void) throws(E) {
        let headerIndex = buffer.count
        buffer.append(0xc0)  // placeholder, right for payloads under 56 bytes
        do {
            try body(&self)
        } catch {
            buffer.removeSubrange(headerIndex...)
            throw error
        }
        finishList(headerIndex: headerIndex)
    }

    /// Appends an item that is already RLP-encoded, verbatim (e.g. a payload
    /// kept from a decoded message). The caller vouches that it is one item.
    @inlinable
    public mutating func write(rawEncoded bytes: some Collection<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    // MARK: - Internals

    /// Appends a string (`shortBase` 0x80) or list (0xc0) header.
    @inlinable
    internal mutating func appendHeader(payloadLength: Int, shortBase: UInt8) {
        if payloadLength < 56 {
            buffer.append(shortBase &+ UInt8(truncatingIfNeeded: payloadLength))
        } else {
            appendLongHeader(payloadLength: payloadLength, shortBase: shortBase)
        }
    }

    /// The rare long-form header, kept out of line.
    @usableFromInline
    internal mutating func appendLongHeader(payloadLength: Int, shortBase: UInt8) {
        let lengthBytes = Self.byteCount(of: UInt64(payloadLength))
        buffer.append(shortBase &+ 55 &+ UInt8(truncatingIfNeeded: lengthBytes))
        appendBigEndian(UInt64(payloadLength), byteCount: lengthBytes)
    }

    /// Fixes up the placeholder header of a list once its payload is written.
    @inlinable
    internal mutating func finishList(headerIndex: Int) {
        let payloadLength = buffer.count - headerIndex - 1
        if payloadLength < 56 {
            buffer[headerIndex] = 0xc0 &+ UInt8(truncatingIfNeeded: payloadLength)
        } else {
            finishLongList(headerIndex: headerIndex, payloadLength: payloadLength)
        }
    }

    /// Widens a list header to the long form, shifting the payload once.
    @usableFromInline
    internal mutating func finishLongList(headerIndex: Int, payloadLength: Int) {
        let lengthBytes = Self.byteCount(of: UInt64(payloadLength))
        buffer[headerIndex] = 0xf7 &+ UInt8(truncatingIfNeeded: lengthBytes)
        withUnsafeBytes(of: UInt64(payloadLength).bigEndian) { image in
            // Shifts the payload once to make room for the length field.
            buffer.insert(contentsOf: UnsafeRawBufferPointer(rebasing: image[(8 - lengthBytes)...]), at: headerIndex + 1)
        }
    }

    /// Appends the low `byteCount` bytes of `value`, most significant first.
    @usableFromInline
    internal mutating func appendBigEndian(_ value: UInt64, byteCount: Int) {
        withUnsafeBytes(of: value.bigEndian) { image in
            // Rebased to a buffer so the append is a memcpy, not an element loop.
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: image[(8 - byteCount)...]))
        }
    }

    /// Bytes needed for `value` without leading zeros (1 for zero).
    @usableFromInline
    internal static func byteCount(of value: UInt64) -> Int {
        max(1, (64 - value.leadingZeroBitCount + 7) / 8)
    }
}
