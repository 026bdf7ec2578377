import COpenSSL

/// Comparison whose running time does not depend on where two secrets differ.
///
/// MAC and tag checks must not stop at the first differing byte: a peer that
/// can time the comparison could forge a tag byte by byte.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes. Only the lengths may leak
    /// through timing (different lengths return false at once); equal-length
    /// inputs are compared in full with OpenSSL's `CRYPTO_memcmp`.
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        return a.withContiguousBytes { x in
            b.withContiguousBytes { y in
                guard let px = x.baseAddress, let py = y.baseAddress else { return true }  // both empty
                return CRYPTO_memcmp(px, py, x.count) == 0
            }
        }
    }
}
