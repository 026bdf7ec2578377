import RLP
import Testing

/// A message shaped like the ones later modules define: how short a conformance is.
private struct Announcement: RLPCodable, Equatable {
    var version: UInt64
    var nodeID: [UInt8]       // 32 bytes
    var topics: [String]
    var value: [UInt8]        // uint256 as big-endian bytes

    func encode(to writer: inout RLPWriter) {
        writer.writeList { list in
            list.write(version)
            list.write(bytes: nodeID)
            list.write(list: topics)
            list.write(bigEndianUInt: value)
        }
    }

    init(version: UInt64, nodeID: [UInt8], topics: [String], value: [UInt8]) {
        (self.version, self.nodeID, self.topics, self.value) = (version, nodeID, topics, value)
    }

    init(from reader: inout RLPReader) throws(RLPError) {
        (version, nodeID, topics, value) = try reader.readList { list throws(RLPError) in
            let fields = (try list.read(UInt64.self), try list.readBytes(count: 32),
                          try list.readList(of: String.self), try list.readBigEndianUInt(maxByteCount: 32))
            try list.skipRemaining()   // EIP-8 style: later versions may append fields
            return fields
        }
    }
}

@Suite("RLPWriter and RLPReader")
struct ReaderWriterTests {
    private let sample = Announcement(version: 3, nodeID: Array(0..<32), topics: ["join", "leave"], value: [0x01, 0x00])

