import HeraldCrypto
import TestSupport
import Testing
@testable import Whisper

/// The vectors of `whisper-v6-vectors.json` that pin the HeraldCrypto
/// primitives Whisper is built on, run through the calls Whisper makes.
@Suite struct PrimitiveVectorTests {
    /// `keccak-001`: original Keccak padding, not NIST SHA3-256.
    @Test(arguments: WhisperVectors.category("keccak256"))
    func keccak256(vector: WhisperVector) {
        #expect(Keccak256.hash(vector.input["data"].bytes).description == vector.expected["keccak256"].string)
    }

    /// `kdf-001..005`: geth's concat KDF (SHA-256, counter from 1).
    @Test(arguments: WhisperVectors.category("ecies_concat_kdf_sha256"))
    func concatKDF(vector: WhisperVector) throws {
        let output = ConcatKDF.deriveKey(sharedSecret: vector.input["z"].bytes, sharedInfo: vector.input["s1"].bytes,
                                         byteCount: try #require(vector.input["length"].int))
        #expect(hexString(output) == vector.expected["output"].string)
    }

    /// `ecdh-001`: the raw X coordinate, the same in both directions.
    @Test(arguments: WhisperVectors.category("secp256k1_ecdh_x"))
    func ecdh(vector: WhisperVector) throws {
        let one = try Secp256k1.PrivateKey(rawRepresentation: vector.input["private_key_1"].bytes)
        let two = try Secp256k1.PrivateKey(rawRepresentation: vector.input["private_key_2"].bytes)
        let expected = vector.expected["shared_x_32_bytes"].string
        #expect(hexString(one.sharedSecret(with: two.publicKey)) == expected)
        #expect(hexString(two.sharedSecret(with: one.publicKey)) == expected)
    }

    /// `pubkey-001..002` (the second key has a leading zero byte).
    @Test(arguments: WhisperVectors.category("secp256k1_public_key"))
    func publicKey(vector: WhisperVector) throws {
        let key = try Secp256k1.PrivateKey(rawRepresentation: vector.input["private_key"].bytes)
        let raw = key.publicKey.rawRepresentation
        #expect(hexString(raw.prefix(32)) == vector.expected["x"].string)
        #expect(hexString(raw.suffix(32)) == vector.expected["y"].string)
    }

    /// `sig-001`: recovery with v = 0/1, as Whisper message signatures use it.
    @Test(arguments: WhisperVectors.category("secp256k1_recover"))
    func recover(vector: WhisperVector) throws {
        let signature = try Secp256k1.RecoverableSignature(rawRepresentation: vector.input["signature"].bytes)
        let key = try signature.recoverPublicKey(forDigest: vector.input["digest"].bytes)
        #expect(hexString(key.uncompressedRepresentation) == vector.expected["public_key_uncompressed"].string)
    }

    /// `ecies-001..006`: full plaintexts, through the opener's ECIES call
    /// (empty shared data, as Whisper uses it).
    @Test(arguments: WhisperVectors.category("ecies_decrypt"))
    func eciesDecrypt(vector: WhisperVector) throws {
        #expect(vector.input["s1"].bytes.isEmpty && vector.input["s2"].bytes.isEmpty)
        let key = try Secp256k1.PrivateKey(rawRepresentation: vector.input["recipient_private_key"].bytes)
        let plaintext = try ECIES.open(vector.input["ciphertext"].bytes, with: key)
        #expect(hexString(plaintext) == vector.expected["plaintext"].string)
    }

    /// `ecies-007..008`: RLPx pre-EIP-8 auth/ack, same construction; only
    /// slices of the plaintext are known (plus a public key named by its private key).
    @Test(arguments: WhisperVectors.category("ecies_decrypt_partial"))
    func eciesDecryptPartial(vector: WhisperVector) throws {
        let key = try Secp256k1.PrivateKey(rawRepresentation: vector.input["recipient_private_key"].bytes)
        let plaintext = try ECIES.open(vector.input["ciphertext"].bytes, with: key)
        #expect(plaintext.count == vector.expected["plaintext_length"].int)
        for slice in try #require(vector.expected["plaintext_slices"].array) {
            let offset = try #require(slice["offset"].int)
            let length = try #require(slice["length"].int)
            #expect(hexString(plaintext[offset ..< offset + length]) == slice["hex"].string)
        }
        // "64-byte public key (X||Y) of private key <hex> (value not written out in the source)".
        for (field, offset) in [("plaintext_slice_offset97_length64", 97), ("plaintext_slice_offset0_length64", 0)] {
            guard let text = vector.expected[field].string else { continue }
            let words = text.split(separator: " ")
            let privateHex = try #require(words.first { $0.count == 64 })
            let owner = try Secp256k1.PrivateKey(rawRepresentation: hexBytes(String(privateHex)))
            #expect(Array(plaintext[offset ..< offset + 64]) == owner.publicKey.rawRepresentation)
        }
    }
}
