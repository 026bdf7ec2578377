import RLP
import Testing

/// One input that breaks one rule of spec §13.2, with the error it must give.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let hex: String
    let error: RLPError
    var testDescription: String { "\(rule): \(hex)" }
}

@Suite("Canonical form: one rejection per rule")
struct CanonicalFormTests {
    static let structural: [MalformedCase] = [
        .init(rule: "wrapped single byte", hex: "81 05", error: .nonCanonicalSingleByte(offset: 0)),
        .init(rule: "wrapped single byte, nested at byte 3", hex: "c4 01 02 81 05", error: .nonCanonicalSingleByte(offset: 3)),
        .init(rule: "long string form under 56", hex: "b8 01 ff", error: .nonCanonicalLength(offset: 0)),
        .init(rule: "long string form under 56, nested", hex: "c4 01 b8 01 ff", error: .nonCanonicalLength(offset: 2)),
        .init(rule: "long list form under 56", hex: "f8 03 01 02 03", error: .nonCanonicalLength(offset: 0)),
        .init(rule: "long list form under 56, two levels down", hex: "c5 c4 01 f8 01 02", error: .nonCanonicalLength(offset: 3)),
        .init(rule: "leading zero in string length", hex: "b9 00 40" + String(repeating: "00", count: 64), error: .leadingZeroInLength(offset: 0)),
        .init(rule: "leading zero in list length", hex: "f8 00", error: .leadingZeroInLength(offset: 0)),
        .init(rule: "leading zero in length, nested", hex: "c3 80 b8 00", error: .leadingZeroInLength(offset: 2)),
        .init(rule: "payload past end of input", hex: "83 01 02", error: .truncated(offset: 0, needed: 3, available: 2)),
        .init(rule: "length field past end of input", hex: "b9 01", error: .truncated(offset: 0, needed: 2, available: 1)),
        .init(rule: "list payload past end of input", hex: "c3 01", error: .truncated(offset: 0, needed: 3, available: 1)),
        .init(rule: "nested item past end of input", hex: "c1 82", error: .truncated(offset: 1, needed: 2, available: 0)),
        .init(rule: "element larger than its list", hex: "c2 83 01 02 03", error: .elementLargerThanList(offset: 1)),
        .init(rule: "items overrun list payload", hex: "c2 01 82 02 03", error: .elementLargerThanList(offset: 2)),
        .init(rule: "length field larger than its list", hex: "c1 b9 01 00", error: .elementLargerThanList(offset: 1)),
        .init(rule: "empty input", hex: "", error: .emptyInput(offset: 0)),
        .init(rule: "trailing byte", hex: "01 02", error: .trailingBytes(offset: 1)),
        .init(rule: "trailing item after list", hex: "c0 c0", error: .trailingBytes(offset: 1)),
        .init(rule: "length 2^64-1", hex: "bf ff ff ff ff ff ff ff ff", error: .lengthTooLarge(offset: 0)),
        .init(rule: "list length 2^64-1", hex: "ff ff ff ff ff ff ff ff ff 00", error: .lengthTooLarge(offset: 0)),
        .init(rule: "length 2^62", hex: "bf 40 00 00 00 00 00 00 00", error: .truncated(offset: 0, needed: 1 << 62, available: 0)),
        .init(rule: "length 2^62 inside a list", hex: "c9 bf 40 00 00 00 00 00 00 00", error: .truncated(offset: 1, needed: 1 << 62, available: 0)),
    ]

    @Test("structural rules, decoding into RLPItem", arguments: structural)
    func structuralRule(_ malformed: MalformedCase) {
        let input = bytes(malformed.hex)
        let error = rlpError { () throws(RLPError) in try RLP.decode(RLPItem.self, from: input) }
        #expect(error == malformed.error)
        #expect(error?.offset == malformed.error.offset)
    }

    @Test("the same rules hold for a slice whose indices do not start at 0")
    func offsetsAreRelativeToTheInput() {
        let padded = [0xaa, 0xbb] + bytes("c4 01 02 81 05")
        let error = rlpError { () throws(RLPError) in try RLP.decode(RLPItem.self, from: padded[2...]) }
        #expect(error == .nonCanonicalSingleByte(offset: 3))
    }

