import HeraldCrypto
import RLPx
import TestSupport
import Testing

@Suite("auth and ack packets")
struct HandshakeMessageTests {
    static let authIDs = ["Auth1", "Auth2", "Auth3"]
    static let ackIDs = ["Ack1", "Ack2", "Ack3"]

    private func packet(_ list: String, id: String) throws -> [String: Any] {
        let packets = try Vectors.section("eip8_handshake").list(list)
        return try #require(packets.first { $0["id"] as? String == id })
    }

    /// The three EIP-8 auth vectors: legacy, EIP-8 v4, EIP-8 v56 with extra elements.
    @Test("auth vectors decode", arguments: authIDs)
    func auth(id: String) throws {
        let vector = try packet("auth_packets", id: id)
        let keys = try Vectors.section("eip8_handshake", "keys")
        let expect = try vector.dict("expect")
        let (auth, format) = try AuthMessage.open(try vector.bytes("packet"), with: try Vectors.privateKey(keys.string("static_key_b")))
        #expect(format == (id == "Auth1" ? .legacy : .eip8))
        #expect(auth.signature.rawRepresentation == (try expect.bytes("signature")))
        #expect(auth.initiatorPublicKey.rawRepresentation == (try expect.bytes("initiator_pubkey")))
        #expect(auth.initiatorNonce == (try expect.bytes("initiator_nonce")))
        #expect(auth.version == UInt64(try expect.int("version")))
        let rest = (expect["rest"] as? [String]) ?? []
        #expect(auth.extraElements.map { hexString($0) } == rest)
        if format == .legacy {
            // The legacy body carries keccak256 of ephemeral key A.
            let ephemeral = try Vectors.section("eip8_handshake", "public_keys").bytes("ephemeral_pubkey_a")
            #expect(auth.ephemeralKeyHash == Keccak256.hash(ephemeral).bytes)
        }
    }

    /// The three EIP-8 ack vectors: legacy, EIP-8 v4, EIP-8 v57 with extra elements.
    @Test("ack vectors decode", arguments: ackIDs)
    func ack(id: String) throws {
        let vector = try packet("ack_packets", id: id)
        let keys = try Vectors.section("eip8_handshake", "keys")
        let expect = try vector.dict("expect")
        let (ack, format) = try AckMessage.open(try vector.bytes("packet"), with: try Vectors.privateKey(keys.string("static_key_a")))
        #expect(format == (id == "Ack1" ? .legacy : .eip8))
        #expect(ack.recipientEphemeralPublicKey.rawRepresentation == (try expect.bytes("recipient_ephemeral_pubkey")))
        #expect(ack.recipientNonce == (try expect.bytes("recipient_nonce")))
        #expect(ack.version == UInt64(try expect.int("version")))
        let rest = (expect["rest"] as? [String]) ?? []
        #expect(ack.extraElements.map { hexString($0) } == rest)
    }

    @Test("version-4 bodies have the sizes of spec §5.2 / §5.3")
    func bodySizes() throws {
        let key = Secp256k1.PrivateKey()
        let signature = try key.signature(forDigest: [UInt8](repeating: 1, count: 32))
        let auth = AuthMessage(signature: signature, initiatorPublicKey: key.publicKey, initiatorNonce: [UInt8](repeating: 2, count: 32))
        #expect(auth.encodedBody().count == 169)
        let ack = AckMessage(recipientEphemeralPublicKey: key.publicKey, recipientNonce: [UInt8](repeating: 3, count: 32))
        #expect(ack.encodedBody().count == 102)
        #expect(ack.legacyPlaintext().count == 97)
    }

    @Test("EIP-8 packets round-trip with padding ignored")
    func roundTrip() throws {
        let recipient = Secp256k1.PrivateKey()
        let key = Secp256k1.PrivateKey()
        let signature = try key.signature(forDigest: [UInt8](repeating: 1, count: 32))
        let auth = AuthMessage(signature: signature, initiatorPublicKey: key.publicKey, initiatorNonce: SecureRandom.bytes(count: 32))
        for padding in [0, 100, 199, 500] {
            let packet = HandshakePacket.sealEIP8(body: auth.encodedBody(), to: recipient.publicKey, paddingLength: padding)
            #expect(packet.count == 2 + 169 + padding + ECIES.overhead)
            let (decoded, format) = try AuthMessage.open(packet, with: recipient)
            #expect(decoded == auth)
            #expect(format == .eip8)
        }
    }

    @Test("tampered, oversized and misaddressed packets are refused")
    func refusals() throws {
        let keys = try Vectors.section("eip8_handshake", "keys")
        let keyB = try Vectors.privateKey(keys.string("static_key_b"))
        var packet = try packet("auth_packets", id: "Auth2").bytes("packet")

        // Wrong recipient: the ECIES tag fails.
        #expect(throws: HandshakeError.self) { _ = try AuthMessage.open(packet, with: Secp256k1.PrivateKey()) }
        // One flipped ciphertext bit: the ECIES tag fails.
        packet[100] ^= 0x01
        #expect {
            _ = try AuthMessage.open(packet, with: keyB)
        } throws: { error in
            if case HandshakeError.decryptionFailed = error { return true }
            return false
        }
        // A size prefix above 2048 (geth's limit).
        #expect(throws: HandshakeError.packetTooLarge(size: 0x0801, limit: 2048)) {
            _ = try HandshakePacket.openEIP8([0x08, 0x01] + [UInt8](repeating: 0, count: 0x0801), with: keyB)
        }
        // A body that is not an auth list.
        let junk = HandshakePacket.sealEIP8(body: [0xc0], to: keyB.publicKey, paddingLength: 100)
        #expect {
            _ = try AuthMessage.open(junk, with: keyB)
        } throws: { error in
            if case HandshakeError.malformedMessage = error { return true }
            return false
        }
    }
}
