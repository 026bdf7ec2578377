import RLP
import Testing
import TestSupport

/// The `in` side of an ethereum/tests `rlptest.json` entry.
enum VectorInput: Decodable, Sendable, Equatable {
    /// A JSON string: its bytes (each `\u00xx` escape stands for one byte).
    case string([UInt8])
    /// A JSON integer.
    case integer(UInt64)
    /// A `"#<decimal>"` string: a big integer, as big-endian bytes.
    case bigInteger([UInt8])
    /// A JSON array.
    case list([VectorInput])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            if text.hasPrefix("#") {
                self = .bigInteger(bigEndianBytes(decimal: String(text.dropFirst())))
            } else {
                self = .string(Self.bytes(of: text))
            }
        } else if let value = try? container.decode(UInt64.self) {
            self = .integer(value)
        } else {
            self = .list(try container.decode([VectorInput].self))
        }
    }

    /// Scalars below 256 are single bytes (how the file uses `\u0000`…`\u007F`);
    /// anything else would be UTF-8 (the file has none).
    static func bytes(of text: String) -> [UInt8] {
        if text.unicodeScalars.allSatisfy({ $0.value < 256 }) {
            return text.unicodeScalars.map { UInt8($0.value) }
        }
        return Array(text.utf8)
    }

    /// Writes the value the way the vector means it.
    func encode(to writer: inout RLPWriter) {
        switch self {
        case .string(let bytes): writer.write(bytes: bytes)
        case .integer(let value): writer.write(value)
        case .bigInteger(let bytes): writer.write(bigEndianUInt: bytes)
        case .list(let items): writer.writeList { list in items.forEach { $0.encode(to: &list) } }
        }
    }

    /// The tree a generic decode must yield.
    var item: RLPItem {
        switch self {
        case .string(let bytes), .bigInteger(let bytes): .bytes(bytes)
        case .integer(let value): .bytes(minimalBigEndian(value))
        case .list(let items): .list(items.map(\.item))
        }
    }
}

struct ValidVector: Sendable, CustomTestStringConvertible {
    let name: String
    let input: VectorInput
    let encoded: [UInt8]
    var testDescription: String { name }

    private struct Entry: Decodable { let `in`: VectorInput; let out: String }

    static func all() throws -> [ValidVector] {
        try TestVectors.decode([String: Entry].self, from: "rlptest.json")
            .map { ValidVector(name: $0.key, input: $0.value.in, encoded: hexBytes($0.value.out)) }
            .sorted { $0.name < $1.name }
    }
}

struct InvalidVector: Sendable, CustomTestStringConvertible {
    let name: String
    let encoded: [UInt8]
    var testDescription: String { name }

    private struct Entry: Decodable { let `in`: String; let out: String }

    static func all() throws -> [InvalidVector] {
        try TestVectors.decode([String: Entry].self, from: "invalidRLPTest.json")
            .map { entry in
                #expect(entry.value.in == "INVALID")
                // hexBytes normalises: optional 0x, either case, empty string.
                return InvalidVector(name: entry.key, encoded: hexBytes(entry.value.out))
            }
            .sorted { $0.name < $1.name }
    }
}

@Suite("ethereum/tests RLP vectors")
struct VectorTests {
    @Test("every vector file entry is loaded")
    func counts() throws {
        #expect(try ValidVector.all().count == 28)
        #expect(try InvalidVector.all().count == 26)
    }

