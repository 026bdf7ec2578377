/// Reads RLP items one after another from an input, checking canonical form.
///
/// The input is held as one `ArraySlice<UInt8>` (converted once, not at all
/// if it already is an array or a slice); byte strings can be read as slices
/// of it without copying. Lists are read in place: ``readList(_:)`` narrows
/// the reader to the list's payload while its body runs.
///
/// Offsets in errors and ``offset`` count from the start of the input given
/// to ``init(_:limits:)``. After an error, stop reading, except when catching
/// it around a ``readList(_:)`` call, which leaves the reader after that list.
public struct RLPReader: Sendable {
    /// The whole input; indices are those of the original slice.
    @usableFromInline internal let storage: ArraySlice<UInt8>
    /// Index of the next item.
    @usableFromInline internal var position: Int
    /// End of the current list's payload, or of the input at top level.
    @usableFromInline internal var end: Int
    /// Number of lists currently open.
    @usableFromInline internal var depth: Int
    /// Bounds in force.
    @usableFromInline internal let limits: RLPLimits

    /// A reader over `bytes`, starting at its first item.
    @inlinable
    public init(_ bytes: some Collection<UInt8>, limits: RLPLimits = .default) {
        if let slice = bytes as? ArraySlice<UInt8> {
            storage = slice
        } else if let array = bytes as? [UInt8] {
            storage = array[...]
        } else {
            storage = ArraySlice(bytes)
        }
        position = storage.startIndex
        end = storage.endIndex
        depth = 0
        self.limits = limits
    }

    /// Whether no item is left in the current list (or in the input at top level).
    @inlinable
    public var isAtEnd: Bool { position >= end }

    /// Byte offset of the next item from the start of the input.
    @inlinable
    public var offset: Int { position - storage.startIndex }

    /// Whether the next item is a list; `nil` when ``isAtEnd``. Does not
    /// validate the item.
    @inlinable
    public var nextIsList: Bool? {
        position < end ? storage[position] >= 0xc0 : nil
    }

    // MARK: - Byte strings

    /// Reads a byte string as a slice of the input, without copying.
    @inlinable
    public mutating func readByteSlice() throws(RLPError) -> ArraySlice<UInt8> {
        let header = try nextHeader()
        guard !header.isList else { throw .expectedBytes(offset: header.start - storage.startIndex) }
        position = header.payloadEnd
        return storage[header.payloadStart ..< header.payloadEnd]
    }

    /// Reads a byte string.
    @inlinable
    public mutating func readBytes() throws(RLPError) -> [UInt8] {
        Array(try readByteSlice())
    }

    /// Reads a fixed-size byte string (a 64-byte key, a 32-byte nonce, a
    /// 65-byte signature); any other length is an error.
    @inlinable
    public mutating func readBytes(count: Int) throws(RLPError) -> [UInt8] {
        let start = offset
        let slice = try readByteSlice()
        guard slice.count == count else {
            throw .wrongLength(offset: start, expected: count, actual: slice.count)
        }
        return Array(slice)
    }

    // MARK: - Integers

