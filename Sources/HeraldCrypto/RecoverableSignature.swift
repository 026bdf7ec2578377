import CSecp256k1

extension Secp256k1 {
    /// A recoverable ECDSA signature: 65 bytes r (32) ‖ s (32) ‖ v (1), with
    /// the recovery id v ∈ {0, 1}, as RLPx auth and Whisper signatures carry it.
    ///
    /// Parsing accepts high-s signatures (so that they can be named in
    /// errors); ``recoverPublicKey(forDigest:)`` and
    /// ``Secp256k1/PublicKey/isValidSignature(_:forDigest:)`` reject them.
    public struct RecoverableSignature: Hashable, Sendable {
        /// r‖s‖v, 65 bytes.
        public let rawRepresentation: [UInt8]

        /// From 65 bytes r‖s‖v.
        /// - Throws: ``Secp256k1/SignatureError/wrongLength(expected:actual:)``,
        ///   ``Secp256k1/SignatureError/invalidRecoveryID(_:)`` (v ∉ {0, 1}) or
        ///   ``Secp256k1/SignatureError/invalidScalar`` (r or s zero or ≥ n).
        public init(rawRepresentation: some Collection<UInt8>) throws(Secp256k1.SignatureError) {
            let bytes = Array(rawRepresentation)
            guard bytes.count == 65 else { throw .wrongLength(expected: 65, actual: bytes.count) }
            guard bytes[64] <= 1 else { throw .invalidRecoveryID(bytes[64]) }
            let scalarsValid = bytes.withUnsafeBytes { raw in
                Secp256k1.isValidScalar(UnsafeRawBufferPointer(rebasing: raw[0..<32]))
                    && Secp256k1.isValidScalar(UnsafeRawBufferPointer(rebasing: raw[32..<64]))
            }
            guard scalarsValid else { throw .invalidScalar }
            self.rawRepresentation = bytes
        }

        /// From bytes libsecp256k1 just produced.
        init(validated bytes: [UInt8]) {
            rawRepresentation = bytes
        }

        /// The recovery id v (0 or 1).
        public var recoveryID: UInt8 { rawRepresentation[64] }

        /// The public key that made this signature over the 32-byte `digest`.
        ///
        /// Any signature recovers to *some* key; callers compare the result
        /// with the key they expect (or derive the node ID from it).
        /// - Throws: ``Secp256k1/SignatureError/digestWrongLength(actual:)``,
        ///   ``Secp256k1/SignatureError/highS`` or ``Secp256k1/SignatureError/recoveryFailed``.
        public func recoverPublicKey(forDigest digest: some Collection<UInt8>) throws(Secp256k1.SignatureError) -> PublicKey {
            let message = Array(digest)
            guard message.count == 32 else { throw .digestWrongLength(actual: message.count) }
            let context = Secp256k1Context.shared.pointer
            var recoverable = secp256k1_ecdsa_recoverable_signature()
            guard secp256k1_ecdsa_recoverable_signature_parse_compact(
                context, &recoverable, rawRepresentation, Int32(rawRepresentation[64])) == 1
            else { throw .invalidScalar }
            // libsecp256k1's recover accepts high s; detect it the way its
            // documentation suggests, by asking normalize whether it would change.
            var plain = secp256k1_ecdsa_signature()
            _ = secp256k1_ecdsa_recoverable_signature_convert(context, &plain, &recoverable)
            guard secp256k1_ecdsa_signature_normalize(context, nil, &plain) == 0 else { throw .highS }
            var pubkey = secp256k1_pubkey()
            guard secp256k1_ecdsa_recover(context, &pubkey, &recoverable, message) == 1 else {
                throw .recoveryFailed
            }
            return PublicKey(parsed: pubkey)
        }
    }
}
