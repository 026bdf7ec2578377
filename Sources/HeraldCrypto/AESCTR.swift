import COpenSSL

extension AES {
    /// A stateful AES-CTR keystream with Go `cipher.NewCTR` semantics: the IV
    /// is the first counter block, the whole 16-byte block is incremented as
    /// one big-endian 128-bit integer (OpenSSL's CTR mode carries across all
    /// 128 bits too), and the position is kept across calls, including in the
    /// middle of a block. RLPx frames rely on the stream never restarting.
    ///
    /// Encryption and decryption are the same operation. Not `Sendable`: one
    /// stream belongs to one connection's reader or writer.
    public final class CTR {
        private let context = CipherContext()

        /// A keystream for `key` (16 bytes: AES-128, 32 bytes: AES-256)
        /// starting at counter block `iv` (16 bytes).
        /// - Throws: ``AES/Error/wrongKeyLength(_:)``, ``AES/Error/wrongIVLength(_:)``.
        public init(key: some Collection<UInt8>, iv: some Collection<UInt8>) throws(AES.Error) {
            let keyBytes = Array(key)
            let ivBytes = Array(iv)
            let cipher: OpaquePointer?
            switch keyBytes.count {
            case 16: cipher = EVP_aes_128_ctr()
            case 32: cipher = EVP_aes_256_ctr()
            default: throw .wrongKeyLength(keyBytes.count)
            }
            guard ivBytes.count == 16 else { throw .wrongIVLength(ivBytes.count) }
            guard EVP_EncryptInit_ex(context.pointer, cipher, nil, keyBytes, ivBytes) == 1 else {
                throw .libraryFailure("EVP_EncryptInit_ex")
            }
        }

        /// XORs the next `bytes.count` keystream bytes into `bytes`, in place.
        public func apply(_ bytes: inout [UInt8]) {
            bytes.withUnsafeMutableBytes { apply($0) }
        }

        /// XORs the next `buffer.count` keystream bytes into `buffer`, in place.
        public func apply(_ buffer: UnsafeMutableRawBufferPointer) {
            guard let base = buffer.baseAddress else { return }
            let bytes = base.assumingMemoryBound(to: UInt8.self)
            var offset = 0
            while offset < buffer.count {
                // EVP lengths are Int32; large buffers go in chunks.
                let chunk = Int32(min(buffer.count - offset, 1 << 30))
                var written: Int32 = 0
                let ok = EVP_EncryptUpdate(context.pointer, bytes + offset, &written, bytes + offset, chunk)
                // CTR mode in OpenSSL cannot fail on valid pointers; a failure
                // would leave the stream out of step, which must not go unnoticed.
                precondition(ok == 1 && written == chunk, "EVP_EncryptUpdate (AES-CTR) failed")
                offset += Int(chunk)
            }
        }

        /// One-shot: `bytes` encrypted (or decrypted) with a fresh stream.
        /// - Throws: ``AES/Error/wrongKeyLength(_:)``, ``AES/Error/wrongIVLength(_:)``.
        public static func apply(key: some Collection<UInt8>, iv: some Collection<UInt8>, to bytes: some Collection<UInt8>) throws(AES.Error) -> [UInt8] {
            let stream = try CTR(key: key, iv: iv)
            var out = Array(bytes)
            stream.apply(&out)
            return out
        }
    }
}
