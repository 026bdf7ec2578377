/// NIST SP 800-56A concatenation KDF with SHA-256, as geth's
/// `crypto/ecies.concatKDF`:
/// `K = SHA256(1 ‖ z ‖ s1) ‖ SHA256(2 ‖ z ‖ s1) ‖ …` truncated to `byteCount`,
/// with the counter as a 4-byte big-endian integer starting at 1.
public enum ConcatKDF {
    /// Derives `byteCount` bytes from the shared secret `z` and the optional
    /// shared info `s1` (empty in RLPx and Whisper).
    public static func deriveKey(sharedSecret z: some Collection<UInt8>, sharedInfo s1: some Collection<UInt8> = [UInt8](), byteCount: Int) -> [UInt8] {
        precondition(byteCount >= 0, "ConcatKDF needs a non-negative byteCount")
        var input = [UInt8](repeating: 0, count: 4)
        input.append(contentsOf: z)
        input.append(contentsOf: s1)
        var output = [UInt8]()
        output.reserveCapacity(byteCount + SHA256.byteCount)
        var counter: UInt32 = 1
        while output.count < byteCount {
            input[0] = UInt8(truncatingIfNeeded: counter >> 24)
            input[1] = UInt8(truncatingIfNeeded: counter >> 16)
            input[2] = UInt8(truncatingIfNeeded: counter >> 8)
            input[3] = UInt8(truncatingIfNeeded: counter)
            output += SHA256.hash(input)
            counter += 1
        }
        input.withUnsafeMutableBytes { wipe($0) }
        output.removeLast(output.count - byteCount)
        return output
    }
}
