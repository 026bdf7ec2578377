import HeraldCrypto
import RLPx
import TestSupport
import Testing

@Suite("handshake state machine")
struct HandshakeStateMachineTests {
    struct Keys {
        let staticA, staticB, ephemeralA, ephemeralB: Secp256k1.PrivateKey
        let nonceA, nonceB: [UInt8]
        init() throws {
            let keys = try Vectors.section("eip8_handshake", "keys")
            staticA = try Vectors.privateKey(keys.string("static_key_a"))
            staticB = try Vectors.privateKey(keys.string("static_key_b"))
            ephemeralA = try Vectors.privateKey(keys.string("ephemeral_key_a"))
            ephemeralB = try Vectors.privateKey(keys.string("ephemeral_key_b"))
            nonceA = try keys.bytes("nonce_a")
            nonceB = try keys.bytes("nonce_b")
        }
    }

    private func packet(_ list: String, id: String) throws -> [UInt8] {
        let packets = try Vectors.section("eip8_handshake").list(list)
        return try #require(packets.first { $0["id"] as? String == id }).bytes("packet")
    }

    private func complete(_ action: HandshakeStateMachine.Action) throws -> (HandshakeStateMachine.Outcome, [UInt8]?) {
        guard case .complete(let outcome, let send) = action else {
            Issue.record("expected completion, got \(action)")
            throw HandshakeError.invalidState
        }
        return (outcome, send)
    }

