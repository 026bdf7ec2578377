import HeraldCrypto

/// The RLPx auth/ack exchange (spec §5, §6) for either role, as a value that
/// takes bytes and returns what to do next. It owns no socket and no timer:
/// the NIO handler feeds it and carries out its actions, and tests drive it
/// directly with the published vectors.
package struct HandshakeStateMachine {
    /// Which side of the TCP connection we are.
    package enum Role: Sendable {
        /// We dialled; we know the recipient's static key from its enode URL.
        case initiator(remote: Secp256k1.PublicKey)
        /// We accepted; we learn the initiator's key from its auth.
        case recipient
    }

    /// What a finished handshake hands to the framing layer.
    package struct Outcome: Sendable {
        /// The peer's static public key (its identity).
        package var remotePublicKey: Secp256k1.PublicKey
        /// Frame keys and initial MAC states.
        package var secrets: SessionSecrets
        /// The format the auth came in (the ack answered in kind).
        package var format: HandshakeFormat
        /// auth-vsn or ack-vsn the peer sent.
        package var remoteVersion: UInt64
        /// Bytes received after the last handshake packet: the start of the first frame.
        package var leftover: [UInt8]
    }

    /// The next step for the caller.
    package enum Action {
        /// Write these bytes to the peer, then wait for more input.
        case send([UInt8])
        /// Nothing to do until more bytes arrive.
        case needMoreBytes
        /// Done. Write `send` first if present (the recipient's ack).
        case complete(Outcome, send: [UInt8]?)
        /// The handshake failed; close the connection.
        case fail(HandshakeError)
    }

    private enum State {
        case idle
        case awaitingAuth
        case awaitingAck(authPacket: [UInt8])
        case finished
    }

    private let role: Role
    private let staticKey: Secp256k1.PrivateKey
    private let ephemeralKey: Secp256k1.PrivateKey
    private let nonce: [UInt8]
    private let paddingLength: Int?
    private var state: State = .idle
    private var buffer: [UInt8] = []
    /// Set once the first bytes can no longer be a legacy packet, so the
    /// (costly) legacy decryption attempt is made at most once.
    private var legacyRuledOut = false

    /// - Parameters:
    ///   - role: initiator (with the dialled key) or recipient.
    ///   - staticKey: our node key.
    ///   - ephemeralKey: fresh per connection; injectable for the vectors.
    ///   - nonce: 32 random bytes; injectable for the vectors.
    ///   - paddingLength: EIP-8 padding; random in 100…199 (geth) when nil.
    package init(role: Role, staticKey: Secp256k1.PrivateKey,
                 ephemeralKey: Secp256k1.PrivateKey = Secp256k1.PrivateKey(),
                 nonce: [UInt8] = SecureRandom.bytes(count: 32),
                 paddingLength: Int? = nil) {
        precondition(nonce.count == 32, "nonce must be 32 bytes")
        self.role = role
        self.staticKey = staticKey
        self.ephemeralKey = ephemeralKey
        self.nonce = nonce
        self.paddingLength = paddingLength
    }

    /// Call once when the connection is up: the initiator gets its auth to
    /// send, the recipient starts waiting for one.
    package mutating func start() -> Action {
        guard case .idle = state else { return .fail(.invalidState) }
        switch role {
        case .recipient:
            state = .awaitingAuth
            return .needMoreBytes
        case .initiator(let remote):
            let staticShared = staticKey.sharedSecret(with: remote)
            let signature: Secp256k1.RecoverableSignature
            do {
                signature = try ephemeralKey.signature(forDigest: xor(staticShared, nonce))
            } catch {
                state = .finished
                return .fail(.invalidSignature)
            }
            let auth = AuthMessage(signature: signature, initiatorPublicKey: staticKey.publicKey, initiatorNonce: nonce)
            let packet = HandshakePacket.sealEIP8(body: auth.encodedBody(), to: remote,
                                                  paddingLength: paddingLength ?? HandshakePacket.padding())
            state = .awaitingAck(authPacket: packet)
            return .send(packet)
        }
    }

    /// Feeds bytes read from the peer.
    package mutating func receive(_ bytes: some Collection<UInt8>) -> Action {
        switch state {
        case .idle, .finished:
            return .fail(.invalidState)
        case .awaitingAuth, .awaitingAck:
            break
        }
        buffer.append(contentsOf: bytes)
        do throws(HandshakeError) {
            switch state {
            case .awaitingAuth:
                guard let extracted = try extractPacket(legacySize: HandshakePacket.legacyAuthSize) else {
                    return .needMoreBytes
                }
                let (packet, plaintext, format) = extracted
                return try answerAuth(packet: packet, plaintext: plaintext, format: format)
            case .awaitingAck(let authPacket):
                guard let extracted = try extractPacket(legacySize: HandshakePacket.legacyAckSize) else {
                    return .needMoreBytes
                }
                let (packet, plaintext, format) = extracted
                return try finishWithAck(authPacket: authPacket, ackPacket: packet, plaintext: plaintext, format: format)
            case .idle, .finished:
                return .fail(.invalidState)
            }
        } catch {
            state = .finished
            buffer = []
            return .fail(error)
        }
    }

    // MARK: - Steps

    private mutating func answerAuth(packet: [UInt8], plaintext: [UInt8], format: HandshakeFormat) throws(HandshakeError) -> Action {
        let auth = switch format {
        case .eip8: try AuthMessage(eip8Plaintext: plaintext)
        case .legacy: try AuthMessage(legacyPlaintext: plaintext)
        }
        // The ephemeral key is not sent: recover it from the signature over
        // static-shared-secret ⊕ initiator-nonce.
        let staticShared = staticKey.sharedSecret(with: auth.initiatorPublicKey)
        let remoteEphemeral: Secp256k1.PublicKey
        do {
            remoteEphemeral = try auth.signature.recoverPublicKey(forDigest: xor(staticShared, auth.initiatorNonce))
        } catch {
            throw .invalidSignature
        }
        if let hash = auth.ephemeralKeyHash, Keccak256.hash(remoteEphemeral.rawRepresentation).bytes != hash {
            throw .ephemeralKeyHashMismatch
        }
        let ack = AckMessage(recipientEphemeralPublicKey: ephemeralKey.publicKey, recipientNonce: nonce)
        let ackPacket: [UInt8] = switch format {
        case .eip8:
            HandshakePacket.sealEIP8(body: ack.encodedBody(), to: auth.initiatorPublicKey,
                                     paddingLength: paddingLength ?? HandshakePacket.padding())
        case .legacy:
            ECIES.seal(ack.legacyPlaintext(), to: auth.initiatorPublicKey)
        }
        let secrets = SessionSecrets.derive(
            ephemeralSharedSecret: ephemeralKey.sharedSecret(with: remoteEphemeral),
            initiatorNonce: auth.initiatorNonce, recipientNonce: nonce,
            authPacket: packet, ackPacket: ackPacket, isInitiator: false)
        state = .finished
        let outcome = Outcome(remotePublicKey: auth.initiatorPublicKey, secrets: secrets, format: format,
                              remoteVersion: auth.version, leftover: takeLeftover())
        return .complete(outcome, send: ackPacket)
    }

    private mutating func finishWithAck(authPacket: [UInt8], ackPacket: [UInt8], plaintext: [UInt8], format: HandshakeFormat) throws(HandshakeError) -> Action {
        guard case .initiator(let remote) = role else { throw .invalidState }
        let ack = switch format {
        case .eip8: try AckMessage(eip8Plaintext: plaintext)
        case .legacy: try AckMessage(legacyPlaintext: plaintext)
        }
        let secrets = SessionSecrets.derive(
            ephemeralSharedSecret: ephemeralKey.sharedSecret(with: ack.recipientEphemeralPublicKey),
            initiatorNonce: nonce, recipientNonce: ack.recipientNonce,
            authPacket: authPacket, ackPacket: ackPacket, isInitiator: true)
        state = .finished
        let outcome = Outcome(remotePublicKey: remote, secrets: secrets, format: format,
                              remoteVersion: ack.version, leftover: takeLeftover())
        return .complete(outcome, send: nil)
    }

    private mutating func takeLeftover() -> [UInt8] {
        defer { buffer = [] }
        return buffer
    }

    /// Cuts one complete packet off the front of the buffer, or nil if more
    /// bytes are needed. Detection (spec §5.5): a legacy packet is exactly
    /// `legacySize` bytes and starts with 0x04 (the ECIES point prefix); an
    /// EIP-8 packet starts with its 2-byte size. A first byte other than 0x04
    /// means EIP-8 at once; with 0x04 the legacy decryption is tried once.
    private mutating func extractPacket(legacySize: Int) throws(HandshakeError) -> ([UInt8], [UInt8], HandshakeFormat)? {
        guard buffer.count >= 2 else { return nil }
        if buffer[0] == 0x04 && !legacyRuledOut {
            guard buffer.count >= legacySize else { return nil }
            let candidate = Array(buffer[0..<legacySize])
            if let plaintext = try? HandshakePacket.openLegacy(candidate, with: staticKey) {
                buffer.removeFirst(legacySize)
                return (candidate, plaintext, .legacy)
            }
            legacyRuledOut = true
        }
        let size = Int(buffer[0]) << 8 | Int(buffer[1])
        guard size <= HandshakePacket.maxSize else { throw .packetTooLarge(size: size, limit: HandshakePacket.maxSize) }
        guard size >= ECIES.overhead else { throw .packetTooSmall(size: size) }
        guard buffer.count >= 2 + size else { return nil }
        let packet = Array(buffer[0..<(2 + size)])
        let plaintext = try HandshakePacket.openEIP8(packet, with: staticKey)
        buffer.removeFirst(2 + size)
        return (packet, plaintext, .eip8)
    }
}
