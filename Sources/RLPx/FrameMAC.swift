import HeraldCrypto

/// One direction's running MAC (spec §7): a Keccak-256 state whose digest is
/// read without ending it, whitened with one-block AES-256 under mac-secret.
package struct FrameMAC {
    /// The hash behind the MAC. `constant` replaces it with a fake whose
    /// digest never changes, as go-ethereum's `TestFrameReadWrite` does, so
    /// that the golden frame vector checks layout and cipher alone.
    package enum Hash {
        case keccak(Keccak256.Hasher)
        case constant([UInt8])
    }

    private var hash: Hash
    private let cipher: AES.BlockEncryptor
    /// `digestPrefix()` of the current state, kept until the next update.
    /// A frame's MAC ends by reading the digest and the next header MAC
    /// starts by reading it again with nothing absorbed in between; reusing
    /// it saves one Keccak permutation per frame.
    private var cachedPrefix: [UInt8]?

    package init(hash: Hash, macSecret: [UInt8]) throws(AES.Error) {
        self.hash = hash
        self.cipher = try AES.BlockEncryptor(key: macSecret)
    }

    /// The first 16 bytes of the current digest; the state goes on.
    package mutating func digestPrefix() -> [UInt8] {
        if let cachedPrefix { return cachedPrefix }
        let prefix: [UInt8]
        switch hash {
        case .keccak(let hasher): prefix = hasher.finalize().withUnsafeBytes { Array($0[0..<16]) }
        case .constant(let digest): prefix = Array(digest.prefix(16))
        }
        cachedPrefix = prefix
        return prefix
    }

    /// The full 32-byte current digest (tests compare it with the vectors).
    package func digest() -> [UInt8] {
        switch hash {
        case .keccak(let hasher): return hasher.finalize().bytes
        case .constant(let digest): return digest
        }
    }

    package mutating func update(_ buffer: UnsafeRawBufferPointer) {
        cachedPrefix = nil
        switch hash {
        case .keccak(var hasher):
            // Reassigning moves the state out and back; no copy of the sponge is kept.
            hash = .constant([])
            hasher.update(buffer)
            hash = .keccak(hasher)
        case .constant:
            break
        }
    }

    package mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// header-mac: seed = AES(digest[0:16]) ⊕ header-ciphertext; absorb seed; digest[0:16].
    package mutating func headerMAC(headerCiphertext: UnsafeRawBufferPointer) -> [UInt8] {
        var seed = cipher.encrypt(block: digestPrefix())
        for index in 0..<16 { seed[index] ^= headerCiphertext[index] }
        update(seed)
        return digestPrefix()
    }

    /// frame-mac: absorb the frame ciphertext; t = digest[0:16];
    /// absorb AES(t) ⊕ t; digest[0:16].
    package mutating func frameMAC(frameCiphertext: UnsafeRawBufferPointer) -> [UInt8] {
        update(frameCiphertext)
        let prefix = digestPrefix()
        var seed = cipher.encrypt(block: prefix)
        for index in 0..<16 { seed[index] ^= prefix[index] }
        update(seed)
        return digestPrefix()
    }
}
