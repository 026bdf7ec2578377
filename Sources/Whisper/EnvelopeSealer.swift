import HeraldCrypto

/// Seals payloads into Whisper v6 envelopes the way geth v1.9.20's `Wrap`
/// and `Seal` do: build the message (flags, little-endian size, payload,
/// padding), sign it if a key is given, encrypt it, wrap it in an envelope
/// with `expiry = now + ttl`, and search a nonce only for a PoW target > 0.
///
/// ```swift
/// let sealer = EnvelopeSealer(topic: Topic(name: "herald/consortium-a"),
///                             encryption: .symmetric(key), signingKey: nodeKey,
///                             timeToLive: 60)
/// let envelope = try sealer.seal(announcement, now: unixNow)
/// ```
public struct EnvelopeSealer: Sendable {
    /// How the message is encrypted.
    public enum Encryption: Sendable {
        /// AES-256-GCM under a shared key; `data = ciphertext ‖ tag ‖ nonce (12)`.
        case symmetric(SymmetricKey)
        /// ECIES (secp256k1, AES-128-CTR, HMAC-SHA256) to one recipient.
        case asymmetric(recipient: Secp256k1.PublicKey)
    }

    /// The envelope topic.
    public var topic: Topic
    /// The encryption.
    public var encryption: Encryption
    /// Signs the message when set (v = 0/1, as geth).
    public var signingKey: Secp256k1.PrivateKey?
    /// Envelope TTL in seconds (at least 1).
    public var timeToLive: UInt32
    /// PoW target; 0 means no nonce search at all (nonce 0).
    public var proofOfWorkTarget: Double
    /// Longest time a nonce search may take.
    public var maxWorkTime: Duration
    /// Largest envelope ``Envelope/size`` to produce (geth's default limit).
    public var maxEnvelopeSize: Int

    /// Source of padding bytes and GCM nonces; the OS CSPRNG. Tests replace it.
    package var randomBytes: @Sendable (Int) -> [UInt8] = { SecureRandom.bytes(count: $0) }

    /// A sealer; by default without PoW (nonce 0, no search) and with geth's size limit.
    public init(topic: Topic, encryption: Encryption, signingKey: Secp256k1.PrivateKey?,
                timeToLive: UInt32 = WhisperProtocol.defaultTimeToLive,
                proofOfWorkTarget: Double = 0, maxWorkTime: Duration = .seconds(5),
                maxEnvelopeSize: Int = WhisperProtocol.defaultMaxMessageSize) {
        self.topic = topic
        self.encryption = encryption
        self.signingKey = signingKey
        self.timeToLive = timeToLive
        self.proofOfWorkTarget = proofOfWorkTarget
        self.maxWorkTime = maxWorkTime
        self.maxEnvelopeSize = maxEnvelopeSize
    }

    /// Seals `payload` with random padding as geth chooses it (1...256
    /// bytes, so that the plaintext with its signature is a multiple of 256).
    ///
    /// - Parameters:
    ///   - payload: the application bytes (below 16 MiB).
    ///   - now: the send time, Unix seconds; `expiry = now + ttl`.
    /// - Returns: the envelope, nonce 0 unless a PoW target is set.
    /// - Throws: ``SealError``.
    public func seal(_ payload: some Collection<UInt8>, now: UInt32) throws(SealError) -> Envelope {
        try seal(payload, padding: nil, now: now)
    }

    /// Seals `payload` with caller-chosen padding, used verbatim (no alignment).
    public func seal(_ payload: some Collection<UInt8>, padding: [UInt8], now: UInt32) throws(SealError) -> Envelope {
        try seal(payload, padding: Optional(padding), now: now)
    }

    private func seal(_ payload: some Collection<UInt8>, padding explicitPadding: [UInt8]?,
                      now: UInt32) throws(SealError) -> Envelope {
        guard timeToLive > 0 else {
            throw .zeroTimeToLive
        }
        let (expiry, overflow) = now.addingReportingOverflow(timeToLive)
        guard !overflow else {
            throw .expiryOverflow(now: now, timeToLive: timeToLive)
        }
        guard proofOfWorkTarget.isFinite, proofOfWorkTarget >= 0 else {
            throw .invalidProofOfWorkTarget(proofOfWorkTarget)
        }
        let overhead: Int
        switch encryption {
        case .symmetric:
            guard topic != .zero else {
                throw .zeroTopic
            }
            overhead = EnvelopeSealer.gcmTagLength + EnvelopeSealer.gcmNonceLength
        case .asymmetric:
            overhead = ECIES.overhead
        }
        let payloadCount = payload.count
        guard payloadCount <= MessageLayout.maxPayloadCount else {
            throw .payloadTooLarge(byteCount: payloadCount)
        }
        let signed = signingKey != nil
        let paddingCount = explicitPadding?.count
            ?? MessageLayout.automaticPaddingLength(payloadCount: payloadCount, signed: signed)
        let size = Envelope.headerSize + overhead
            + MessageLayout.plaintextLength(payloadCount: payloadCount, paddingCount: paddingCount, signed: signed)
        guard size <= maxEnvelopeSize else {
            throw .envelopeTooLarge(size: size, limit: maxEnvelopeSize)
        }

        let padding = explicitPadding ?? randomBytes(paddingCount)
        let plaintext = try MessageLayout.build(payload: payload, padding: padding, signingKey: signingKey)

        let data: [UInt8]
        switch encryption {
        case let .symmetric(key):
            let nonce = randomBytes(EnvelopeSealer.gcmNonceLength)
            var sealed: [UInt8]
            do throws(AES.Error) {
                sealed = try AES.GCM.seal(plaintext, key: key.rawRepresentation, nonce: nonce)
            } catch {
                throw .encryptionFailed(error)
            }
            sealed.append(contentsOf: nonce)
            data = sealed
        case let .asymmetric(recipient):
            data = ECIES.seal(plaintext, to: recipient)
        }

        var envelope = Envelope(expiry: expiry, timeToLive: timeToLive, topic: topic, data: data, nonce: 0)
        if proofOfWorkTarget > 0 {
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: maxWorkTime)
            try envelope.findNonce(reaching: proofOfWorkTarget) { clock.now >= deadline }
        }
        return envelope
    }

    static let gcmNonceLength = 12
    static let gcmTagLength = 16
}
