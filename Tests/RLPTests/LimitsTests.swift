import RLP
import Testing

@Suite("Bounds: depth and hostile lengths")
struct LimitsTests {
    /// `levels` lists nested inside each other around an empty list, each
    /// header sized correctly (long form once a payload reaches 56 bytes).
    static func nestedLists(_ levels: Int) -> [UInt8] {
        var payloadSizes = [0]   // payload of the innermost list
        for _ in 0..<levels - 1 {
            let inner = payloadSizes.last!
            payloadSizes.append(headerSize(inner) + inner)
        }
        var out: [UInt8] = []
        for payload in payloadSizes.reversed() {   // outermost first
            if payload < 56 {
                out.append(0xc0 + UInt8(payload))
            } else {
                let lengthBytes = headerSize(payload) - 1
                out.append(0xf7 + UInt8(lengthBytes))
                for index in (0..<lengthBytes).reversed() { out.append(UInt8(truncatingIfNeeded: payload >> (8 * index))) }
            }
        }
        return out
    }

    /// Where the `level`-th list (1 = outermost) starts: after the headers of those around it.
    static func offsetOfList(_ level: Int, in input: [UInt8]) -> Int {
        var offset = 0
        for _ in 1..<level {
            let prefix = input[offset]
            offset += prefix < 0xf8 ? 1 : 1 + Int(prefix - 0xf7)
        }
        return offset
    }

    static func headerSize(_ payload: Int) -> Int {
        payload < 56 ? 1 : 1 + (64 - UInt64(payload).leadingZeroBitCount + 7) / 8
    }

    @Test("the nested-list builder matches the encoder")
    func builder() {
        var item = RLPItem.list([])
        for _ in 0..<99 { item = .list([item]) }
        #expect(Self.nestedLists(100) == RLP.encode(item))
    }

    @Test("10,000 nested lists are refused with tooDeep, without exhausting the stack")
    func tenThousandLevels() {
        let input = Self.nestedLists(10_000)
        let error = rlpError { () throws(RLPError) in try RLP.decode(RLPItem.self, from: input) }
        guard case .tooDeep(let offset, let maxDepth)? = error else {
            Issue.record("expected tooDeep, got \(String(describing: error))")
            return
        }
        #expect(maxDepth == 64)
        #expect(offset == Self.offsetOfList(65, in: input))
        var skipper = RLPReader(input)
        #expect(rlpError { () throws(RLPError) in try skipper.skipItem() } == error)
        var raw = RLPReader(input)
        #expect(rlpError { () throws(RLPError) in _ = try raw.readRawItem() } == error)
    }

    @Test("exactly maxDepth levels decode; one more is refused")
    func depthBoundary() throws {
        let limit = RLPLimits.default.maxDepth
        #expect(limit == 64)
        let deepest = Self.nestedLists(limit)
        let item = try RLP.decode(RLPItem.self, from: deepest)
        #expect(RLP.encode(item) == deepest)

        let tooDeep = Self.nestedLists(limit + 1)
        let error = rlpError { () throws(RLPError) in try RLP.decode(RLPItem.self, from: tooDeep) }
        #expect(error == .tooDeep(offset: Self.offsetOfList(limit + 1, in: tooDeep), maxDepth: limit))

        let small = RLPLimits(maxDepth: 2)
        #expect(rlpError { () throws(RLPError) in try RLP.decode(RLPItem.self, from: bytes("c2 c1 c0"), limits: small) }
            == .tooDeep(offset: 2, maxDepth: 2))
        #expect(try RLP.decode(RLPItem.self, from: bytes("c1 c0"), limits: small) == .list([.list([])]))
        #expect(rlpError { () throws(RLPError) in try RLP.decode(RLPItem.self, from: bytes("c0"), limits: RLPLimits(maxDepth: 0)) }
            == .tooDeep(offset: 0, maxDepth: 0))
    }

    @Test("readList bodies count toward the depth limit too")
    func depthThroughReadList() {
        var reader = RLPReader(bytes("c2 c1 c0"), limits: RLPLimits(maxDepth: 2))
        let error = rlpError { () throws(RLPError) in
            try reader.readList { outer throws(RLPError) in
                try outer.readList { inner throws(RLPError) in
                    try inner.readList { _ throws(RLPError) in () }
                }
            }
        }
        #expect(error == .tooDeep(offset: 2, maxDepth: 2))
    }

    @Test("declared lengths of 2^64-1 and 2^62 are refused before any allocation",
          arguments: [UInt64.max, 1 << 62, UInt64(Int.max), UInt64(Int.max) + 1])
    func hugeLengths(_ length: UInt64) {
        for prefix: UInt8 in [0xbf, 0xff] {
            var input = [prefix]
            withUnsafeBytes(of: length.bigEndian) { input.append(contentsOf: $0) }
            input.append(contentsOf: [1, 2, 3])
            let error = rlpError { () throws(RLPError) in try RLP.decode(RLPItem.self, from: input) }
            if length > UInt64(Int.max) {
                #expect(error == .lengthTooLarge(offset: 0))
            } else {
                #expect(error == .truncated(offset: 0, needed: Int(length), available: 3))
            }
            var reader = RLPReader(input)
            #expect(rlpError { () throws(RLPError) in try reader.skipItem() } == error)
        }
    }
}