    @Test("rlptest.json: encode in == out, decode out == in", arguments: try ValidVector.all())
    func valid(_ vector: ValidVector) throws {
        var writer = RLPWriter()
        vector.input.encode(to: &writer)
        #expect(hexString(writer.bytes) == hexString(vector.encoded))

        let item = try RLP.decode(RLPItem.self, from: vector.encoded)
        #expect(item == vector.input.item)
        #expect(RLP.encode(item) == vector.encoded)

        switch vector.input {
        case .integer(let value):
            #expect(try RLP.decode(UInt64.self, from: vector.encoded) == value)
            if let narrow = UInt32(exactly: value) {
                #expect(RLP.encode(narrow) == vector.encoded)
                #expect(try RLP.decode(UInt32.self, from: vector.encoded) == narrow)
            }
            if let narrow = UInt8(exactly: value) {
                #expect(RLP.encode(narrow) == vector.encoded)
                #expect(try RLP.decode(UInt8.self, from: vector.encoded) == narrow)
            }
        case .bigInteger(let bytes):
            // 2^256 takes 33 bytes; the writer takes it as bytes, the reader with a wider bound.
            var reader = RLPReader(vector.encoded)
            #expect(try reader.readBigEndianUInt(maxByteCount: 33) == bytes)
            #expect(reader.isAtEnd)
        case .string(let bytes):
            #expect(try RLP.decode([UInt8].self, from: vector.encoded) == bytes)
        case .list:
            break
        }
    }

    @Test("invalidRLPTest.json: every entry is refused", arguments: try InvalidVector.all())
    func invalid(_ vector: InvalidVector) throws {
        let error = rlpError { () throws(RLPError) in try RLP.decode(RLPItem.self, from: vector.encoded) }
        #expect(error != nil)
        if let expected = Self.expectedErrors[vector.name] {
            #expect(error == expected)
        } else {
            Issue.record("no expected error listed for \(vector.name): got \(String(describing: error))")
        }
        // Skipping validates the same way as decoding a tree.
        var reader = RLPReader(vector.encoded)
        #expect(rlpError { () throws(RLPError) in try reader.skipItem() } == error)
    }

    /// The rule each invalid vector breaks, with the offending byte.
    static let expectedErrors: [String: RLPError] = [
        "int32Overflow": .truncated(offset: 0, needed: 0x0f00_0000_0000_0002, available: 2),
        "int32Overflow2": .truncated(offset: 0, needed: 0x0f00_0000_0000_0002, available: 2),
        "wrongSizeList": .nonCanonicalLength(offset: 0),
        "wrongSizeList2": .nonCanonicalLength(offset: 0),
        "incorrectLengthInArray": .leadingZeroInLength(offset: 0),
        "randomRLP": .leadingZeroInLength(offset: 4),
        "bytesShouldBeSingleByte00": .nonCanonicalSingleByte(offset: 0),
        "bytesShouldBeSingleByte01": .nonCanonicalSingleByte(offset: 0),
        "bytesShouldBeSingleByte7F": .nonCanonicalSingleByte(offset: 0),
        "leadingZerosInLongLengthArray1": .leadingZeroInLength(offset: 0),
        "leadingZerosInLongLengthArray2": .leadingZeroInLength(offset: 0),
        "leadingZerosInLongLengthList1": .leadingZeroInLength(offset: 0),
        "leadingZerosInLongLengthList2": .leadingZeroInLength(offset: 0),
        "nonOptimalLongLengthArray1": .nonCanonicalLength(offset: 0),
        "nonOptimalLongLengthArray2": .nonCanonicalLength(offset: 0),
        "nonOptimalLongLengthList1": .nonCanonicalLength(offset: 0),
        "nonOptimalLongLengthList2": .nonCanonicalLength(offset: 0),
        "emptyEncoding": .emptyInput(offset: 0),
        "lessThanShortLengthArray1": .truncated(offset: 0, needed: 1, available: 0),
        "lessThanShortLengthArray2": .truncated(offset: 0, needed: 32, available: 31),
        "lessThanShortLengthList1": .truncated(offset: 0, needed: 5, available: 3),
        "lessThanShortLengthList2": .truncated(offset: 0, needed: 34, available: 7),
        "lessThanLongLengthArray1": .truncated(offset: 0, needed: 65536, available: 6),
        "lessThanLongLengthArray2": .truncated(offset: 0, needed: 64, available: 16),
        "lessThanLongLengthList1": .truncated(offset: 0, needed: 384, available: 0),
        "lessThanLongLengthList2": .lengthTooLarge(offset: 0),
    ]
}
