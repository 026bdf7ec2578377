import COpenSSL

/// SHA-256 (FIPS 180-4) through OpenSSL. ECIES uses it for its KDF and to
/// hash the MAC key.
public enum SHA256 {
    /// Digest size in bytes.
    public static let byteCount = 32

    /// The SHA-256 digest of `bytes` (32 bytes).
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        bytes.withContiguousBytes { hash($0) }
    }

    /// The SHA-256 digest of the bytes in `buffer` (32 bytes).
    static func hash(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        // EVP_Digest tolerates a null pointer with length 0; use a dummy anyway.
        let ok = withUnsafeBytes(of: UInt8(0)) { empty in
            EVP_Digest(buffer.baseAddress ?? empty.baseAddress, buffer.count, &out, &length, EVP_sha256(), nil)
        }
        precondition(ok == 1 && length == 32, "EVP_Digest(SHA-256) failed")
        return out
    }
}
