/// Refuses member lists that would cut the local node off: one without the
/// local node, or one that leaves it no peer. Each check can be waived in the
/// adapter's configuration.
public struct PeerSetGuard: Codable, Hashable, Sendable {
    /// Accept a list in which the local node is the only member (or there are none).
    public var allowNoPeers: Bool
    /// Accept a list that does not contain the local node.
    public var allowDroppingLocalNode: Bool

    /// Both checks on by default.
    public init(allowNoPeers: Bool = false, allowDroppingLocalNode: Bool = false) {
        self.allowNoPeers = allowNoPeers
        self.allowDroppingLocalNode = allowDroppingLocalNode
    }

    /// Throws when `desired` breaks a check that is not waived.
    /// - Throws: ``NodeAdapterError/dropsLocalNode(adapter:nodeID:)`` or ``NodeAdapterError/noPeersLeft(adapter:)``.
    public func check(_ desired: DesiredPeerSet, adapter: String) throws(NodeAdapterError) {
        if !allowDroppingLocalNode && !desired.containsLocalNode {
            throw .dropsLocalNode(adapter: adapter, nodeID: desired.localNodeID.hex)
        }
        if !allowNoPeers && desired.remoteMembers.isEmpty {
            throw .noPeersLeft(adapter: adapter)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case allowNoPeers, allowDroppingLocalNode
    }

    /// Decodes; missing keys keep the safe defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        allowNoPeers = try container.decodeIfPresent(Bool.self, forKey: .allowNoPeers) ?? false
        allowDroppingLocalNode = try container.decodeIfPresent(Bool.self, forKey: .allowDroppingLocalNode) ?? false
    }
}
