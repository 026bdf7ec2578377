import CSnappy

/// Snappy block compression of message payloads (p2p v5, EIP-706), through
/// libsnappy's C API.
package enum Snappy {
    /// geth's bound on a decoded message (and on what it sends uncompressed).
    package static let maxUncompressedSize = 0xFF_FFFF

    /// The longest compressed block `length` bytes can become.
    package static func maxCompressedLength(_ length: Int) -> Int {
        snappy_max_compressed_length(length)
    }

    /// Compresses `bytes` in the Snappy block format.
    package static func compress(_ bytes: [UInt8]) -> [UInt8] {
        // The empty block is the varint 0; an empty array has no base address to hand to C.
        if bytes.isEmpty { return [0] }
        var output = [UInt8](repeating: 0, count: maxCompressedLength(bytes.count))
        var outputLength = output.count
        let status = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                input.withMemoryRebound(to: CChar.self) { inChars in
                    out.withMemoryRebound(to: CChar.self) { outChars in
                        snappy_compress(inChars.baseAddress, inChars.count, outChars.baseAddress, &outputLength)
                    }
                }
            }
        }
        // Compression into a buffer of snappy_max_compressed_length cannot fail.
        precondition(status == SNAPPY_OK, "snappy_compress failed with a correctly sized buffer")
        output.removeSubrange(outputLength...)
        return output
    }

    /// The uncompressed length declared in the block header (a varint),
    /// read without decompressing.
    package static func uncompressedLength(of compressed: [UInt8]) throws(FrameError) -> Int {
        var length = 0
        let status = compressed.withUnsafeBufferPointer { input in
            input.withMemoryRebound(to: CChar.self) { chars in
                snappy_uncompressed_length(chars.baseAddress, chars.count, &length)
            }
        }
        guard status == SNAPPY_OK, !compressed.isEmpty else { throw .invalidCompression }
        return length
    }

    /// Decompresses a Snappy block after checking its declared length
    /// against `limit`, so a hostile peer cannot make us allocate more.
    package static func decompress(_ compressed: [UInt8], limit: Int) throws(FrameError) -> [UInt8] {
        let length = try uncompressedLength(of: compressed)
        guard length <= limit else { throw .decompressedTooLarge(size: length, limit: limit) }
        if length == 0 {
            // Still validate the block: a bare varint 0 is the only valid empty block.
            guard compressed == [0] else { throw .invalidCompression }
            return []
        }
        var output = [UInt8](repeating: 0, count: length)
        var outputLength = length
        let status = compressed.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                input.withMemoryRebound(to: CChar.self) { inChars in
                    out.withMemoryRebound(to: CChar.self) { outChars in
                        snappy_uncompress(inChars.baseAddress, inChars.count, outChars.baseAddress, &outputLength)
                    }
                }
            }
        }
        guard status == SNAPPY_OK, outputLength == length else { throw .invalidCompression }
        return output
    }
}
