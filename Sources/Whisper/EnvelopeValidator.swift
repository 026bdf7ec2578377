/// The checks a node applies to every envelope it receives (spec §5.3),
/// in geth v1.9.20's order, with geth's defaults.
///
/// Time is passed in (`now`), so results are deterministic.
public struct EnvelopeValidator: Sendable {
    /// Largest accepted ``Envelope/size`` (`20 + len(data)`); geth's default is 1 MiB.
    public var maxEnvelopeSize: Int
    /// The node's minimum PoW; 0 accepts every envelope.
    public var minimumProofOfWork: Double
    /// A previous minimum still tolerated while peers catch up (geth keeps
    /// it for 10 s after a change); `nil` for none.
    public var toleratedMinimumProofOfWork: Double?
    /// The node's advertised bloom; `nil` accepts every topic.
    public var bloom: TopicBloom?
    /// A previous bloom still tolerated while peers catch up; `nil` for none.
    public var toleratedBloom: TopicBloom?
    /// Accepted TTLs (a Herald limit; geth's default accepts all).
    public var timeToLiveRange: ClosedRange<UInt32>
    /// Seconds a send time may lie in the future (geth: 10).
    public var futureTolerance: UInt32
    /// Seconds after expiry during which an envelope is dropped silently
    /// rather than rejected as a protocol error (geth: 20).
    public var expiryGrace: UInt32

    /// A validator with geth's defaults unless told otherwise.
    public init(maxEnvelopeSize: Int = WhisperProtocol.defaultMaxMessageSize,
                minimumProofOfWork: Double = 0,
                toleratedMinimumProofOfWork: Double? = nil,
                bloom: TopicBloom? = nil,
                toleratedBloom: TopicBloom? = nil,
                timeToLiveRange: ClosedRange<UInt32> = 0...UInt32.max,
                futureTolerance: UInt32 = WhisperProtocol.futureTolerance,
                expiryGrace: UInt32 = WhisperProtocol.expiryGrace) {
        self.maxEnvelopeSize = maxEnvelopeSize
        self.minimumProofOfWork = minimumProofOfWork
        self.toleratedMinimumProofOfWork = toleratedMinimumProofOfWork
        self.bloom = bloom
        self.toleratedBloom = toleratedBloom
        self.timeToLiveRange = timeToLiveRange
        self.futureTolerance = futureTolerance
        self.expiryGrace = expiryGrace
    }

    /// Checks a received envelope.
    ///
    /// Order: TTL range; sent in the future (beyond the tolerance: error;
    /// within it: PoW recomputed with the TTL lengthened by `sent - now + 1`);
    /// expired (beyond the grace: ``EnvelopeError/expired(expiry:receivedAt:)``,
    /// within: ``EnvelopeError/recentlyExpired(expiry:receivedAt:)``, which is
    /// not a protocol violation); size; PoW; bloom. All arithmetic on times
    /// wraps at 32 bits, as in geth.
    ///
    /// - Parameters:
    ///   - envelope: the decoded envelope.
    ///   - now: the receive time, Unix seconds.
    /// - Returns: the envelope's PoW as geth computes it on receipt.
    /// - Throws: ``EnvelopeError`` for the first check that fails.
    public func validate(_ envelope: Envelope, now: UInt32) throws(EnvelopeError) -> Double {
        guard timeToLiveRange.contains(envelope.timeToLive) else {
            throw .timeToLiveOutOfRange(timeToLive: envelope.timeToLive, allowed: timeToLiveRange)
        }
        let sent = envelope.sent
        var extensionSeconds: UInt32 = 0
        if sent > now {
            if sent &- futureTolerance > now {
                throw .sentInFuture(sent: sent, receivedAt: now, tolerance: futureTolerance)
            }
            extensionSeconds = sent - now + 1
        }
        if envelope.expiry < now {
            if envelope.expiry &+ expiryGrace < now {
                throw .expired(expiry: envelope.expiry, receivedAt: now)
            }
            throw .recentlyExpired(expiry: envelope.expiry, receivedAt: now)
        }
        guard envelope.size <= maxEnvelopeSize else {
            throw .tooLarge(size: envelope.size, limit: maxEnvelopeSize)
        }
        let proofOfWork = envelope.proofOfWork(timeToLiveExtension: extensionSeconds)
        if proofOfWork < minimumProofOfWork {
            if let tolerated = toleratedMinimumProofOfWork, proofOfWork >= tolerated {
                // A recently lowered requirement peers have not seen yet.
            } else {
                throw .insufficientProofOfWork(proofOfWork: proofOfWork, required: minimumProofOfWork)
            }
        }
        if let bloom {
            let topicBloom = envelope.bloom
            if !bloom.contains(topicBloom) && !(toleratedBloom?.contains(topicBloom) ?? false) {
                throw .topicNotInBloom(topic: envelope.topic)
            }
        }
        return proofOfWork
    }
}
