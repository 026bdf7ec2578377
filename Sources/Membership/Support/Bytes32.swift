import HeraldCrypto

/// 32 bytes stored inline, the storage of every hash-valued identifier here
/// (announcement IDs, policy hashes, digests, log entry hashes).
package struct Bytes32: Hashable, Comparable, Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64)

    /// All zero: the "previous hash" of the first log entry.
    package static let zero = Bytes32(words: (0, 0, 0, 0))

    private init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// The bytes of a keccak256 digest.
    package init(_ digest: Keccak256.Digest) {
        words = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { out in
            digest.withUnsafeBytes { out.copyMemory(from: $0) }
        }
    }

    /// Exactly 32 bytes; nil for any other count.
    package init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        words = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { out in
            if bytes.withContiguousStorageIfAvailable({ out.copyMemory(from: UnsafeRawBufferPointer($0)) }) == nil {
                for (offset, byte) in bytes.enumerated() { out[offset] = byte }
            }
        }
    }

    /// keccak256 of `bytes`.
    package static func keccak(_ bytes: some Collection<UInt8>) -> Bytes32 {
        Bytes32(Keccak256.hash(bytes))
    }

    /// The 32 bytes.
    package var bytes: [UInt8] {
        withUnsafeBytes(of: words) { Array($0) }
    }

    /// 64 lowercase hex digits, no prefix.
    package var hex: String { Hex.encode(bytes) }

    package static func == (lhs: Bytes32, rhs: Bytes32) -> Bool {
        lhs.words == rhs.words
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    /// Byte-wise lexicographic order.
    package static func < (lhs: Bytes32, rhs: Bytes32) -> Bool {
        (lhs.words.0.bigEndian, lhs.words.1.bigEndian, lhs.words.2.bigEndian, lhs.words.3.bigEndian)
            < (rhs.words.0.bigEndian, rhs.words.1.bigEndian, rhs.words.2.bigEndian, rhs.words.3.bigEndian)
    }
}
