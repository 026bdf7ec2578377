/// Constants of the `shh/6` capability (EIP-627) with go-ethereum v1.9.20's
/// defaults, where the protocol leaves a value to the implementation.
public enum WhisperProtocol {
    /// Capability name announced in the devp2p Hello.
    public static let name = "shh"
    /// Capability version.
    public static let version: UInt64 = 6
    /// Message ids the capability reserves (local codes `0..<128`).
    public static let messageCodeCount: UInt64 = 128

    /// geth's default limit on a packet's message-data and an envelope's
    /// ``Envelope/size`` (1 MiB).
    public static let defaultMaxMessageSize = 1 << 20
    /// geth's hard cap on the configurable limit (10 MiB).
    public static let maxMessageSize = 10 << 20

    /// How far in the future an envelope's send time may lie (seconds).
    public static let futureTolerance: UInt32 = 10
    /// How long after expiry an envelope is dropped silently rather than
    /// treated as a protocol error (seconds).
    public static let expiryGrace: UInt32 = 20
    /// Envelope time-to-live geth's API uses when given 0 (seconds).
    public static let defaultTimeToLive: UInt32 = 50
}