    /// `derived_secrets`: B (recipient) receives an auth with its own ephemeral
    /// key and nonce injected; aes-secret, mac-secret and ingress-mac("foo")
    /// do not depend on B's (random) ack, so all three auth formats give them.
    @Test("recipient B reproduces derived_secrets", arguments: HandshakeMessageTests.authIDs)
    func recipientSecrets(authID: String) throws {
        let keys = try Keys()
        let expected = try Vectors.section("eip8_handshake", "derived_secrets")
        var machine = HandshakeStateMachine(role: .recipient, staticKey: keys.staticB,
                                            ephemeralKey: keys.ephemeralB, nonce: keys.nonceB)
        guard case .needMoreBytes = machine.start() else { Issue.record("recipient should wait"); return }
        let (outcome, ack) = try complete(machine.receive(try packet("auth_packets", id: authID)))
        #expect(outcome.secrets.aesSecret == (try expected.bytes("aes_secret")))
        #expect(outcome.secrets.macSecret == (try expected.bytes("mac_secret")))
        #expect(outcome.remotePublicKey == keys.staticA.publicKey)
        #expect(outcome.leftover.isEmpty)
        if authID == "Auth2" {
            var ingress = outcome.secrets.ingressMAC
            ingress.update(Array("foo".utf8))
            #expect(ingress.finalize().bytes == (try expected.bytes("ingress_mac_after_foo")))
        }
        // The ack answers in the auth's format and carries B's ephemeral key and nonce.
        let ackPacket = try #require(ack)
        let (decoded, format) = try AckMessage.open(ackPacket, with: keys.staticA)
        #expect(format == (authID == "Auth1" ? .legacy : .eip8))
        if format == .legacy { #expect(ackPacket.count == 210) }
        #expect(decoded.recipientEphemeralPublicKey == keys.ephemeralB.publicKey)
        #expect(decoded.recipientNonce == keys.nonceB)
    }

    /// A (initiator) with its vector ephemeral key and nonce accepts each ack
    /// format and arrives at the same aes-secret and mac-secret.
    @Test("initiator A reproduces the secrets from every ack", arguments: HandshakeMessageTests.ackIDs)
    func initiatorSecrets(ackID: String) throws {
        let keys = try Keys()
        let expected = try Vectors.section("eip8_handshake", "derived_secrets")
        var machine = HandshakeStateMachine(role: .initiator(remote: keys.staticB.publicKey), staticKey: keys.staticA,
                                            ephemeralKey: keys.ephemeralA, nonce: keys.nonceA)
        guard case .send(let auth) = machine.start() else { Issue.record("initiator should send auth"); return }
        // Our auth is EIP-8 and B can read it.
        let (decodedAuth, format) = try AuthMessage.open(auth, with: keys.staticB)
        #expect(format == .eip8)
        #expect(decodedAuth.initiatorNonce == keys.nonceA)
        let (outcome, send) = try complete(machine.receive(try packet("ack_packets", id: ackID)))
        #expect(send == nil)
        #expect(outcome.secrets.aesSecret == (try expected.bytes("aes_secret")))
        #expect(outcome.secrets.macSecret == (try expected.bytes("mac_secret")))
        #expect(outcome.remotePublicKey == keys.staticB.publicKey)
    }

    @Test("bytes may arrive one at a time, and bytes after the packet are kept", arguments: HandshakeMessageTests.authIDs)
    func dripFeed(authID: String) throws {
        let keys = try Keys()
        let expected = try Vectors.section("eip8_handshake", "derived_secrets")
        let bytes = try packet("auth_packets", id: authID)
        var machine = HandshakeStateMachine(role: .recipient, staticKey: keys.staticB,
                                            ephemeralKey: keys.ephemeralB, nonce: keys.nonceB)
        _ = machine.start()
        for byte in bytes.dropLast() {
            guard case .needMoreBytes = machine.receive([byte]) else { Issue.record("finished early"); return }
        }
        let (outcome, _) = try complete(machine.receive([bytes.last!]))
        #expect(outcome.secrets.aesSecret == (try expected.bytes("aes_secret")))
        #expect(outcome.leftover.isEmpty)

        var whole = HandshakeStateMachine(role: .recipient, staticKey: keys.staticB)
        _ = whole.start()
        let (withExtra, _) = try complete(whole.receive(bytes + [0xAA, 0xBB]))
        #expect(withExtra.leftover == [0xAA, 0xBB])
    }

    @Test("two machines agree: each egress MAC state is the other's ingress")
    func roundTrip() throws {
        let a = Secp256k1.PrivateKey()
        let b = Secp256k1.PrivateKey()
        var initiator = HandshakeStateMachine(role: .initiator(remote: b.publicKey), staticKey: a)
        var recipient = HandshakeStateMachine(role: .recipient, staticKey: b)
        guard case .send(let auth) = initiator.start() else { Issue.record("no auth"); return }
        _ = recipient.start()
        let (recipientOutcome, ackBytes) = try complete(recipient.receive(auth))
        let ack = try #require(ackBytes)
        let (initiatorOutcome, _) = try complete(initiator.receive(ack + [1, 2, 3]))
        #expect(initiatorOutcome.leftover == [1, 2, 3])
        #expect(recipientOutcome.remotePublicKey == a.publicKey)
        #expect(initiatorOutcome.remotePublicKey == b.publicKey)
        #expect(initiatorOutcome.secrets.aesSecret == recipientOutcome.secrets.aesSecret)
        #expect(initiatorOutcome.secrets.macSecret == recipientOutcome.secrets.macSecret)
        #expect(initiatorOutcome.secrets.egressMAC.finalize() == recipientOutcome.secrets.ingressMAC.finalize())
        #expect(initiatorOutcome.secrets.ingressMAC.finalize() == recipientOutcome.secrets.egressMAC.finalize())
        #expect(initiatorOutcome.secrets.egressMAC.finalize() != initiatorOutcome.secrets.ingressMAC.finalize())
        // Secrets never print.
        #expect(!String(describing: initiatorOutcome.secrets).contains(Hex.encode(initiatorOutcome.secrets.aesSecret)))
    }

    @Test("garbage, oversize prefixes and a wrong recipient fail")
    func hostileInput() throws {
        let b = Secp256k1.PrivateKey()
        // A size prefix above 2048 fails as soon as two bytes are in.
        var machine = HandshakeStateMachine(role: .recipient, staticKey: b)
        _ = machine.start()
        guard case .fail(.packetTooLarge) = machine.receive([0xFF, 0xFF]) else { Issue.record("oversize accepted"); return }
        guard case .fail(.invalidState) = machine.receive([0]) else { Issue.record("fed after failure"); return }

        // Random bytes with a plausible size fail at the ECIES tag.
        var random = HandshakeStateMachine(role: .recipient, staticKey: b)
        _ = random.start()
        let garbage: [UInt8] = [0x01, 0x80] + SecureRandom.bytes(count: 0x180)
        guard case .fail(.decryptionFailed) = random.receive(garbage) else { Issue.record("garbage accepted"); return }

        // Random bytes starting with 0x04: legacy is tried once, then EIP-8 fails.
        var legacyish = HandshakeStateMachine(role: .recipient, staticKey: b)
        _ = legacyish.start()
        let fake: [UInt8] = [0x04, 0x10] + SecureRandom.bytes(count: 0x410)
        guard case .needMoreBytes = legacyish.receive(fake.prefix(400)) else { Issue.record("decided too early"); return }
        guard case .fail(.decryptionFailed) = legacyish.receive(fake.dropFirst(400)) else { Issue.record("accepted"); return }

        // An auth meant for someone else.
        let a = Secp256k1.PrivateKey()
        var initiator = HandshakeStateMachine(role: .initiator(remote: Secp256k1.PrivateKey().publicKey), staticKey: a)
        guard case .send(let auth) = initiator.start() else { return }
        var wrong = HandshakeStateMachine(role: .recipient, staticKey: b)
        _ = wrong.start()
        guard case .fail(.decryptionFailed) = wrong.receive(auth) else { Issue.record("misaddressed auth accepted"); return }

        // A too-small size.
        var tiny = HandshakeStateMachine(role: .recipient, staticKey: b)
        _ = tiny.start()
        guard case .fail(.packetTooSmall) = tiny.receive([0x00, 0x10]) else { Issue.record("tiny accepted"); return }
    }
}
