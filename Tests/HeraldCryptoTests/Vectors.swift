import TestSupport

// Typed views of the upstream vector files in Tests/TestVectors (kept verbatim;
// see that folder's README for sources). Only the sections HeraldCrypto
// covers are modelled.

/// `rlpx-eip8-vectors.json`.
struct RLPxVectors: Decodable, Sendable {
    struct EIP8: Decodable, Sendable {
        struct Keys: Decodable, Sendable {
            let static_key_a, static_key_b, ephemeral_key_a, ephemeral_key_b, nonce_a, nonce_b: String
        }
        struct PublicKeys: Decodable, Sendable {
            let static_pubkey_a, static_pubkey_b, ephemeral_pubkey_a, ephemeral_pubkey_b: String
        }
        struct Signature: Decodable, Sendable { let value: String }
        struct Expect: Decodable, Sendable {
            let signature, initiator_pubkey, initiator_nonce: String?
            let recipient_ephemeral_pubkey, recipient_nonce: String?
            let version: Int
            let rest: [String]?
        }
        struct Packet: Decodable, Sendable, CustomStringConvertible {
            let id, packet, decrypt_with, ecies_shared_mac_data: String
            let expect: Expect
            var description: String { id }
        }
        let keys: Keys
        let public_keys: PublicKeys
        let auth_signature: Signature
        let auth_packets: [Packet]
        let ack_packets: [Packet]
    }
    struct Transcript: Decodable, Sendable {
        let initiator_private_key, initiator_ephemeral_private_key, initiator_nonce: String
        let receiver_private_key, receiver_ephemeral_private_key, receiver_nonce: String
        let auth_ciphertext, ack_ciphertext, auth_plaintext, ack_plaintext: String
        let ecdhe_shared_secret: String
    }
    struct CppSecrets: Decodable, Sendable {
        let ephemeral_shared_secret: String
    }
    struct ECIESSection: Decodable, Sendable {
        struct KDF: Decodable, Sendable {
            struct Case: Decodable, Sendable { let length: Int; let output: String }
            let z_ascii: String
            let cases: [Case]
        }
        struct StaticECDH: Decodable, Sendable { let private_key_1, private_key_2, shared: String }
        struct Coordinates: Decodable, Sendable {
            struct Case: Decodable, Sendable { let private_key, x, y: String }
            let cases: [Case]
        }
        struct Aleth: Decodable, Sendable {
            struct Hash: Decodable, Sendable { let input, output: String }
            struct MAC: Decodable, Sendable { let key, input, output: String }
            struct KDF: Decodable, Sendable { let z: String; let length: Int; let output: String }
            struct ECDH: Decodable, Sendable { let private_key, public_key, shared: String }
            struct PublicKey: Decodable, Sendable { let private_key, public_key: String }
            struct Decrypt: Decodable, Sendable { let private_key, ciphertext, plaintext_ascii: String }
            let sha256: [Hash]
            let hmac_sha256: [MAC]
            let kdf: [KDF]
            let ecdh: [ECDH]
            let public_key: [PublicKey]
            let decrypt: [Decrypt]
        }
        let geth_concat_kdf: KDF
        let geth_ecdh_static: StaticECDH
        let geth_pubkey_coordinates: Coordinates
        let aleth_interop_primitives: Aleth
    }
    struct NodeIdentity: Decodable, Sendable {
        struct ENR: Decodable, Sendable { let private_key, node_id, compressed_pubkey: String }
        let enr_example: ENR
    }
    let eip8_handshake: EIP8
    let go_handshake_transcript: Transcript
    let cpp_secret_derivation: CppSecrets
    let ecies: ECIESSection
    let node_identity: NodeIdentity

    static let shared: RLPxVectors = {
        do { return try TestVectors.decode(RLPxVectors.self, from: "rlpx-eip8-vectors.json") }
        catch { fatalError("cannot read rlpx-eip8-vectors.json: \(error)") }
    }()
}

/// `whisper-v6-vectors.json`: one list of vectors, fields depending on `category`.
struct WhisperVectors: Decodable, Sendable {
    struct Slice: Decodable, Sendable { let offset, length: Int; let hex: String }
    struct Input: Decodable, Sendable {
        let z, s1, s2, private_key, private_key_1, private_key_2: String?
        let recipient_private_key, ciphertext, digest, signature, data: String?
        let length: Int?
    }
    struct Expected: Decodable, Sendable {
        let output, shared_x_32_bytes, x, y, plaintext, public_key_uncompressed, keccak256: String?
        let plaintext_length: Int?
        let plaintext_slices: [Slice]?
        /// Prose naming the private key whose public key sits at that offset.
        let plaintext_slice_offset97_length64, plaintext_slice_offset0_length64: String?
    }
    struct Vector: Decodable, Sendable, CustomStringConvertible {
        let id, category: String
        let input: Input
        let expected: Expected
        var description: String { id }
    }
    let vectors: [Vector]

    static let shared: WhisperVectors = {
        do { return try TestVectors.decode(WhisperVectors.self, from: "whisper-v6-vectors.json") }
        catch { fatalError("cannot read whisper-v6-vectors.json: \(error)") }
    }()

    static func category(_ name: String) -> [Vector] {
        shared.vectors.filter { $0.category == name }
    }
}
