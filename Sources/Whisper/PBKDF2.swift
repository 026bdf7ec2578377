import HeraldCrypto

/// PBKDF2 (RFC 8018) with HMAC-SHA256, for geth's password-derived keys.
enum PBKDF2 {
    static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, byteCount: Int) -> [UInt8] {
        precondition(iterations >= 1 && byteCount >= 0)
        var output: [UInt8] = []
        output.reserveCapacity(byteCount)
        var blockIndex: UInt32 = 1
        while output.count < byteCount {
            var u = HMACSHA256.authenticationCode(
                for: salt + [UInt8(truncatingIfNeeded: blockIndex >> 24), UInt8(truncatingIfNeeded: blockIndex >> 16),
                             UInt8(truncatingIfNeeded: blockIndex >> 8), UInt8(truncatingIfNeeded: blockIndex)],
                key: password)
            var block = u
            if iterations > 1 {
                for _ in 2...iterations {
                    u = HMACSHA256.authenticationCode(for: u, key: password)
                    for i in block.indices {
                        block[i] ^= u[i]
                    }
                }
            }
            output += block.prefix(byteCount - output.count)
            blockIndex += 1
        }
        return output
    }
}
