import COpenSSL

extension AES {
    /// Encrypts single 16-byte blocks with a fixed AES-256 key (ECB of one
    /// block, no chaining, no padding). The RLPx MAC "whitens" its Keccak
    /// state with this under the mac-secret.
    ///
    /// Not `Sendable`: the EVP context is reused across calls.
    public final class BlockEncryptor {
        private let context = CipherContext()

        /// An encryptor for the 32-byte `key`.
        /// - Throws: ``AES/Error/wrongKeyLength(_:)``.
        public init(key: some Collection<UInt8>) throws(AES.Error) {
            let keyBytes = Array(key)
            guard keyBytes.count == 32 else { throw .wrongKeyLength(keyBytes.count) }
            guard EVP_EncryptInit_ex(context.pointer, EVP_aes_256_ecb(), nil, keyBytes, nil) == 1,
                  EVP_CIPHER_CTX_set_padding(context.pointer, 0) == 1
            else { throw .libraryFailure("EVP_EncryptInit_ex") }
        }

        /// AES-256 encryption of one block.
        /// - Parameter block: Exactly 16 bytes; any other length is a
        ///   programming error and traps.
        /// - Returns: 16 bytes.
        public func encrypt(block: some Collection<UInt8>) -> [UInt8] {
            let input = Array(block)
            precondition(input.count == 16, "AES.BlockEncryptor.encrypt needs a 16-byte block, got \(input.count)")
            var output = [UInt8](repeating: 0, count: 16)
            var written: Int32 = 0
            let ok = EVP_EncryptUpdate(context.pointer, &output, &written, input, 16)
            precondition(ok == 1 && written == 16, "EVP_EncryptUpdate (AES-256-ECB) failed")
            return output
        }
    }
}
