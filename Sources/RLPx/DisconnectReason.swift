/// The reason carried by a p2p Disconnect message (spec §9.2).
///
/// A struct rather than an enum: unknown reason numbers are tolerated on
/// receipt (geth does the same) and must survive to the logs.
public struct DisconnectReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The wire value.
    public var rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// 0x00: disconnect requested.
    public static let requested = DisconnectReason(rawValue: 0x00)
    /// 0x01: TCP sub-system / network error.
    public static let networkError = DisconnectReason(rawValue: 0x01)
    /// 0x02: breach of protocol (malformed message, bad RLP, bad MAC…).
    public static let protocolError = DisconnectReason(rawValue: 0x02)
    /// 0x03: useless peer (no shared capability; Herald also uses it for peers not on the allowlist).
    public static let uselessPeer = DisconnectReason(rawValue: 0x03)
    /// 0x04: too many peers.
    public static let tooManyPeers = DisconnectReason(rawValue: 0x04)
    /// 0x05: already connected.
    public static let alreadyConnected = DisconnectReason(rawValue: 0x05)
    /// 0x06: incompatible p2p protocol version.
    public static let incompatibleVersion = DisconnectReason(rawValue: 0x06)
    /// 0x07: null or invalid node identity.
    public static let invalidIdentity = DisconnectReason(rawValue: 0x07)
    /// 0x08: client quitting.
    public static let quitting = DisconnectReason(rawValue: 0x08)
    /// 0x09: unexpected identity in handshake.
    public static let unexpectedIdentity = DisconnectReason(rawValue: 0x09)
    /// 0x0a: connected to self.
    public static let connectedToSelf = DisconnectReason(rawValue: 0x0a)
    /// 0x0b: ping / read timeout.
    public static let readTimeout = DisconnectReason(rawValue: 0x0b)
    /// 0x10: reason specific to a sub-protocol.
    public static let subprotocolError = DisconnectReason(rawValue: 0x10)
    /// 0xff: geth's internal value for an undecodable Disconnect payload.
    public static let invalid = DisconnectReason(rawValue: 0xff)

    /// geth's wording (`p2p/peer_error.go`), so logs read alike on both sides.
    public var description: String {
        switch rawValue {
        case 0x00: return "disconnect requested"
        case 0x01: return "network error"
        case 0x02: return "breach of protocol"
        case 0x03: return "useless peer"
        case 0x04: return "too many peers"
        case 0x05: return "already connected"
        case 0x06: return "incompatible p2p protocol version"
        case 0x07: return "invalid node identity"
        case 0x08: return "client quitting"
        case 0x09: return "unexpected identity"
        case 0x0a: return "connected to self"
        case 0x0b: return "read timeout"
        case 0x10: return "subprotocol error"
        case 0xff: return "invalid disconnect reason"
        default: return "unknown disconnect reason \(rawValue)"
        }
    }
}
