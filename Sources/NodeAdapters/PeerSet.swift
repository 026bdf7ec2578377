import HeraldCrypto

/// One member of the consortium as the node adapters see it: enough to
/// allowlist and dial the member's node.
///
/// The agent maps its member list (from `Membership`) into these values.
public struct PeerSetMember: Hashable, Sendable {
    /// The member's node ID (keccak256 of its public key).
    public var nodeID: NodeID { enode.nodeID }
    /// Where the member's node listens, with its public key.
    public var enode: Enode
    /// Human-readable name from the policy, if any (used in logs and by `exec`).
    public var name: String?
    /// The member's roles from the policy (e.g. `validator`).
    public var roles: [String]
    /// GoQuorum Raft port (`?raftport=`), only used by the `goquorum-files` adapter.
    public var raftPort: UInt16?

    /// Creates a member.
    public init(enode: Enode, name: String? = nil, roles: [String] = [], raftPort: UInt16? = nil) {
        self.enode = enode
        self.name = name
        self.roles = roles
        self.raftPort = raftPort
    }
}

/// The peer set an adapter must make the local node match: every current
/// member (the local node included) and the local node's own identity.
public struct DesiredPeerSet: Hashable, Sendable {
    /// The members, in any order; adapters sort by node ID when they write.
    public var members: [PeerSetMember]
    /// The node this agent sits beside.
    public var localNodeID: NodeID

    /// Creates a desired peer set. When two members share a public key the
    /// first one wins.
    public init(members: [PeerSetMember], localNodeID: NodeID) {
        var seen = Set<NodeID>()
        self.members = members
            .filter { seen.insert($0.nodeID).inserted }
            .sorted { $0.nodeID < $1.nodeID }
        self.localNodeID = localNodeID
    }

    /// The members other than the local node.
    public var remoteMembers: [PeerSetMember] {
        members.filter { $0.nodeID != localNodeID }
    }

    /// Whether the local node is itself a member.
    public var containsLocalNode: Bool {
        members.contains { $0.nodeID == localNodeID }
    }
}
