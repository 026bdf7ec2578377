import HeraldCrypto

/// A decrypted, parsed Whisper message and the envelope it came in.
public struct OpenedMessage: Sendable {
    /// The envelope as received.
    public let envelope: Envelope
    /// The signer's public key, recovered from the message signature;
    /// `nil` for an unsigned message.
    public let signer: Secp256k1.PublicKey?

    private let plaintext: [UInt8]
    private let payloadRange: Range<Int>
    private let paddingRange: Range<Int>

    init(envelope: Envelope, plaintext: [UInt8], parsed: MessageLayout.Parsed) {
        self.envelope = envelope
        self.signer = parsed.signer
        self.plaintext = plaintext
        self.payloadRange = parsed.payload
        self.paddingRange = parsed.padding
    }

    /// The application payload. A slice of the decrypted plaintext (no
    /// copy): its indices start where the payload starts in the plaintext.
    public var payload: ArraySlice<UInt8> { plaintext[payloadRange] }

    /// The padding that followed the payload.
    public var padding: ArraySlice<UInt8> { plaintext[paddingRange] }

    /// The envelope's topic.
    public var topic: Topic { envelope.topic }

    /// Send time, `expiry - ttl` (Unix seconds).
    public var sent: UInt32 { envelope.sent }

    /// The envelope's proof of work (§6.1); computed when asked for, so
    /// opening does not pay for it.
    public var proofOfWork: Double { envelope.proofOfWork() }
}
