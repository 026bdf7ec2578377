extension Keccak256 {
    /// A 32-byte Keccak-256 digest, stored inline (no heap allocation), so
    /// that hashing in a hot loop allocates nothing.
    ///
    /// A collection of its bytes (indices 0..<32); `description` is lowercase
    /// hex without a prefix.
    public struct Digest: RandomAccessCollection, Hashable, Sendable, CustomStringConvertible {
        /// The bytes in digest order: each field holds 8 digest bytes in memory
        /// order (little-endian lane values, as Keccak outputs them).
        private var storage: (UInt64, UInt64, UInt64, UInt64)

        /// From the first four state lanes (native integers).
        init(lanes l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
            storage = (l0.littleEndian, l1.littleEndian, l2.littleEndian, l3.littleEndian)
        }

        /// From exactly 32 bytes; nil for any other count. Used for node IDs
        /// read from the wire.
        init?(bytes: some Collection<UInt8>) {
            guard bytes.count == 32 else { return nil }
            storage = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &storage) { out in
                bytes.withContiguousBytes { out.copyMemory(from: $0) }
            }
        }

        /// Index of the first byte (0).
        public var startIndex: Int { 0 }
        /// One past the last byte (32).
        public var endIndex: Int { 32 }

        /// The byte at `position` (0..<32).
        public subscript(position: Int) -> UInt8 {
            precondition(position >= 0 && position < 32, "Keccak256.Digest index \(position) out of range 0..<32")
            return Swift.withUnsafeBytes(of: storage) { $0[position] }
        }

        /// The 32 bytes as an array.
        public var bytes: [UInt8] {
            withUnsafeBytes { Array($0) }
        }

        /// Calls `body` with the 32 digest bytes.
        public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            try Swift.withUnsafeBytes(of: storage, body)
        }

        /// Lets generic byte consumers (hashers, `Array.init`, `==` on
        /// collections) read the digest without copying it byte by byte.
        public func withContiguousStorageIfAvailable<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
            var copy = storage
            return try Swift.withUnsafeMutablePointer(to: &copy) { tuple in
                try tuple.withMemoryRebound(to: UInt8.self, capacity: 32) {
                    try body(UnsafeBufferPointer(start: $0, count: 32))
                }
            }
        }

        /// Lowercase hex, 64 characters, no `0x`.
        public var description: String { Hex.encode(self) }

        /// Byte-wise equality (not constant-time; digests are public values).
        public static func == (lhs: Digest, rhs: Digest) -> Bool {
            lhs.storage.0 == rhs.storage.0 && lhs.storage.1 == rhs.storage.1
                && lhs.storage.2 == rhs.storage.2 && lhs.storage.3 == rhs.storage.3
        }

        /// Feeds all 32 bytes to `hasher`.
        public func hash(into hasher: inout Swift.Hasher) {
            hasher.combine(storage.0)
            hasher.combine(storage.1)
            hasher.combine(storage.2)
            hasher.combine(storage.3)
        }
    }
}
