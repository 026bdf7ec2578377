import HeraldCrypto

/// geth v1.9.20's proof-of-work arithmetic (spec §6).
enum ProofOfWork {
    /// Leading zero bits of a 256-bit big-endian hash (0...256).
    static func leadingZeroBits(of digest: some Collection<UInt8>) -> Int {
        var count = 0
        for byte in digest {
            if byte != 0 {
                return count + byte.leadingZeroBitCount
            }
            count += 8
        }
        return count
    }

    /// `(2^zeros / shortRLPLength) / timeToLive`, divided in that order in
    /// doubles as geth does; `+infinity` for a TTL of 0.
    static func value(leadingZeroBits zeros: Int, shortRLPLength: Int, timeToLive: UInt32) -> Double {
        var x = Double(sign: .plus, exponent: zeros, significand: 1)
        x /= Double(shortRLPLength)
        x /= Double(timeToLive)
        return x
    }

    /// The fewest leading zero bits whose PoW (as ``value`` computes it)
    /// reaches `target`, or `nil` if even 256 do not.
    static func requiredLeadingZeroBits(target: Double, shortRLPLength: Int, timeToLive: UInt32) -> Int? {
        // Start from ceil(log2(target * length * ttl)), then correct for rounding.
        let product = target * Double(shortRLPLength) * Double(timeToLive)
        var zeros = 0
        if product.isInfinite {
            zeros = 256
        } else if product > 1 {
            zeros = min(256, Int(product.exponent) + (product.significand > 1 ? 1 : 0))
        }
        while zeros < 256 && value(leadingZeroBits: zeros, shortRLPLength: shortRLPLength, timeToLive: timeToLive) < target {
            zeros += 1
        }
        while zeros > 0 && value(leadingZeroBits: zeros - 1, shortRLPLength: shortRLPLength, timeToLive: timeToLive) >= target {
            zeros -= 1
        }
        guard value(leadingZeroBits: zeros, shortRLPLength: shortRLPLength, timeToLive: timeToLive) >= target else {
            return nil
        }
        return zeros
    }

    /// Tries nonces 0, 1, 2, … until `keccak256(base ‖ nonce)` has at least
    /// `zeros` leading zero bits; checks `isPastDeadline` before every batch
    /// of 1024 hashes (also before the first). `nil` if the deadline passes.
    static func searchNonce(from base: Keccak256.Hasher, leadingZeroBits zeros: Int,
                            isPastDeadline: () -> Bool) -> UInt64? {
        var nonce: UInt64 = 0
        while !isPastDeadline() {
            for _ in 0..<1024 {
                var hasher = base
                withUnsafeBytes(of: nonce.bigEndian) { hasher.update($0) }
                if leadingZeroBits(of: hasher.finalize()) >= zeros {
                    return nonce
                }
                nonce &+= 1
            }
        }
        return nil
    }
}
