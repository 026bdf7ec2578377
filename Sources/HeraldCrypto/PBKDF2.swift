import COpenSSL

/// PBKDF2 (RFC 8018) with HMAC-SHA256 through OpenSSL's `PKCS5_PBKDF2_HMAC`:
/// geth's password-derived Whisper keys.
public enum PBKDF2 {
    /// `byteCount` bytes derived from `password` and `salt` in `iterations` rounds.
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, byteCount: Int) -> [UInt8] {
        precondition(iterations >= 1 && iterations <= Int(Int32.max) && byteCount >= 0 && byteCount <= Int(Int32.max))
        var output = [UInt8](repeating: 0, count: byteCount)
        // OpenSSL reads no byte of an empty password or salt, but wants a pointer for each.
        let result = withUnsafeBytes(of: UInt8(0)) { empty in
            password.withUnsafeBytes { p in
                salt.withUnsafeBytes { s in
                    PKCS5_PBKDF2_HMAC(
                        (p.baseAddress ?? empty.baseAddress)?.assumingMemoryBound(to: CChar.self), Int32(p.count),
                        (s.baseAddress ?? empty.baseAddress)?.assumingMemoryBound(to: UInt8.self), Int32(s.count),
                        Int32(iterations), EVP_sha256(), Int32(byteCount), &output)
                }
            }
        }
        precondition(result == 1, "PKCS5_PBKDF2_HMAC failed")
        return output
    }
}
