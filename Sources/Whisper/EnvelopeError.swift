/// Why a received envelope is not accepted (``EnvelopeValidator``), one
/// case per check, in geth's order.
public enum EnvelopeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The TTL is outside the range this node accepts (a Herald limit; geth
    /// checks none).
    case timeToLiveOutOfRange(timeToLive: UInt32, allowed: ClosedRange<UInt32>)
    /// The send time (`expiry - ttl`) is more than the tolerance after the
    /// receive time.
    case sentInFuture(sent: UInt32, receivedAt: UInt32, tolerance: UInt32)
    /// Expired longer ago than the grace period: geth's "very old message".
    case expired(expiry: UInt32, receivedAt: UInt32)
    /// Expired within the grace period: geth drops it silently; not a
    /// protocol violation.
    case recentlyExpired(expiry: UInt32, receivedAt: UInt32)
    /// `20 + len(data)` exceeds the maximum message size.
    case tooLarge(size: Int, limit: Int)
    /// PoW below the node's minimum (and below any tolerated previous minimum).
    case insufficientProofOfWork(proofOfWork: Double, required: Double)
    /// The topic's bloom is not within the node's advertised bloom (nor a
    /// tolerated previous one).
    case topicNotInBloom(topic: Topic)

    /// Whether geth treats this as a protocol error that ends the
    /// connection (`false` only for ``recentlyExpired(expiry:receivedAt:)``).
    public var isProtocolViolation: Bool {
        if case .recentlyExpired = self {
            return false
        }
        return true
    }

    public var description: String {
        switch self {
        case let .timeToLiveOutOfRange(timeToLive, allowed):
            return "envelope TTL of \(timeToLive) s is outside the accepted range \(allowed.lowerBound)...\(allowed.upperBound) s"
        case let .sentInFuture(sent, receivedAt, tolerance):
            let (s, r) = UTCTime.pair(sent, receivedAt)
            return "envelope sent at \(s), more than \(tolerance) s after it was received at \(r)"
        case let .expired(expiry, receivedAt):
            let (e, r) = UTCTime.pair(expiry, receivedAt)
            return "envelope expired at \(e), received at \(r)"
        case let .recentlyExpired(expiry, receivedAt):
            let (e, r) = UTCTime.pair(expiry, receivedAt)
            return "envelope expired at \(e), received at \(r) (within the grace period; dropped)"
        case let .tooLarge(size, limit):
            return "envelope of \(size) bytes exceeds the limit of \(limit) bytes"
        case let .insufficientProofOfWork(proofOfWork, required):
            return "envelope proof of work \(proofOfWork) is below the required \(required)"
        case let .topicNotInBloom(topic):
            return "envelope topic \(topic) is outside the advertised bloom filter"
        }
    }
}
