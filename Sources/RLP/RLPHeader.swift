/// Where one item sits in the input, after its header passed every
/// canonical-form and bounds check.
@usableFromInline
internal struct RLPHeader: Sendable {
    /// Index of the item's first (prefix) byte.
    @usableFromInline let start: Int
    /// Index of the first payload byte (equals `start` for a lone byte < 0x80).
    @usableFromInline let payloadStart: Int
    /// Index one past the payload, which is also the end of the item.
    @usableFromInline let payloadEnd: Int
    /// Whether the item is a list.
    @usableFromInline let isList: Bool

    @inlinable
    init(start: Int, payloadStart: Int, payloadEnd: Int, isList: Bool) {
        self.start = start
        self.payloadStart = payloadStart
        self.payloadEnd = payloadEnd
        self.isList = isList
    }
}

extension RLPReader {
    /// Parses and checks the header of the item at `position` without moving.
    /// (`mutating` only so that the reader is passed by reference, not copied.)
    ///
    /// Every length is compared with the bytes actually present, in
    /// overflow-free form (`count <= end - index`), before any index is
    /// formed from it, so hostile lengths up to 2^64 − 1 are harmless.
    @inlinable
    internal mutating func nextHeader() throws(RLPError) -> RLPHeader {
        let start = position
        guard start < end else { throw missingItem() }
        let prefix = storage[start]
        if prefix < 0x80 {
            return RLPHeader(start: start, payloadStart: start, payloadEnd: start + 1, isList: false)
        }
        let isList = prefix >= 0xc0
        let shortLength = Int(prefix &- (isList ? 0xc0 : 0x80))  // 0...63
        var payloadStart = start + 1
        let length: Int
        if shortLength <= 55 {
            length = shortLength
            try requireAvailable(length, at: payloadStart, itemStart: start)
            if !isList && length == 1 && storage[payloadStart] < 0x80 {
                throw .nonCanonicalSingleByte(offset: start - storage.startIndex)
            }
        } else {
            length = try longLength(lengthOfLength: shortLength - 55, at: payloadStart, itemStart: start)
            payloadStart += shortLength - 55
            try requireAvailable(length, at: payloadStart, itemStart: start)
        }
        return RLPHeader(start: start, payloadStart: payloadStart, payloadEnd: payloadStart + length, isList: isList)
    }

    /// Reads the 1–8 byte length field of a long-form header.
    @usableFromInline
    internal func longLength(lengthOfLength: Int, at index: Int, itemStart: Int) throws(RLPError) -> Int {
        try requireAvailable(lengthOfLength, at: index, itemStart: itemStart)
        let offset = itemStart - storage.startIndex
        guard storage[index] != 0 else { throw .leadingZeroInLength(offset: offset) }
        var declared: UInt64 = 0
        for byteIndex in index ..< index + lengthOfLength {
            declared = declared << 8 | UInt64(storage[byteIndex])
        }
        guard declared >= 56 else { throw .nonCanonicalLength(offset: offset) }
        guard declared <= UInt64(Int.max) else { throw .lengthTooLarge(offset: offset) }
        return Int(declared)
    }

    /// Throws unless `count` bytes from `index` lie inside the current list
    /// (or the input at top level); `index` is at most `end`.
    @inlinable
    internal func requireAvailable(_ count: Int, at index: Int, itemStart: Int) throws(RLPError) {
        if count <= end &- index { return }
        throw outOfBounds(count, at: index, itemStart: itemStart)
    }

    /// The error for an item that does not fit: inside a list but still
    /// within the input it overruns the list, otherwise it overruns the input.
    @usableFromInline
    internal func outOfBounds(_ count: Int, at index: Int, itemStart: Int) -> RLPError {
        let offset = itemStart - storage.startIndex
        let inInput = storage.endIndex - index
        if count <= inInput { return .elementLargerThanList(offset: offset) }
        return .truncated(offset: offset, needed: count, available: inInput)
    }

    /// The error for a missing item: empty input at top level, a short list inside one.
    @usableFromInline
    internal func missingItem() -> RLPError {
        let offset = position - storage.startIndex
        return depth == 0 ? .emptyInput(offset: offset) : .listTooShort(offset: offset)
    }
}
