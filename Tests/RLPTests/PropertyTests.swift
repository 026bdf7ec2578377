import RLP
import Testing
import TestSupport

@Suite("Properties: roundtrips and hostile input")
struct PropertyTests {
    /// String lengths around every header boundary, plus small random ones.
    static let boundaryLengths = [0, 1, 2, 55, 56, 57, 255, 256, 257, 1023, 1024, 65535, 65536]

    static func randomString(large: Bool = true, using generator: inout SeededGenerator) -> [UInt8] {
        switch Int.random(in: 0..<(large ? 10 : 8), using: &generator) {
        case 0..<4:
            // Single bytes straddling 0x80, the lone-byte / wrapped boundary.
            return [UInt8.random(in: 0x70...0x90, using: &generator)]
        case 4..<8:
            return generator.bytes(Int.random(in: 0...70, using: &generator))
        default:
            var length = boundaryLengths.randomElement(using: &generator)!
            if length >= 1024 && Bool.random(using: &generator) { length = 57 }   // keep big ones rare
            return generator.bytes(length)
        }
    }

    static func randomTree(depth: Int, large: Bool = true, using generator: inout SeededGenerator) -> RLPItem {
        if depth == 0 || Int.random(in: 0..<3, using: &generator) == 0 {
            return .bytes(randomString(large: large, using: &generator))
        }
        // Some wide lists so that list payloads cross 56 and 256 bytes.
        let count = Int.random(in: 0..<10, using: &generator) == 0
            ? Int.random(in: 10...40, using: &generator)
            : Int.random(in: 0...4, using: &generator)
        return .list((0..<count).map { _ in randomTree(depth: depth - 1, large: large, using: &generator) })
    }

    /// Encoded size computed from the rules, independently of the writer.
    static func expectedSize(_ item: RLPItem) -> Int {
        func header(_ payload: Int) -> Int { payload < 56 ? 1 : 1 + (64 - UInt64(payload).leadingZeroBitCount + 7) / 8 }
        switch item {
        case .bytes(let bytes):
            return bytes.count == 1 && bytes[0] < 0x80 ? 1 : header(bytes.count) + bytes.count
        case .list(let items):
            let payload = items.reduce(0) { $0 + expectedSize($1) }
            return header(payload) + payload
        }
    }

    @Test("decode(encode(tree)) == tree for 400 random trees", arguments: 0..<4)
    func treeRoundtrip(batch: Int) throws {
        var generator = SeededGenerator(seed: 0x5EED_0000 + UInt64(batch))
        for _ in 0..<100 {
            let tree = Self.randomTree(depth: Int.random(in: 0...7, using: &generator), using: &generator)
            let encoded = RLP.encode(tree)
            #expect(encoded.count == Self.expectedSize(tree))
            #expect(try RLP.decode(RLPItem.self, from: encoded) == tree)

            var reader = RLPReader(encoded)
            #expect(try reader.readRawItem() == encoded[...])
            #expect(reader.isAtEnd)
        }
    }

    @Test("UInt64 roundtrips and encodes minimally")
    func integerRoundtrip() throws {
        var generator = SeededGenerator(seed: 64)
        for _ in 0..<2000 {
            let bits = Int.random(in: 0...64, using: &generator)
            let value = bits == 0 ? 0 : generator.next() >> (64 - bits)
            let encoded = RLP.encode(value)
            #expect(encoded == RLP.encode(minimalBigEndian(value)))
            #expect(try RLP.decode(UInt64.self, from: encoded) == value)
            #expect(try RLP.decode(UInt.self, from: encoded) == UInt(value))
        }
        for value: UInt64 in [0, 1, 0x7f, 0x80, 0xff, 0x100, .max] {
            #expect(try RLP.decode(UInt64.self, from: RLP.encode(value)) == value)
        }
    }