    @Test("integer with a leading zero byte")
    func integerLeadingZero() {
        #expect(rlpError { () throws(RLPError) in try RLP.decode(UInt64.self, from: bytes("82 00 01")) }
            == .nonCanonicalInteger(offset: 0))
        var reader = RLPReader(bytes("c4 01 82 00 01"))
        let error = rlpError { () throws(RLPError) in
            try reader.readList { list throws(RLPError) in (try list.read(UInt64.self), try list.read(UInt64.self)) }
        }
        #expect(error == .nonCanonicalInteger(offset: 2))
    }

    @Test("zero as the single byte 0x00")
    func zeroAsByte() throws {
        #expect(rlpError { () throws(RLPError) in try RLP.decode(UInt64.self, from: [0x00]) } == .nonCanonicalInteger(offset: 0))
        var reader = RLPReader([0x00])
        #expect(rlpError { () throws(RLPError) in try reader.readBigEndianUInt(maxByteCount: 32) } == .nonCanonicalInteger(offset: 0))
        // As a plain byte string, 0x00 is fine.
        #expect(try RLP.decode([UInt8].self, from: [0x00]) == [0x00])
    }

    @Test("integer wider than its type")
    func integerTooWide() {
        #expect(rlpError { () throws(RLPError) in try RLP.decode(UInt16.self, from: bytes("83 01 00 00")) }
            == .integerTooLarge(offset: 0, maxBytes: 2))
        #expect(rlpError { () throws(RLPError) in try RLP.decode(UInt8.self, from: bytes("81 80 ")) } == nil)
        #expect(rlpError { () throws(RLPError) in try RLP.decode(UInt8.self, from: bytes("82 01 00")) }
            == .integerTooLarge(offset: 0, maxBytes: 1))
        let wide = [0xa1] + [UInt8](repeating: 0xff, count: 33)
        var reader = RLPReader(wide)
        #expect(rlpError { () throws(RLPError) in try reader.readBigEndianUInt(maxByteCount: 32) }
            == .integerTooLarge(offset: 0, maxBytes: 32))
    }

    @Test("fixed-size field of another length")
    func fixedSize() throws {
        let nonce31 = RLP.encode([UInt8](repeating: 7, count: 31))
        var reader = RLPReader(nonce31)
        #expect(rlpError { () throws(RLPError) in try reader.readBytes(count: 32) }
            == .wrongLength(offset: 0, expected: 32, actual: 31))
        var exact = RLPReader(RLP.encode([UInt8](repeating: 7, count: 32)))
        #expect(try exact.readBytes(count: 32) == [UInt8](repeating: 7, count: 32))
    }

    @Test("list where a byte string is required, and the reverse")
    func kindMismatch() {
        #expect(rlpError { () throws(RLPError) in try RLP.decode([UInt8].self, from: [0xc0]) } == .expectedBytes(offset: 0))
        var reader = RLPReader([0x80])
        #expect(rlpError { () throws(RLPError) in try reader.readList { _ throws(RLPError) in () } } == .expectedList(offset: 0))
    }

    @Test("list items left unread, or missing")
    func listConsumption() {
        var reader = RLPReader(bytes("c2 01 02"))
        #expect(rlpError { () throws(RLPError) in try reader.readList { list throws(RLPError) in try list.read(UInt8.self) } }
            == .listNotFullyConsumed(offset: 2))
        var short = RLPReader(bytes("c2 01 02"))
        #expect(rlpError { () throws(RLPError) in
            try short.readList { list throws(RLPError) in
                (try list.read(UInt8.self), try list.read(UInt8.self), try list.read(UInt8.self))
            }
        } == .listTooShort(offset: 3))
    }

    @Test("text that is not UTF-8")
    func invalidUTF8() throws {
        #expect(rlpError { () throws(RLPError) in try RLP.decode(String.self, from: bytes("c2 81 ff")) } == .expectedBytes(offset: 0))
        var reader = RLPReader(bytes("c3 01 81 ff"))
        #expect(rlpError { () throws(RLPError) in
            try reader.readList { list throws(RLPError) in (try list.read(UInt8.self), try list.read(String.self)) }
        } == .invalidUTF8(offset: 2))
        #expect(try RLP.decode(String.self, from: RLP.encode("héllo")) == "héllo")
    }

    @Test("every error names its byte in a sentence")
    func descriptions() {
        #expect(RLPError.nonCanonicalLength(offset: 7).description
            == "RLP item at byte 7 uses the long length form for fewer than 56 bytes")
        let all: [RLPError] = [
            .emptyInput(offset: 11), .listTooShort(offset: 11), .truncated(offset: 11, needed: 5, available: 1),
            .nonCanonicalSingleByte(offset: 11), .nonCanonicalLength(offset: 11), .leadingZeroInLength(offset: 11),
            .elementLargerThanList(offset: 11), .trailingBytes(offset: 11), .nonCanonicalInteger(offset: 11),
            .integerTooLarge(offset: 11, maxBytes: 8), .wrongLength(offset: 11, expected: 32, actual: 31),
            .expectedList(offset: 11), .expectedBytes(offset: 11), .tooDeep(offset: 11, maxDepth: 64),
            .listNotFullyConsumed(offset: 11), .lengthTooLarge(offset: 11), .invalidUTF8(offset: 11),
        ]
        for error in all {
            #expect(error.description.contains("byte 11"), "\(error)")
            #expect(error.description.hasPrefix("RLP "), "\(error)")
            #expect(error.offset == 11)
        }
        #expect(Set(all.map(\.description)).count == all.count)
    }
}
