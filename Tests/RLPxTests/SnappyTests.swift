import HeraldCrypto
import RLPx
import Testing

@Suite("snappy")
struct SnappyTests {
    @Test("block compression round-trips")
    func roundTrip() throws {
        for size in [0, 1, 100, 4096, 100_000] {
            let data = [UInt8]((0..<size).map { UInt8(truncatingIfNeeded: $0 / 7) })
            let compressed = Snappy.compress(data)
            #expect(try Snappy.uncompressedLength(of: compressed) == size)
            #expect(try Snappy.decompress(compressed, limit: Snappy.maxUncompressedSize) == data)
        }
    }

    @Test("the declared length is checked before decompressing")
    func bound() throws {
        let compressed = Snappy.compress([UInt8](repeating: 0, count: 10_000))
        #expect(throws: FrameError.decompressedTooLarge(size: 10_000, limit: 9_999)) {
            _ = try Snappy.decompress(compressed, limit: 9_999)
        }
        // A header claiming 256 MiB, with no data behind it: refused without allocating.
        let bomb: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x01]
        #expect(throws: FrameError.decompressedTooLarge(size: 1 << 28, limit: Snappy.maxUncompressedSize)) {
            _ = try Snappy.decompress(bomb, limit: Snappy.maxUncompressedSize)
        }
    }

    @Test("malformed blocks are refused")
    func malformed() {
        #expect(throws: FrameError.invalidCompression) { _ = try Snappy.decompress([], limit: 100) }
        #expect(throws: FrameError.invalidCompression) { _ = try Snappy.decompress([0x05, 0xff, 0xff], limit: 100) }
        #expect(throws: FrameError.invalidCompression) { _ = try Snappy.decompress([0x00, 0x01], limit: 100) }
        #expect(throws: FrameError.invalidCompression) { _ = try Snappy.decompress([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], limit: 100) }
    }
}
