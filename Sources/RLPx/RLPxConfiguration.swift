import HeraldCrypto
import Whisper

/// Everything an RLPx node needs to accept and dial peers.
public struct RLPxConfiguration: Sendable {
    /// Timeouts of spec §11. Defaults are geth's; tests shorten them.
    public struct Timeouts: Sendable {
        /// From TCP connect to the peer's Hello (auth/ack, then the Hello
        /// exchange): geth's `handshakeTimeout`, which it intends to cover Hello too.
        public var handshake: Duration = .seconds(5)
        /// Interval between our Pings (geth `pingInterval`).
        public var pingInterval: Duration = .seconds(15)
        /// Longest wait for the next complete message (geth `frameReadTimeout`).
        /// Measured per message, so a peer trickling bytes does not reset it.
        public var idle: Duration = .seconds(30)
        /// Time a Disconnect gets to be written before the socket is closed (geth `discWriteTimeout`).
        public var disconnectWrite: Duration = .seconds(1)
        /// TCP connect timeout when dialling (geth `defaultDialTimeout`).
        public var dial: Duration = .seconds(15)

        public init() {}
    }

    /// Size limits (spec §11, last paragraph).
    public struct Limits: Sendable {
        /// Largest incoming frame-size accepted (≤ 0xFFFFFF).
        public var maxFrameSize: Int = FrameCodec.maxFrameSize
        /// Largest message after Snappy decompression (≤ 0xFFFFFF), checked before decompressing.
        public var maxMessageSize: Int = Snappy.maxUncompressedSize
        /// Inbound connections in their handshake at once; more are closed on accept.
        public var maxPendingHandshakes: Int = 64
        /// Inbound connections open at once from one remote IP address; more are closed on accept.
        public var maxConnectionsPerAddress: Int = 32

        public init() {}

        /// The smallest frame limit that still admits every message of up to
        /// `messageSize` bytes, compressed or not: Snappy's worst case for it
        /// plus the message id. A peer announcing a larger frame is dropped on
        /// its header, before anything is buffered for it.
        public static func frameSize(carrying messageSize: Int) -> Int {
            min(FrameCodec.maxFrameSize, Snappy.maxCompressedLength(messageSize) + 9)
        }
    }

    /// Our node key; its public key is our identity.
    public var privateKey: Secp256k1.PrivateKey
    /// Client name sent in Hello.
    public var clientID: String
    /// Capabilities we run, with their message-id counts.
    public var protocols: [LocalProtocol]
    /// The allowlist: asked with the remote node ID as soon as the handshake
    /// reveals it, before any message is read. `false` → Disconnect, close.
    public var isAllowed: @Sendable (NodeID) -> Bool
    /// p2p version advertised in Hello: 5 enables Snappy; 4 is for tests and old peers.
    public var p2pVersion: UInt64 = BaseProtocol.version
    /// The `shh/6` Status we announce right after Hello when both sides run
    /// shh. The peer's first shh message must then be a valid Status (version
    /// 6) before the connection is handed out; otherwise it is dropped with
    /// `subprotocolError`. nil skips the exchange (tests of raw capability traffic).
    public var whisperStatus: WhisperStatus? = WhisperStatus()
    /// Reason sent to a peer refused by `isAllowed`.
    public var refusalReason: DisconnectReason = .uselessPeer
    public var timeouts = Timeouts()
    public var limits = Limits()

    public init(privateKey: Secp256k1.PrivateKey, clientID: String, protocols: [LocalProtocol],
                isAllowed: @escaping @Sendable (NodeID) -> Bool) {
        self.privateKey = privateKey
        self.clientID = clientID
        self.protocols = protocols
        self.isAllowed = isAllowed
    }
}

extension Duration {
    /// Whole nanoseconds, saturating, for NIO's `TimeAmount`.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