    @Test("a protocol type roundtrips")
    func protocolTypeRoundtrip() throws {
        let encoded = RLP.encode(sample)
        #expect(try RLP.decode(Announcement.self, from: encoded) == sample)
        let tree = try RLP.decode(RLPItem.self, from: encoded)
        #expect(tree == .list([.bytes([3]), .bytes(Array(0..<32)),
                               .list([.bytes(Array("join".utf8)), .bytes(Array("leave".utf8))]), .bytes([1, 0])]))
    }

    @Test("extra fields from a newer version are skipped, but still validated")
    func forwardCompatible() throws {
        var extended = RLPWriter()
        extended.writeList { list in
            list.write(sample.version)
            list.write(bytes: sample.nodeID)
            list.write(list: sample.topics)
            list.write(bigEndianUInt: sample.value)
            list.write(UInt64(99))
            list.writeList { $0.write(bytes: [0xde, 0xad]) }
        }
        #expect(try RLP.decode(Announcement.self, from: extended.bytes) == sample)

        // A non-canonical trailing field is still refused.
        var bad = Array(RLP.encode(sample))
        bad[0] += 2
        bad.append(contentsOf: [0x81, 0x05])
        #expect(rlpError { () throws(RLPError) in try RLP.decode(Announcement.self, from: bad) }
            == .nonCanonicalSingleByte(offset: bad.count - 2))
    }

    @Test("trailing bytes are refused unless allowed (handshake padding)")
    func trailing() throws {
        let padded = RLP.encode(sample) + [0, 0, 0xff]
        #expect(rlpError { () throws(RLPError) in try RLP.decode(Announcement.self, from: padded) }
            == .trailingBytes(offset: padded.count - 3))
        #expect(try RLP.decode(Announcement.self, from: padded, allowTrailingBytes: true) == sample)
    }

    @Test("headers at the 55/56 and 255/256 boundaries, strings and lists")
    func lengthBoundaries() throws {
        for length in [0, 1, 55, 56, 255, 256, 65535, 65536] {
            let string = [UInt8](repeating: 0xab, count: length)
            let encoded = RLP.encode(string)
            let expectedHeader: [UInt8] = switch length {
            case 0..<56: [0x80 + UInt8(length)]
            case 56..<256: [0xb8, UInt8(length)]
            case 256..<65536: [0xb9, UInt8(length >> 8), UInt8(length & 0xff)]
            default: [0xba, UInt8(length >> 16), UInt8((length >> 8) & 0xff), UInt8(length & 0xff)]
            }
            if length != 1 { #expect(Array(encoded.prefix(expectedHeader.count)) == expectedHeader) }
            #expect(try RLP.decode([UInt8].self, from: encoded) == string)

            // A list whose payload is `length` bytes of single-byte items.
            var writer = RLPWriter()
            writer.writeList { list in
                for _ in 0..<length { list.write(UInt8(1)) }
            }
            var listHeader = expectedHeader
            listHeader[0] += 0x40
            #expect(Array(writer.bytes.prefix(listHeader.count)) == listHeader)
            #expect(writer.count == listHeader.count + length)
            let decoded = try RLP.decode(RLPItem.self, from: writer.bytes)
            #expect(decoded.listValue?.count == length)
        }
    }

    @Test("nested long lists get their headers patched in the right places")
    func nestedLongLists() throws {
        let leaf = RLPItem.bytes([UInt8](repeating: 0x42, count: 60))
        let tree = RLPItem.list([.list([leaf, .list([leaf, leaf])]), .bytes([]), .list([]), leaf])
        let encoded = RLP.encode(tree)
        #expect(encoded.count == PropertyTests.expectedSize(tree))
        #expect(try RLP.decode(RLPItem.self, from: encoded) == tree)
    }

    @Test("a throwing writeList body leaves nothing behind")
    func writeListRollback() {
        struct Stop: Error {}
        var writer = RLPWriter()
        writer.write(UInt64(7))
        #expect(throws: Stop.self) {
            try writer.writeList { list throws(Stop) in
                list.write(bytes: [UInt8](repeating: 1, count: 100))
                throw Stop()
            }
        }
        #expect(writer.bytes == [0x07])
    }

    @Test("integers of every width, including values with the top bit set")
    func integerWidths() throws {
        #expect(RLP.encode(UInt8(0)) == [0x80])
        #expect(RLP.encode(UInt8(0x7f)) == [0x7f])
        #expect(RLP.encode(UInt8(0x80)) == [0x81, 0x80])
        #expect(RLP.encode(UInt16(1000)) == [0x82, 0x03, 0xe8])
        #expect(RLP.encode(UInt32.max) == [0x84, 0xff, 0xff, 0xff, 0xff])
        #expect(RLP.encode(UInt64.max) == [0x88] + [UInt8](repeating: 0xff, count: 8))
        var writer = RLPWriter()
        writer.write(bigEndianUInt: [0, 0, 0])
        writer.write(bigEndianUInt: [UInt8]())
        writer.write(bigEndianUInt: [0, 0x05])
        #expect(writer.bytes == [0x80, 0x80, 0x05])
        #expect(try RLP.decode(UInt16.self, from: [0x82, 0xff, 0xff]) == .max)
    }

    @Test("reader navigation: nextIsList, offset, raw items, skipping")
    func navigation() throws {
        let encoded = RLP.encode(RLPItem.list([.bytes([1]), .list([.bytes([2, 0x99])]), .bytes([])]))
        var reader = RLPReader(encoded)
        #expect(reader.nextIsList == true)
        try reader.readList { list throws(RLPError) in
            #expect(list.offset == 1)
            #expect(list.nextIsList == false)
            try list.skipItem()
            #expect(list.nextIsList == true)
            let raw = try list.readRawItem()
            #expect(Array(raw) == [0xc3, 0x82, 0x02, 0x99])
            #expect(raw.startIndex == 2)   // a slice of the input: no copy
            #expect(try list.read([UInt8].self) == [])
            #expect(list.isAtEnd)
            #expect(list.nextIsList == nil)
        }
        #expect(reader.isAtEnd)
        #expect(reader.nextIsList == nil)
        #expect(rlpError { () throws(RLPError) in try reader.readBytes() } == .emptyInput(offset: encoded.count))
    }

    @Test("an error caught around readList leaves the reader after that list")
    func recoverAfterList() throws {
        // [[0x81 0x05 (bad)], 7]
        let input = bytes("c4 c2 81 05 07")
        var reader = RLPReader(input)
        let seven = try reader.readList { outer throws(RLPError) in
            let error = rlpError { () throws(RLPError) in try outer.readList { inner throws(RLPError) in try inner.readBytes() } }
            #expect(error == .nonCanonicalSingleByte(offset: 2))
            return try outer.read(UInt8.self)
        }
        #expect(seven == 7)
        #expect(reader.isAtEnd)
    }

    @Test("lists of values; raw pre-encoded items; slices and text")
    func conveniences() throws {
        var writer = RLPWriter(reservingCapacity: 16)
        writer.write(list: [UInt32(1), 2, 300])
        writer.write(rawEncoded: RLP.encode("dog"))
        writer.write(Array("cat".utf8)[...])
        var reader = RLPReader(writer.bytes)
        #expect(try reader.readList(of: UInt32.self) == [1, 2, 300])
        #expect(try reader.read(String.self) == "dog")
        let slice = try reader.read(ArraySlice<UInt8>.self)
        #expect(Array(slice) == Array("cat".utf8))
        #expect(reader.isAtEnd)
        #expect(RLP.encode(RLPItem.list([])) == [0xc0])
        #expect(RLPItem.list([.bytes([0x64, 0x6f])]).description == "[0x646f]")
    }

    @Test("decoding from any collection of bytes")
    func anyCollection() throws {
        let encoded = RLP.encode(sample)
        let unsafeCopy = encoded.withUnsafeBufferPointer { Array($0) }
        #expect(try RLP.decode(Announcement.self, from: unsafeCopy.reversed().reversed()) == sample)
        #expect(try RLP.decode(Announcement.self, from: ContiguousArray(encoded)) == sample)
    }
}
