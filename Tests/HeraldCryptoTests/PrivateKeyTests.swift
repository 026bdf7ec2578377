import HeraldCrypto
import Testing
import TestSupport

@Suite("Secp256k1.PrivateKey")
struct PrivateKeyTests {
    static let vectors = RLPxVectors.shared

    static func key(_ hex: String) throws -> Secp256k1.PrivateKey {
        try Secp256k1.PrivateKey(rawRepresentation: hexBytes(hex))
    }

    @Test("geth public key coordinates (ecies_test.go)", arguments: vectors.ecies.geth_pubkey_coordinates.cases.indices)
    func gethCoordinates(index: Int) throws {
        let vector = Self.vectors.ecies.geth_pubkey_coordinates.cases[index]
        let publicKey = try Self.key(vector.private_key).publicKey
        #expect(hexString(publicKey.rawRepresentation) == vector.x + vector.y)
    }

    @Test("whisper secp256k1_public_key vectors", arguments: WhisperVectors.category("secp256k1_public_key"))
    func whisperPublicKey(vector: WhisperVectors.Vector) throws {
        let publicKey = try Self.key(try #require(vector.input.private_key)).publicKey
        let x = try #require(vector.expected.x), y = try #require(vector.expected.y)
        #expect(hexString(publicKey.rawRepresentation) == x + y)
    }

    @Test("aleth interop public key")
    func alethPublicKey() throws {
        for vector in Self.vectors.ecies.aleth_interop_primitives.public_key {
            #expect(hexString(try Self.key(vector.private_key).publicKey.rawRepresentation) == vector.public_key)
        }
    }

    @Test("EIP-8 key pairs give the listed public keys")
    func eip8PublicKeys() throws {
        let keys = Self.vectors.eip8_handshake.keys
        let expected = Self.vectors.eip8_handshake.public_keys
        let pairs = [
            (keys.static_key_a, expected.static_pubkey_a), (keys.static_key_b, expected.static_pubkey_b),
            (keys.ephemeral_key_a, expected.ephemeral_pubkey_a), (keys.ephemeral_key_b, expected.ephemeral_pubkey_b),
        ]
        for (privateKey, publicKey) in pairs {
            #expect(try Self.key(privateKey).publicKey.description == publicKey)
        }
    }

    @Test("geth static ECDH, both directions (raw X, not hashed)")
    func gethStaticECDH() throws {
        let vector = Self.vectors.ecies.geth_ecdh_static
        let a = try Self.key(vector.private_key_1), b = try Self.key(vector.private_key_2)
        #expect(hexString(a.sharedSecret(with: b.publicKey)) == vector.shared)
        #expect(hexString(b.sharedSecret(with: a.publicKey)) == vector.shared)
    }

    @Test("whisper secp256k1_ecdh_x vectors", arguments: WhisperVectors.category("secp256k1_ecdh_x"))
    func whisperECDH(vector: WhisperVectors.Vector) throws {
        let a = try Self.key(try #require(vector.input.private_key_1))
        let b = try Self.key(try #require(vector.input.private_key_2))
        #expect(hexString(a.sharedSecret(with: b.publicKey)) == vector.expected.shared_x_32_bytes)
        #expect(hexString(b.sharedSecret(with: a.publicKey)) == vector.expected.shared_x_32_bytes)
    }

    @Test("aleth interop ECDH")
    func alethECDH() throws {
        for vector in Self.vectors.ecies.aleth_interop_primitives.ecdh {
            let peer = try Secp256k1.PublicKey(rawRepresentation: hexBytes(vector.public_key))
            #expect(hexString(try Self.key(vector.private_key).sharedSecret(with: peer)) == vector.shared)
        }
    }

    @Test("handshake ECDH values (go transcript, aleth secret derivation)")
    func handshakeECDH() throws {
        let transcript = Self.vectors.go_handshake_transcript
        let initiator = try Self.key(transcript.initiator_ephemeral_private_key)
        let receiver = try Self.key(transcript.receiver_ephemeral_private_key)
        #expect(hexString(initiator.sharedSecret(with: receiver.publicKey)) == transcript.ecdhe_shared_secret)

        // aleth gives these keys as keccak256 of ASCII strings.
        let a = try Secp256k1.PrivateKey(rawRepresentation: Keccak256.hash(Array("initiator-random".utf8)))
        let b = try Secp256k1.PrivateKey(rawRepresentation: Keccak256.hash(Array("remote-recv-random".utf8)))
        #expect(hexString(a.sharedSecret(with: b.publicKey)) == Self.vectors.cpp_secret_derivation.ephemeral_shared_secret)
    }

    @Test("random keys are valid, distinct, and round-trip through raw bytes")
    func generation() throws {
        let keys = (0..<16).map { _ in Secp256k1.PrivateKey() }
        #expect(Set(keys.map { $0.rawRepresentation }).count == keys.count)
        for key in keys {
            let copy = try Secp256k1.PrivateKey(rawRepresentation: key.rawRepresentation)
            #expect(copy == key)
            #expect(copy.publicKey == key.publicKey)
        }
        #expect(keys[0] != keys[1])
    }

    @Test("invalid private keys are rejected")
    func invalidKeys() {
        #expect(throws: Secp256k1.KeyError.wrongLength(expected: 32, actual: 31)) {
            try Secp256k1.PrivateKey(rawRepresentation: [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: Secp256k1.KeyError.wrongLength(expected: 32, actual: 33)) {
            try Secp256k1.PrivateKey(rawRepresentation: [UInt8](repeating: 1, count: 33))
        }
        #expect(throws: Secp256k1.KeyError.zero) {
            try Secp256k1.PrivateKey(rawRepresentation: [UInt8](repeating: 0, count: 32))
        }
        let n = hexBytes("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        #expect(throws: Secp256k1.KeyError.outOfRange) { try Secp256k1.PrivateKey(rawRepresentation: n) }
        #expect(throws: Secp256k1.KeyError.outOfRange) {
            try Secp256k1.PrivateKey(rawRepresentation: [UInt8](repeating: 0xff, count: 32))
        }
        // n − 1 is the largest valid key; 1 the smallest.
        var nMinusOne = n
        nMinusOne[31] -= 1
        #expect((try? Secp256k1.PrivateKey(rawRepresentation: nMinusOne)) != nil)
        #expect((try? Secp256k1.PrivateKey(rawRepresentation: [UInt8](repeating: 0, count: 31) + [1])) != nil)
    }

    @Test("description, debugDescription and dump never show the secret")
    func redaction() throws {
        let raw = hexBytes(Self.vectors.eip8_handshake.keys.static_key_b)
        let key = try Secp256k1.PrivateKey(rawRepresentation: raw)
        var dumped = ""
        dump(key, to: &dumped)
        let secretHex = hexString(raw)
        let secretPrefix = String(secretHex.prefix(8))
        for text in [key.description, key.debugDescription, "\(key)", String(reflecting: key), dumped] {
            #expect(!text.contains(secretPrefix), "\(text)")
            #expect(text.contains("redacted") || text.contains("PrivateKey"), "\(text)")
        }
        #expect(key.description.contains(key.publicKey.nodeID.description))
    }
}
