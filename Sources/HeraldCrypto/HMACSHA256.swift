import COpenSSL

/// HMAC-SHA-256 (RFC 2104) through OpenSSL: the ECIES tag.
public enum HMACSHA256 {
    /// Tag size in bytes.
    public static let byteCount = 32

    /// The 32-byte HMAC-SHA-256 of `message` under `key` (any key length).
    public static func authenticationCode(for message: some Collection<UInt8>, key: some Collection<UInt8>) -> [UInt8] {
        key.withContiguousBytes { k in
            message.withContiguousBytes { m in authenticationCode(for: m, key: k) }
        }
    }

    /// Pointer form of ``authenticationCode(for:key:)``.
    static func authenticationCode(for message: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let result = withUnsafeBytes(of: UInt8(0)) { empty in
            HMAC(EVP_sha256(),
                 key.baseAddress ?? empty.baseAddress, Int32(key.count),
                 (message.baseAddress ?? empty.baseAddress)?.assumingMemoryBound(to: UInt8.self), message.count,
                 &out, &length)
        }
        precondition(result != nil && length == 32, "HMAC-SHA-256 failed")
        return out
    }
}