    @available(macOS 15.0, *)
    @Test("UInt128 roundtrips and encodes minimally")
    func uint128Roundtrip() throws {
        var generator = SeededGenerator(seed: 128)
        for _ in 0..<2000 {
            let bits = Int.random(in: 0...128, using: &generator)
            let full = UInt128(generator.next()) << 64 | UInt128(generator.next())
            let value = bits == 0 ? 0 : full >> (128 - bits)
            let encoded = RLP.encode(value)
            #expect(encoded == RLP.encode(minimalBigEndian(value)))
            #expect(try RLP.decode(UInt128.self, from: encoded) == value)
            if let narrow = UInt64(exactly: value) {
                #expect(try RLP.decode(UInt64.self, from: encoded) == narrow)
            } else {
                #expect(rlpError { () throws(RLPError) in try RLP.decode(UInt64.self, from: encoded) }
                    == .integerTooLarge(offset: 0, maxBytes: 8))
            }
        }
    }

    @Test("32-byte big-endian values roundtrip without leading zeros")
    func uint256Roundtrip() throws {
        var generator = SeededGenerator(seed: 256)
        for _ in 0..<1000 {
            var value = generator.bytes(32)
            let zeros = Int.random(in: 0...32, using: &generator)
            for index in 0..<zeros { value[index] = 0 }
            let stripped = Array(value.drop { $0 == 0 })

            var writer = RLPWriter()
            writer.write(bigEndianUInt: value)
            #expect(writer.bytes == RLP.encode(stripped))
            var reader = RLPReader(writer.bytes)
            #expect(try reader.readBigEndianUInt(maxByteCount: 32) == stripped)
            #expect(reader.isAtEnd)
        }
    }

    /// A random edit of a valid encoding: flip, truncate, insert, drop, or
    /// nudge a byte (often a length) by one.
    static func mutate(_ input: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        let edits = Int.random(in: 1...3, using: &generator)
        for _ in 0..<edits {
            guard !bytes.isEmpty else { return [UInt8.random(in: 0...255, using: &generator)] }
            let index = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: bytes[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
            case 1: bytes.removeSubrange(index...)
            case 2: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
            case 3: bytes.remove(at: index)
            case 4: bytes[index] &+= 1
            default: bytes[index] &-= 1
            }
        }
        return bytes
    }

    /// Random header-heavy bytes: prefixes from every range, short lengths.
    static func randomInput(using generator: inout SeededGenerator) -> [UInt8] {
        let count = Int.random(in: 0...48, using: &generator)
        return (0..<count).map { _ in
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: UInt8.random(in: 0xb7...0xc1, using: &generator)
            case 1: UInt8.random(in: 0xf7...0xff, using: &generator)
            case 2: UInt8.random(in: 0...0x3f, using: &generator)
            default: UInt8.random(in: 0...255, using: &generator)
            }
        }
    }

    @Test("hostile input never crashes; what decodes re-encodes to the same bytes")
    func fuzz() {
        var generator = SeededGenerator(seed: 0xF022)
        var accepted = 0
        var refused = 0
        for round in 0..<6000 {
            let input: [UInt8]
            if round % 2 == 0 {
                input = Self.randomInput(using: &generator)
            } else {
                // Small strings only: large ones make each round slow and add nothing.
                let tree = Self.randomTree(depth: 4, large: false, using: &generator)
                input = Self.mutate(RLP.encode(tree), using: &generator)
            }
            let limits = RLPLimits(maxDepth: 8)
            do throws(RLPError) {
                let item = try RLP.decode(RLPItem.self, from: input, limits: limits)
                // Only canonical input is accepted, so the encoding is unique.
                #expect(RLP.encode(item) == input, "accepted non-canonical \(hexString(input))")
                accepted += 1
            } catch {
                #expect(error.offset >= 0 && error.offset <= input.count, "\(error) for \(hexString(input))")
                refused += 1
                // Validation by skipping finds the same first error.
                var reader = RLPReader(input, limits: limits)
                let skipError = rlpError { () throws(RLPError) in
                    try reader.skipItem()
                    if !reader.isAtEnd { throw .trailingBytes(offset: reader.offset) }
                }
                #expect(skipError == error, "\(hexString(input))")
            }
        }
        #expect(accepted > 100)
        #expect(refused > 1000)
    }
}
