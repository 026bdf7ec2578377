import HeraldCrypto
import RLPx
import TestSupport
import Testing

@Suite("session secrets and MAC states")
struct SessionSecretsTests {
    /// `go_handshake_transcript`: a legacy handshake recorded from geth, checked
    /// from both sides: packet decryption, ECDH, secrets, initial MAC digests,
    /// and both Hello frames verified and decrypted under real MACs.
    @Test("go handshake transcript")
    func goTranscript() throws {
        let v = try Vectors.section("go_handshake_transcript")
        let initiatorKey = try Vectors.privateKey(v.string("initiator_private_key"))
        let initiatorEphemeral = try Vectors.privateKey(v.string("initiator_ephemeral_private_key"))
        let receiverKey = try Vectors.privateKey(v.string("receiver_private_key"))
        let receiverEphemeral = try Vectors.privateKey(v.string("receiver_ephemeral_private_key"))
        let initiatorNonce = try v.bytes("initiator_nonce")
        let receiverNonce = try v.bytes("receiver_nonce")
        let auth = try v.bytes("auth_ciphertext")
        let ack = try v.bytes("ack_ciphertext")

        // Both packets are legacy and decrypt to the recorded plaintexts.
        #expect(try HandshakePacket.openLegacy(auth, with: receiverKey) == (try v.bytes("auth_plaintext")))
        #expect(try HandshakePacket.openLegacy(ack, with: initiatorKey) == (try v.bytes("ack_plaintext")))
        let (authMessage, authFormat) = try AuthMessage.open(auth, with: receiverKey)
        #expect(authFormat == .legacy)
        #expect(authMessage.initiatorPublicKey == initiatorKey.publicKey)
        #expect(authMessage.initiatorNonce == initiatorNonce)
        let (ackMessage, ackFormat) = try AckMessage.open(ack, with: initiatorKey)
        #expect(ackFormat == .legacy)
        #expect(ackMessage.recipientEphemeralPublicKey == receiverEphemeral.publicKey)
        #expect(ackMessage.recipientNonce == receiverNonce)

        let ephemeralShared = initiatorEphemeral.sharedSecret(with: receiverEphemeral.publicKey)
        #expect(ephemeralShared == (try v.bytes("ecdhe_shared_secret")))
        // token = keccak256(shared-secret): legacy, but it pins the shared-secret formula.
        let sharedSecret = Keccak256.hash(ephemeralShared + Keccak256.hash(receiverNonce + initiatorNonce).bytes).bytes
        #expect(Keccak256.hash(sharedSecret).bytes == (try v.bytes("token")))

        let initiator = SessionSecrets.derive(ephemeralSharedSecret: ephemeralShared, initiatorNonce: initiatorNonce,
                                              recipientNonce: receiverNonce, authPacket: auth, ackPacket: ack, isInitiator: true)
        #expect(initiator.aesSecret == (try v.bytes("aes_secret")))
        #expect(initiator.macSecret == (try v.bytes("mac_secret")))
        #expect(initiator.egressMAC.finalize().bytes == (try v.bytes("initiator_initial_egress_mac_digest")))
        #expect(initiator.ingressMAC.finalize().bytes == (try v.bytes("initiator_initial_ingress_mac_digest")))

        // The receiver, run as a state machine on the recorded auth, agrees
        // (its own ack is fresh ECIES, so only its ingress state is comparable).
        var receiver = HandshakeStateMachine(role: .recipient, staticKey: receiverKey,
                                             ephemeralKey: receiverEphemeral, nonce: receiverNonce)
        _ = receiver.start()
        guard case .complete(let outcome, let send) = receiver.receive(auth) else {
            Issue.record("receiver did not complete"); return
        }
        #expect(outcome.format == .legacy)
        #expect(send?.count == 210)
        #expect(outcome.secrets.aesSecret == initiator.aesSecret)
        #expect(outcome.secrets.ingressMAC.finalize() == initiator.egressMAC.finalize())

        // initiator_hello_frame verifies under the initiator's egress state
        // (= the receiver's ingress), receiver_hello_frame under its ingress.
        let receiverSide = SessionSecrets.derive(ephemeralSharedSecret: ephemeralShared, initiatorNonce: initiatorNonce,
                                                 recipientNonce: receiverNonce, authPacket: auth, ackPacket: ack, isInitiator: false)
        for (frameKey, secrets, sender) in [("initiator_hello_frame", receiverSide, initiatorKey),
                                            ("receiver_hello_frame", initiator, receiverKey)] {
            var codec = try FrameCodec(secrets: secrets)
            let frame = try v.bytes(frameKey)
            let frameSize = try codec.reader.openHeader(Array(frame[0..<32]))
            var body = Array(frame[32...])
            #expect(body.count == FrameReader.bodySize(frameSize: frameSize), "\(frameKey)")
            let (id, payload) = try codec.reader.openBody(&body, frameSize: frameSize)
            #expect(id == BaseProtocol.MessageID.hello, "\(frameKey)")
            let hello = try Hello(decoding: body[payload])
            #expect(hello.nodeID == sender.publicKey.rawRepresentation, "\(frameKey)")
        }
    }

    /// `cpp_secret_derivation` (aleth): keys and nonces are keccak256 of ASCII
    /// strings; auth and ack are empty.
    @Test("aleth secret derivation")
    func alethDerivation() throws {
        let v = try Vectors.section("cpp_secret_derivation")
        func hashed(_ text: String) -> [UInt8] { Keccak256.hash(Array(text.utf8)).bytes }
        let initiatorEphemeral = try Secp256k1.PrivateKey(rawRepresentation: hashed("initiator-random"))
        let receiverEphemeral = try Secp256k1.PrivateKey(rawRepresentation: hashed("remote-recv-random"))
        let initiatorNonce = hashed("initiator-nonce")
        let receiverNonce = hashed("remote-recv-nonce")
        let ephemeralShared = initiatorEphemeral.sharedSecret(with: receiverEphemeral.publicKey)
        #expect(ephemeralShared == (try v.bytes("ephemeral_shared_secret")))
        #expect(receiverEphemeral.sharedSecret(with: initiatorEphemeral.publicKey) == ephemeralShared)
        let sharedSecret = Keccak256.hash(ephemeralShared + Keccak256.hash(receiverNonce + initiatorNonce).bytes).bytes
        #expect(sharedSecret == (try v.bytes("shared_secret")))
        #expect(Keccak256.hash(sharedSecret).bytes == (try v.bytes("token")))
        let secrets = SessionSecrets.derive(ephemeralSharedSecret: ephemeralShared, initiatorNonce: initiatorNonce,
                                            recipientNonce: receiverNonce, authPacket: [], ackPacket: [], isInitiator: true)
        #expect(secrets.aesSecret == (try v.bytes("aes_secret")))
        #expect(secrets.macSecret == (try v.bytes("mac_secret")))
        #expect(Array(secrets.egressMAC.finalize().prefix(16)) == (try v.bytes("initiator_egress_mac_digest_first16")))
        #expect(Array(secrets.ingressMAC.finalize().prefix(16)) == (try v.bytes("initiator_ingress_mac_digest_first16")))
    }
}