    /// Reads an unsigned integer: canonical (no leading zero byte, zero as
    /// the empty string) and no wider than `T`.
    @inlinable
    public mutating func read<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) throws(RLPError) -> T {
        let start = offset
        let slice = try readByteSlice()
        let maxBytes = T.bitWidth / 8
        guard slice.count <= maxBytes else { throw .integerTooLarge(offset: start, maxBytes: maxBytes) }
        if let first = slice.first, first == 0 { throw .nonCanonicalInteger(offset: start) }
        var value: T = 0
        for byte in slice {
            value = value << 8 | T(byte)
        }
        return value
    }

    /// Reads a big-endian unsigned integer as bytes (e.g. a uint256 with
    /// `maxByteCount` 32): canonical and at most `maxByteCount` bytes; zero
    /// is returned as an empty array.
    @inlinable
    public mutating func readBigEndianUInt(maxByteCount: Int) throws(RLPError) -> [UInt8] {
        let start = offset
        let slice = try readByteSlice()
        guard slice.count <= maxByteCount else {
            throw .integerTooLarge(offset: start, maxBytes: maxByteCount)
        }
        if let first = slice.first, first == 0 { throw .nonCanonicalInteger(offset: start) }
        return Array(slice)
    }

    // MARK: - Values and lists

    /// Reads a value that decodes itself.
    @inlinable
    @_disfavoredOverload
    public mutating func read<T: RLPDecodable>(_: T.Type) throws(RLPError) -> T {
        try T(from: &self)
    }

    /// Reads a list, running `body` on its items.
    ///
    /// `body` must read every item, or call ``skipRemaining()`` to ignore
    /// the rest (EIP-8 forward compatibility); items left over are
    /// ``RLPError/listNotFullyConsumed(offset:)``. If `body` throws, the
    /// reader is left after the list.
    @inlinable
    public mutating func readList<R>(_ body: (inout RLPReader) throws(RLPError) -> R) throws(RLPError) -> R {
        let scope = try enterList(try nextHeader())
        let result: R
        do {
            result = try body(&self)
        } catch {
            leaveList(scope)
            throw error
        }
        guard position >= end else {
            let unread = offset
            leaveList(scope)
            throw .listNotFullyConsumed(offset: unread)
        }
        leaveList(scope)
        return result
    }

    /// Reads a list whose items are all of type `T`.
    @inlinable
    public mutating func readList<T: RLPDecodable>(of _: T.Type) throws(RLPError) -> [T] {
        try readList { list throws(RLPError) in
            var elements: [T] = []
            while !list.isAtEnd {
                elements.append(try T(from: &list))
            }
            return elements
        }
    }

    /// Reads any one item as a tree, within the nesting limit.
    public mutating func readItem() throws(RLPError) -> RLPItem {
        let header = try nextHeader()
        guard header.isList else {
            position = header.payloadEnd
            return .bytes(Array(storage[header.payloadStart ..< header.payloadEnd]))
        }
        let scope = try enterList(header)
        var items: [RLPItem] = []
        while position < end {
            // Recursion is bounded by limits.maxDepth (checked in enterList).
            items.append(try readItem())
        }
        leaveList(scope)
        return .list(items)
    }

    /// Reads one whole item, header included, as a slice of the input,
    /// after checking that it and everything nested in it is canonical.
    public mutating func readRawItem() throws(RLPError) -> ArraySlice<UInt8> {
        let header = try nextHeader()
        try skip(header)
        return storage[header.start ..< header.payloadEnd]
    }

    /// Steps over one item, checking it as ``readRawItem()`` does.
    public mutating func skipItem() throws(RLPError) {
        try skip(try nextHeader())
    }

    /// Steps over the items left in the current list (checking them), so
    /// that a ``readList(_:)`` body may ignore fields it does not know.
    public mutating func skipRemaining() throws(RLPError) {
        while position < end {
            try skip(try nextHeader())
        }
    }

    // MARK: - Internals

    /// What a list scope replaces, to restore on leaving it.
    @usableFromInline
    internal struct ListScope: Sendable {
        @usableFromInline let outerEnd: Int
        @usableFromInline let outerDepth: Int
        @usableFromInline let listEnd: Int

        @inlinable
        init(outerEnd: Int, outerDepth: Int, listEnd: Int) {
            self.outerEnd = outerEnd
            self.outerDepth = outerDepth
            self.listEnd = listEnd
        }
    }

    /// Narrows the reader to the payload of the list `header`, enforcing the depth limit.
    @usableFromInline
    internal mutating func enterList(_ header: RLPHeader) throws(RLPError) -> ListScope {
        guard header.isList else { throw .expectedList(offset: header.start - storage.startIndex) }
        guard depth < limits.maxDepth else {
            throw .tooDeep(offset: header.start - storage.startIndex, maxDepth: max(limits.maxDepth, 0))
        }
        let scope = ListScope(outerEnd: end, outerDepth: depth, listEnd: header.payloadEnd)
        depth += 1
        end = header.payloadEnd
        position = header.payloadStart
        return scope
    }

    /// Restores the enclosing scope and moves past the list.
    @usableFromInline
    internal mutating func leaveList(_ scope: ListScope) {
        position = scope.listEnd
        end = scope.outerEnd
        depth = scope.outerDepth
    }

    /// Moves past the item `header`, validating a list's contents (iterating
    /// items at one level, recursing only into nested lists).
    @usableFromInline
    internal mutating func skip(_ header: RLPHeader) throws(RLPError) {
        guard header.isList else {
            position = header.payloadEnd
            return
        }
        let scope = try enterList(header)
        while position < end {
            try skip(try nextHeader())
        }
        leaveList(scope)
    }
}
