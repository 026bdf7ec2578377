import HeraldCrypto

/// Opens Whisper v6 envelopes: decrypts the data, parses the message
/// strictly, and recovers the signer.
///
/// Opening costs one AES-GCM open (or ECIES decryption), one keccak256 of
/// the signed bytes and one public-key recovery; nothing is re-encoded and
/// the payload is not copied out of the plaintext.
public struct EnvelopeOpener: Sendable {
    /// The key to try.
    public enum Decryption: Sendable {
        /// AES-256-GCM; the 12-byte nonce is the last 12 bytes of `data`.
        case symmetric(SymmetricKey)
        /// ECIES with this node's private key.
        case asymmetric(Secp256k1.PrivateKey)
    }

    /// The key to try.
    public var decryption: Decryption
    /// Whether unsigned messages are refused (``OpenError/unsigned``).
    public var requiresSignature: Bool

    /// An opener for one key.
    public init(decryption: Decryption, requiresSignature: Bool = false) {
        self.decryption = decryption
        self.requiresSignature = requiresSignature
    }

    /// Decrypts and parses `envelope`.
    ///
    /// Time, size and PoW checks are ``EnvelopeValidator``'s; they are not
    /// repeated here.
    ///
    /// - Returns: the payload, signer, topic, send time and PoW.
    /// - Throws: ``OpenError``; ``OpenError/decryptionFailed`` means the
    ///   envelope is not for this key (or was altered).
    public func open(_ envelope: Envelope) throws(OpenError) -> OpenedMessage {
        let data = envelope.data
        let plaintext: [UInt8]
        switch decryption {
        case let .symmetric(key):
            let minimum = EnvelopeSealer.gcmNonceLength + EnvelopeSealer.gcmTagLength
            guard data.count >= minimum else {
                throw .dataTooShort(byteCount: data.count, minimum: minimum)
            }
            let split = data.count - EnvelopeSealer.gcmNonceLength
            do throws(AES.Error) {
                plaintext = try AES.GCM.open(data[..<split], key: key.rawRepresentation, nonce: data[split...])
            } catch {
                throw .decryptionFailed
            }
        case let .asymmetric(privateKey):
            guard data.count >= ECIES.overhead else {
                throw .dataTooShort(byteCount: data.count, minimum: ECIES.overhead)
            }
            do throws(ECIES.Error) {
                plaintext = try ECIES.open(data, with: privateKey)
            } catch {
                throw .decryptionFailed
            }
        }
        let parsed = try MessageLayout.parse(plaintext, requiresSignature: requiresSignature)
        return OpenedMessage(envelope: envelope, plaintext: plaintext, parsed: parsed)
    }
}
