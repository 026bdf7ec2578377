/// Keccak-256 as Ethereum uses it: the original Keccak submission with
/// padding byte 0x01, **not** NIST SHA3-256 (padding 0x06, different digests).
///
/// Node IDs, the RLPx secrets and MAC states, Whisper envelope hashes and
/// announcement IDs are all this function; it runs on every frame, so it is
/// written here for speed (see `KeccakF1600.swift`) rather than borrowed from
/// OpenSSL, whose EVP interface only offers the SHA-3 padding.
public enum Keccak256 {
    /// Digest size in bytes.
    public static let byteCount = 32
    /// Sponge rate in bytes: (1600 − 2·256) / 8. Input is absorbed in blocks of this size.
    public static let rate = 136

    /// The Keccak-256 digest of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>) -> Digest {
        bytes.withContiguousBytes { hash($0) }
    }

    /// The Keccak-256 digest of the bytes in `buffer`.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> Digest {
        var hasher = Hasher()
        hasher.update(buffer)
        return hasher.finalize()
    }
}
