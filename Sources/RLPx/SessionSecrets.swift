import HeraldCrypto

/// The secrets a completed handshake yields (spec §6): the frame cipher key,
/// the MAC whitening key, and the two running Keccak-256 MAC states.
///
/// `description` never shows key material.
public struct SessionSecrets: Sendable, CustomStringConvertible {
    /// aes-secret: key of both AES-256-CTR frame streams.
    package let aesSecret: [UInt8]
    /// mac-secret: key of the one-block AES-256 MAC whitening.
    package let macSecret: [UInt8]
    /// Keccak state that MACs what we send.
    package var egressMAC: Keccak256.Hasher
    /// Keccak state that MACs what we receive.
    package var ingressMAC: Keccak256.Hasher

    /// Injects secrets directly (tests, the golden-frame vector).
    package init(aesSecret: [UInt8], macSecret: [UInt8], egressMAC: Keccak256.Hasher, ingressMAC: Keccak256.Hasher) {
        self.aesSecret = aesSecret
        self.macSecret = macSecret
        self.egressMAC = egressMAC
        self.ingressMAC = ingressMAC
    }

    /// Derives the secrets and initial MAC states exactly as spec §6 says.
    ///
    /// - Parameters:
    ///   - ephemeralSharedSecret: ECDH(own ephemeral key, remote ephemeral key), 32 bytes.
    ///   - initiatorNonce: the initiator's 32-byte nonce.
    ///   - recipientNonce: the recipient's 32-byte nonce.
    ///   - authPacket: auth as sent on the wire (with its 2-byte size prefix in EIP-8).
    ///   - ackPacket: ack as sent on the wire (likewise).
    ///   - isInitiator: which side is asking; it decides which state is egress.
    package static func derive(
        ephemeralSharedSecret: [UInt8],
        initiatorNonce: [UInt8],
        recipientNonce: [UInt8],
        authPacket: [UInt8],
        ackPacket: [UInt8],
        isInitiator: Bool
    ) -> SessionSecrets {
        // Recipient nonce first, on both sides (spec §14).
        let nonceHash = Keccak256.hash(recipientNonce + initiatorNonce).bytes
        let sharedSecret = Keccak256.hash(ephemeralSharedSecret + nonceHash).bytes
        let aesSecret = Keccak256.hash(ephemeralSharedSecret + sharedSecret).bytes
        let macSecret = Keccak256.hash(ephemeralSharedSecret + aesSecret).bytes

        var m1 = Keccak256.Hasher()
        m1.update(xor(macSecret, recipientNonce))
        m1.update(authPacket)
        var m2 = Keccak256.Hasher()
        m2.update(xor(macSecret, initiatorNonce))
        m2.update(ackPacket)
        return isInitiator
            ? SessionSecrets(aesSecret: aesSecret, macSecret: macSecret, egressMAC: m1, ingressMAC: m2)
            : SessionSecrets(aesSecret: aesSecret, macSecret: macSecret, egressMAC: m2, ingressMAC: m1)
    }

    public var description: String { "SessionSecrets(<redacted>)" }
}

/// Byte-wise XOR of two equal-length arrays.
@inline(__always)
func xor(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
    precondition(a.count == b.count, "xor of unequal lengths")
    var out = a
    for index in out.indices { out[index] ^= b[index] }
    return out
}
