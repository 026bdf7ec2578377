import CSecp256k1

extension Secp256k1 {
    /// A secp256k1 public key, always a valid curve point.
    ///
    /// Stored as the 64 bytes X‖Y that RLPx, enode URLs and Hello carry.
    /// Every initialiser checks that the point is on the curve, so a value of
    /// this type can be handed to ECDH or verification without further checks
    /// (the ECIES invalid-curve defence relies on this).
    public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
        /// X‖Y, 32 bytes each, big-endian.
        public let rawRepresentation: [UInt8]

        /// From the 64-byte X‖Y form (no 0x04 prefix), as RLPx sends it.
        /// - Throws: ``Secp256k1/KeyError/wrongLength(expected:actual:)`` or
        ///   ``Secp256k1/KeyError/notOnCurve``.
        public init(rawRepresentation: some Collection<UInt8>) throws(Secp256k1.KeyError) {
            let count = rawRepresentation.count
            guard count == 64 else { throw .wrongLength(expected: 64, actual: count) }
            try self.init(uncompressedRepresentation: [0x04] + rawRepresentation)
        }

        /// From the 65-byte SEC1 uncompressed form 0x04‖X‖Y (as in ECIES).
        /// The hybrid forms 0x06/0x07, which libsecp256k1 would also accept,
        /// are refused: geth's ECIES only takes 0x04.
        /// - Throws: ``Secp256k1/KeyError/wrongLength(expected:actual:)``,
        ///   ``Secp256k1/KeyError/invalidPrefix(_:)`` or ``Secp256k1/KeyError/notOnCurve``.
        public init(uncompressedRepresentation: some Collection<UInt8>) throws(Secp256k1.KeyError) {
            let bytes = Array(uncompressedRepresentation)
            guard bytes.count == 65 else { throw .wrongLength(expected: 65, actual: bytes.count) }
            guard bytes[0] == 0x04 else { throw .invalidPrefix(bytes[0]) }
            var pubkey = secp256k1_pubkey()
            guard secp256k1_ec_pubkey_parse(Secp256k1Context.shared.pointer, &pubkey, bytes, 65) == 1 else {
                throw .notOnCurve
            }
            rawRepresentation = Array(bytes[1...])
        }

        /// From the 33-byte SEC1 compressed form (0x02 or 0x03, then X), as
        /// ENR records carry it.
        /// - Throws: ``Secp256k1/KeyError/wrongLength(expected:actual:)``,
        ///   ``Secp256k1/KeyError/invalidPrefix(_:)`` or ``Secp256k1/KeyError/notOnCurve``
        ///   (no point has this X).
        public init(compressedRepresentation: some Collection<UInt8>) throws(Secp256k1.KeyError) {
            let bytes = Array(compressedRepresentation)
            guard bytes.count == 33 else { throw .wrongLength(expected: 33, actual: bytes.count) }
            guard bytes[0] == 0x02 || bytes[0] == 0x03 else { throw .invalidPrefix(bytes[0]) }
            var pubkey = secp256k1_pubkey()
            guard secp256k1_ec_pubkey_parse(Secp256k1Context.shared.pointer, &pubkey, bytes, 33) == 1 else {
                throw .notOnCurve
            }
            self.init(parsed: pubkey)
        }

        /// From a point libsecp256k1 produced or already validated.
        init(parsed pubkey: secp256k1_pubkey) {
            var pubkey = pubkey
            var out = [UInt8](repeating: 0, count: 65)
            var length = 65
            let ok = secp256k1_ec_pubkey_serialize(
                Secp256k1Context.shared.pointer, &out, &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED))
            precondition(ok == 1 && length == 65 && out[0] == 0x04, "secp256k1_ec_pubkey_serialize failed")
            rawRepresentation = Array(out[1...])
        }

        /// The libsecp256k1 form of this key (re-parsed: the opaque struct is
        /// not portable, so it is not stored).
        func parsed() -> secp256k1_pubkey {
            var pubkey = secp256k1_pubkey()
            let ok = secp256k1_ec_pubkey_parse(Secp256k1Context.shared.pointer, &pubkey, uncompressedRepresentation, 65)
            precondition(ok == 1, "a validated public key failed to parse")
            return pubkey
        }

        /// 0x04‖X‖Y, 65 bytes.
        public var uncompressedRepresentation: [UInt8] {
            [0x04] + rawRepresentation
        }

        /// 0x02 or 0x03 (the parity of Y), then X: 33 bytes.
        public var compressedRepresentation: [UInt8] {
            [0x02 | (rawRepresentation[63] & 1)] + rawRepresentation[0..<32]
        }

        /// The v4 node address, keccak256(X‖Y).
        public var nodeID: NodeID {
            NodeID(publicKey: self)
        }

        /// Whether `signature` is a valid low-s signature by this key over the
        /// 32-byte `digest`.
        ///
        /// Stricter than geth's `VerifySignature`, which ignores v: the check
        /// recovers the signer (with v) and compares it with this key, so a
        /// signature that passes here also recovers to this key elsewhere.
        /// Recovery yielding this key implies the ECDSA equation holds.
        /// False for a digest that is not 32 bytes or a high-s signature.
        public func isValidSignature(_ signature: RecoverableSignature, forDigest digest: some Collection<UInt8>) -> Bool {
            guard let signer = try? signature.recoverPublicKey(forDigest: digest) else { return false }
            return signer == self
        }

        /// The 64-byte X‖Y key as 128 lowercase hex digits (the enode URL form).
        public var description: String {
            Hex.encode(rawRepresentation)
        }
    }
}
