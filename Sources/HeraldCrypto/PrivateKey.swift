import CSecp256k1

extension Secp256k1 {
    /// A secp256k1 private key: the node's identity, or an ephemeral handshake key.
    ///
    /// The 32 secret bytes live in one heap buffer shared by all copies of the
    /// key and are wiped when the last copy goes away. `description`,
    /// `debugDescription` and reflection (`dump`, debuggers) show only the
    /// public node ID, never the secret.
    public struct PrivateKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        private let secret: SecretKeyStorage

        /// The matching public key, derived once when the key is made: every
        /// signature of an announcement or ack checks it, and deriving it is a
        /// scalar multiplication, about as dear as the signature itself.
        public let publicKey: PublicKey

        /// A fresh key from the OS CSPRNG. A random 32-byte string is a valid
        /// key unless it is zero or ≥ n (probability about 2⁻¹²⁸); such draws
        /// are discarded and redrawn.
        public init() {
            while true {
                let storage = SecretKeyStorage()
                SecureRandom.fill(storage.buffer)
                if Secp256k1.isValidScalar(UnsafeRawBufferPointer(storage.buffer)) {
                    secret = storage
                    publicKey = Self.derivePublicKey(storage)
                    return
                }
            }
        }

        /// A key from its 32-byte big-endian scalar.
        /// - Throws: ``Secp256k1/KeyError/wrongLength(expected:actual:)``,
        ///   ``Secp256k1/KeyError/zero`` or ``Secp256k1/KeyError/outOfRange`` (k ≥ n).
        public init(rawRepresentation: some Collection<UInt8>) throws(Secp256k1.KeyError) {
            let count = rawRepresentation.count
            guard count == 32 else { throw .wrongLength(expected: 32, actual: count) }
            let storage = SecretKeyStorage()
            rawRepresentation.withContiguousBytes { storage.buffer.copyMemory(from: $0) }
            let raw = UnsafeRawBufferPointer(storage.buffer)
            guard raw.contains(where: { $0 != 0 }) else { throw .zero }
            guard Secp256k1.isValidScalar(raw) else { throw .outOfRange }
            secret = storage
            publicKey = Self.derivePublicKey(storage)
        }

        /// The 32-byte big-endian scalar. A copy the caller owns: keep it short-lived.
        public var rawRepresentation: [UInt8] {
            Array(UnsafeRawBufferPointer(secret.buffer))
        }

        private static func derivePublicKey(_ secret: SecretKeyStorage) -> PublicKey {
            var pubkey = secp256k1_pubkey()
            let ok = secp256k1_ec_pubkey_create(Secp256k1Context.shared.pointer, &pubkey, secret.bytes)
            precondition(ok == 1, "secp256k1_ec_pubkey_create failed for a validated key")
            return PublicKey(parsed: pubkey)
        }

        /// A recoverable ECDSA signature over `digest`, which is signed as-is
        /// (no further hashing). The nonce is RFC 6979 deterministic, as in
        /// geth, so the same key and digest always give the same signature;
        /// s is always low.
        /// - Parameter digest: Exactly 32 bytes, normally a Keccak-256 digest.
        /// - Throws: ``Secp256k1/SignatureError/digestWrongLength(actual:)``.
        public func signature(forDigest digest: some Collection<UInt8>) throws(Secp256k1.SignatureError) -> RecoverableSignature {
            let count = digest.count
            guard count == 32 else { throw .digestWrongLength(actual: count) }
            let context = Secp256k1Context.shared.pointer
            var signature = secp256k1_ecdsa_recoverable_signature()
            let signed = digest.withContiguousBytes { message in
                secp256k1_ecdsa_sign_recoverable(
                    context, &signature, message.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    secret.bytes, nil, nil)
            }
            guard signed == 1 else { throw .signingFailed }
            var raw = [UInt8](repeating: 0, count: 65)
            var recoveryID: Int32 = 0
            _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &raw, &recoveryID, &signature)
            // The recovery id is 2 or 3 only if R.x ≥ n, which has probability ~2⁻¹²⁷.
            guard recoveryID == 0 || recoveryID == 1 else { throw .signingFailed }
            raw[64] = UInt8(recoveryID)
            return RecoverableSignature(validated: raw)
        }

        /// ECDH as RLPx and geth's ECIES use it: the X coordinate of
        /// `self · publicKey`, 32 bytes big-endian, **not hashed** (unlike
        /// libsecp256k1's default, which returns SHA-256 of the point).
        public func sharedSecret(with publicKey: PublicKey) -> [UInt8] {
            var point = publicKey.parsed()
            var output = [UInt8](repeating: 0, count: 32)
            let ok = secp256k1_ecdh(
                Secp256k1Context.shared.pointer, &output, &point, secret.bytes,
                { output, x32, _, _ in
                    // Custom hash function: copy X instead of hashing (x, y).
                    guard let output, let x32 else { return 0 }
                    output.update(from: x32, count: 32)
                    return 1
                },
                nil)
            // Fails only for an invalid scalar, and ours is validated; the
            // product of a valid scalar and a curve point is never infinity
            // because the group has prime order.
            precondition(ok == 1, "secp256k1_ecdh failed for a validated key")
            return output
        }

        /// Compares the secrets in constant time.
        public static func == (lhs: PrivateKey, rhs: PrivateKey) -> Bool {
            ConstantTime.equals(UnsafeRawBufferPointer(lhs.secret.buffer), UnsafeRawBufferPointer(rhs.secret.buffer))
        }

        /// Redacted: names the key by its public node ID only.
        public var description: String {
            "Secp256k1.PrivateKey(<redacted>, node \(publicKey.nodeID))"
        }

        /// Same as `description`: never the secret.
        public var debugDescription: String { description }

        /// No children, so that `dump` and debuggers do not walk into the secret.
        public var customMirror: Mirror {
            Mirror(self, children: [], displayStyle: .struct)
        }
    }
}

/// Heap storage for 32 secret bytes, wiped on release.
///
/// `@unchecked Sendable`: the bytes are written only inside the initialisers
/// of `PrivateKey`, before the storage is shared; afterwards they are only
/// read, and concurrent reads of immutable memory are safe.
final class SecretKeyStorage: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer

    init() {
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32, alignment: 8)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
    }

    /// The secret as the `const unsigned char *` libsecp256k1 takes.
    var bytes: UnsafePointer<UInt8> {
        UnsafePointer(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }

    deinit {
        wipe(buffer)
        buffer.deallocate()
    }
}
