// Internal bridge from the public `some Collection<UInt8>` parameters to the
// pointer-based C and Keccak code paths.

extension Collection where Element == UInt8 {
    /// Calls `body` with the bytes as one contiguous buffer: in place when the
    /// collection already stores them contiguously (Array, ArraySlice, Digest…),
    /// otherwise through a temporary array. The bodies never throw, so that
    /// callers keep their typed `throws(…)` signatures; they validate lengths
    /// before calling this.
    @inline(__always)
    func withContiguousBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let result = withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(self).withUnsafeBytes(body)
    }
}
