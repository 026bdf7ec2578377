import COpenSSL

extension AES {
    /// AES-256-GCM with a 12-byte nonce and a 16-byte tag appended to the
    /// ciphertext, the layout Whisper v6 symmetric envelopes use
    /// (ciphertext ‖ tag, nonce sent separately).
    public enum GCM {
        /// Nonce size in bytes.
        public static let nonceByteCount = 12
        /// Tag size in bytes.
        public static let tagByteCount = 16

        /// Encrypts and authenticates `plaintext`, and authenticates `aad`.
        /// - Parameters:
        ///   - plaintext: Any length.
        ///   - key: 32 bytes.
        ///   - nonce: 12 bytes; never reuse one with the same key.
        ///   - aad: Associated data, authenticated but not encrypted.
        /// - Returns: ciphertext ‖ tag (`plaintext.count + 16` bytes).
        /// - Throws: ``AES/Error/wrongKeyLength(_:)``, ``AES/Error/wrongNonceLength(_:)``.
        public static func seal(_ plaintext: some Collection<UInt8>, key: some Collection<UInt8>, nonce: some Collection<UInt8>, authenticating aad: some Collection<UInt8> = [UInt8]()) throws(AES.Error) -> [UInt8] {
            let keyBytes = Array(key), nonceBytes = Array(nonce), aadBytes = Array(aad)
            var output = Array(plaintext)
            let context = try start(encrypting: true, key: keyBytes, nonce: nonceBytes)
            try process(context, aad: aadBytes, data: &output)
            var finalLength: Int32 = 0
            var scratch = [UInt8](repeating: 0, count: 16)
            guard EVP_EncryptFinal_ex(context.pointer, &scratch, &finalLength) == 1 else {
                throw .libraryFailure("EVP_EncryptFinal_ex")
            }
            var tag = [UInt8](repeating: 0, count: tagByteCount)
            guard EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), &tag) == 1 else {
                throw .libraryFailure("EVP_CIPHER_CTX_ctrl(GET_TAG)")
            }
            return output + tag
        }

        /// Checks the tag and decrypts.
        /// - Parameters:
        ///   - ciphertextAndTag: ciphertext ‖ 16-byte tag.
        ///   - key: 32 bytes.
        ///   - nonce: 12 bytes.
        ///   - aad: The associated data given to ``seal(_:key:nonce:authenticating:)``.
        /// - Returns: The plaintext.
        /// - Throws: ``AES/Error/authenticationFailure`` if the tag does not
        ///   match (no plaintext is released), ``AES/Error/inputTooShort(_:)``,
        ///   ``AES/Error/wrongKeyLength(_:)``, ``AES/Error/wrongNonceLength(_:)``.
        public static func open(_ ciphertextAndTag: some Collection<UInt8>, key: some Collection<UInt8>, nonce: some Collection<UInt8>, authenticating aad: some Collection<UInt8> = [UInt8]()) throws(AES.Error) -> [UInt8] {
            let keyBytes = Array(key), nonceBytes = Array(nonce), aadBytes = Array(aad)
            var output = Array(ciphertextAndTag)
            guard output.count >= tagByteCount else { throw .inputTooShort(output.count) }
            var tag = Array(output[(output.count - tagByteCount)...])
            output.removeLast(tagByteCount)
            let context = try start(encrypting: false, key: keyBytes, nonce: nonceBytes)
            try process(context, aad: aadBytes, data: &output)
            guard EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), &tag) == 1 else {
                throw .libraryFailure("EVP_CIPHER_CTX_ctrl(SET_TAG)")
            }
            var finalLength: Int32 = 0
            var scratch = [UInt8](repeating: 0, count: 16)
            // The tag comparison happens here, inside OpenSSL, in constant time.
            guard EVP_DecryptFinal_ex(context.pointer, &scratch, &finalLength) == 1 else {
                output.withUnsafeMutableBytes { wipe($0) }
                throw .authenticationFailure
            }
            return output
        }

        /// A context initialised for AES-256-GCM with `key` and `nonce`.
        private static func start(encrypting: Bool, key: [UInt8], nonce: [UInt8]) throws(AES.Error) -> CipherContext {
            guard key.count == 32 else { throw .wrongKeyLength(key.count) }
            guard nonce.count == nonceByteCount else { throw .wrongNonceLength(nonce.count) }
            let context = CipherContext()
            let ok = EVP_CipherInit_ex(context.pointer, EVP_aes_256_gcm(), nil, nil, nil, encrypting ? 1 : 0) == 1
                && EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceByteCount), nil) == 1
                && EVP_CipherInit_ex(context.pointer, nil, nil, key, nonce, -1) == 1
            guard ok else { throw .libraryFailure("EVP_CipherInit_ex") }
            return context
        }

        /// Feeds the associated data, then transforms `data` in place.
        private static func process(_ context: CipherContext, aad: [UInt8], data: inout [UInt8]) throws(AES.Error) {
            var written: Int32 = 0
            if !aad.isEmpty {
                guard aad.count <= Int(Int32.max),
                      EVP_CipherUpdate(context.pointer, nil, &written, aad, Int32(aad.count)) == 1
                else { throw .libraryFailure("EVP_CipherUpdate(aad)") }
            }
            if !data.isEmpty {
                guard data.count <= Int(Int32.max) else { throw .libraryFailure("EVP_CipherUpdate(data too large)") }
                let ok = data.withUnsafeMutableBufferPointer { buffer in
                    EVP_CipherUpdate(context.pointer, buffer.baseAddress, &written, buffer.baseAddress, Int32(buffer.count)) == 1
                        && Int(written) == buffer.count
                }
                guard ok else { throw .libraryFailure("EVP_CipherUpdate") }
            }
        }
    }
}
