import HeraldCrypto

/// Why an RLPx handshake, or the admission right after it, failed.
public enum HandshakeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The 2-byte size prefix announces more than geth's 2048-byte limit.
    case packetTooLarge(size: Int, limit: Int)
    /// The packet is too short to hold an ECIES message.
    case packetTooSmall(size: Int)
    /// ECIES decryption failed (wrong recipient key, tampered or garbage bytes).
    case decryptionFailed(String)
    /// The decrypted body is not a well-formed auth or ack.
    case malformedMessage(String)
    /// A public key in the message is not a point on secp256k1.
    case invalidPublicKey
    /// The auth signature does not recover to a public key.
    case invalidSignature
    /// Legacy auth: keccak256 of the recovered ephemeral key differs from the one sent.
    case ephemeralKeyHashMismatch
    /// The remote node is not on the allowlist.
    case unknownPeer(nodeID: NodeID)
    /// The peer we reached is not the node we dialled.
    case unexpectedIdentity(expected: NodeID, actual: NodeID)
    /// The peer is this node itself.
    case connectedToSelf
    /// The handshake did not finish within its deadline.
    case timeout
    /// Bytes arrived after the handshake had already failed or finished.
    case invalidState

    public var description: String {
        switch self {
        case .packetTooLarge(let size, let limit):
            return "handshake packet of \(size) bytes exceeds the limit of \(limit) bytes"
        case .packetTooSmall(let size):
            return "handshake packet of \(size) bytes is too short to be an ECIES message"
        case .decryptionFailed(let reason):
            return "could not decrypt the handshake packet: \(reason)"
        case .malformedMessage(let reason):
            return "malformed handshake message: \(reason)"
        case .invalidPublicKey:
            return "handshake carries a public key that is not on secp256k1"
        case .invalidSignature:
            return "handshake signature does not recover to a public key"
        case .ephemeralKeyHashMismatch:
            return "legacy auth: the ephemeral key hash does not match the signature"
        case .unknownPeer(let nodeID):
            return "node \(nodeID) is not on the allowlist"
        case .unexpectedIdentity(let expected, let actual):
            return "dialled node \(expected) but reached node \(actual)"
        case .connectedToSelf:
            return "connected to self"
        case .timeout:
            return "handshake did not complete in time"
        case .invalidState:
            return "handshake received data in a finished state"
        }
    }
}
