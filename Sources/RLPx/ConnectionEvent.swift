import HeraldCrypto
import Whisper

/// Which side opened the TCP connection.
public enum ConnectionDirection: String, Sendable {
    /// We dialled.
    case outbound
    /// The peer dialled our listener.
    case inbound
}

/// What happened to a connection, for logs and metrics. Carries no key
/// material and no message contents.
public enum ConnectionEvent: Sendable, CustomStringConvertible {
    /// Handshake, allowlist check and Hello exchange succeeded.
    case established(PeerInfo)
    /// The connection was refused before it was established: failed
    /// handshake, a node not on the allowlist, a wrong identity, a bad Hello
    /// or a timeout. `nodeID` is nil when the handshake did not get that far.
    case refused(direction: ConnectionDirection, remoteAddress: String, nodeID: NodeID?, reason: String)
    /// An established connection ended.
    case closed(PeerInfo, cause: CloseCause)

    public var description: String {
        switch self {
        case .established(let peer):
            return "connected \(peer.direction.rawValue) to node \(peer.nodeID) at \(peer.remoteAddress) (\(peer.clientID))"
        case .refused(let direction, let address, let nodeID, let reason):
            let who = nodeID.map { "node \($0) at \(address)" } ?? address
            return "refused \(direction.rawValue) connection with \(who): \(reason)"
        case .closed(let peer, let cause):
            return "disconnected from node \(peer.nodeID) at \(peer.remoteAddress): \(cause)"
        }
    }
}

/// Why an established connection ended.
public enum CloseCause: Sendable, Equatable, CustomStringConvertible {
    /// We sent Disconnect with this reason.
    case localDisconnect(DisconnectReason)
    /// The peer sent Disconnect with this reason.
    case remoteDisconnect(DisconnectReason)
    /// A protocol or transport error (bad MAC, oversized frame, …).
    case error(String)
    /// The socket closed without a Disconnect.
    case connectionClosed

    public var description: String {
        switch self {
        case .localDisconnect(let reason): return "we disconnected (\(reason))"
        case .remoteDisconnect(let reason): return "peer disconnected (\(reason))"
        case .error(let message): return message
        case .connectionClosed: return "connection closed"
        }
    }
}

/// The identity and negotiated parameters of an established peer.
public struct PeerInfo: Sendable, Hashable {
    /// The peer's static public key, as proven by the handshake.
    public var publicKey: Secp256k1.PublicKey
    /// keccak256 of `publicKey`.
    public var nodeID: NodeID { publicKey.nodeID }
    public var direction: ConnectionDirection
    /// `ip:port` of the socket peer.
    public var remoteAddress: String
    /// Client name from the peer's Hello.
    public var clientID: String
    /// p2p version from the peer's Hello.
    public var protocolVersion: UInt64
    /// Whether Snappy is on for this connection (both sides at p2p v5+).
    public var snappy: Bool
    /// Capabilities both sides run, with their id offsets.
    public var capabilities: CapabilityTable
    /// The peer's `shh/6` Status (PoW requirement, bloom), when the exchange ran.
    public var whisperStatus: WhisperStatus?
}

/// Why a connection could not be used.
public enum SessionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The peer's first message was not a Hello (or Disconnect).
    case expectedHello(messageID: UInt64)
    /// A second Hello after the exchange.
    case duplicateHello
    /// The Hello payload exceeds 2048 bytes.
    case helloTooLarge(size: Int)
    /// The Hello did not decode.
    case malformedHello(String)
    /// The Hello's node ID is not 64 bytes or is all zero.
    case invalidIdentity
    /// The Hello's node ID differs from the key proven in the handshake.
    case helloIdentityMismatch
    /// No capability in common.
    case noSharedCapability
    /// The peer disconnected with this reason.
    case disconnected(DisconnectReason)
    /// A message id that belongs to no shared capability.
    case unknownMessageID(UInt64)
    /// A message to send names a capability that is not shared, or an id beyond its range.
    case unsupportedMessage(capability: String, id: UInt64)
    /// The peer sent nothing within the idle timeout.
    case idleTimeout
    /// The Hello exchange did not finish within the handshake deadline.
    case helloTimeout
    /// The connection closed before it was established.
    case connectionClosed
    /// The capability's status exchange failed.
    case statusFailed(String)

    public var description: String {
        switch self {
        case .expectedHello(let id): return "expected Hello as the first message, got message 0x\(String(id, radix: 16))"
        case .duplicateHello: return "peer sent a second Hello"
        case .helloTooLarge(let size): return "Hello of \(size) bytes exceeds the limit of \(BaseProtocol.maxHelloSize) bytes"
        case .malformedHello(let reason): return "malformed Hello: \(reason)"
        case .invalidIdentity: return "Hello carries a null or invalid node identity"
        case .helloIdentityMismatch: return "Hello node ID differs from the key proven in the handshake"
        case .noSharedCapability: return "no capability in common"
        case .disconnected(let reason): return "peer disconnected: \(reason)"
        case .unknownMessageID(let id): return "message id 0x\(String(id, radix: 16)) belongs to no shared capability"
        case .unsupportedMessage(let capability, let id): return "cannot send message \(id) of capability '\(capability)': not shared or out of range"
        case .idleTimeout: return "no message from the peer within the idle timeout"
        case .helloTimeout: return "Hello exchange did not complete in time"
        case .connectionClosed: return "connection closed"
        case .statusFailed(let reason): return "status exchange failed: \(reason)"
        }
    }
}
