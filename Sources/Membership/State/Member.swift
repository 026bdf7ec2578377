import HeraldCrypto
import RLP

/// A current member of the consortium, as the member list shows it.
public struct Member: Hashable, Sendable {
    /// The member's node ID.
    public var node: NodeID
    /// Its enode URL (canonical form), where peers dial it.
    public var enode: String
    /// Its Herald agent endpoint, if it announced one.
    public var agentEndpoint: AgentEndpoint?
    /// Its roles, sorted.
    public var roles: [String]
    /// The accepted announcement that made it a member; nil for a genesis member.
    public var since: AnnouncementID?

    /// Creates a member entry.
    public init(node: NodeID, enode: String, agentEndpoint: AgentEndpoint?, roles: [String], since: AnnouncementID?) {
        self.node = node
        self.enode = enode
        self.agentEndpoint = agentEndpoint
        self.roles = roles
        self.since = since
    }
}

/// keccak256 of the canonical member list: the RLP list, sorted by node ID,
/// of `[node, enode, agentEndpoint, [roles]]` per member. Two agents with the
/// same member list show the same digest.
public struct MembershipDigest: Hashable, Sendable, CustomStringConvertible {
    package let value: Bytes32

    /// The digest of `members` (any order).
    public init(members: some Sequence<Member>) {
        var writer = RLPWriter(reservingCapacity: 256)
        writer.writeList { list in
            for member in members.sorted(by: { $0.node < $1.node }) {
                list.writeList { entry in
                    entry.write(bytes: member.node.rawRepresentation)
                    entry.write(bytes: member.enode.utf8)
                    entry.write(bytes: (member.agentEndpoint?.description ?? "").utf8)
                    entry.writeList { roles in for role in member.roles { roles.write(bytes: role.utf8) } }
                }
            }
        }
        value = .keccak(writer.bytes)
    }

    /// All 64 lowercase hex digits, without `0x`.
    public var hex: String { value.hex }

    /// `0x` and all 64 hex digits.
    public var description: String { "0x" + hex }
}
