import HeraldCrypto

/// A consortium's membership policy, loaded from YAML by ``PolicyLoader``.
///
/// The same file is in force on every agent; ``hash`` identifies what it
/// means (not how it is written). Sets (roles, identities, networks, ports)
/// are kept sorted, so equal policies compare equal.
public struct Policy: Hashable, Sendable {
    /// The consortium: its name and where its shared key is kept.
    public struct Consortium: Hashable, Sendable {
        /// The name announcements carry and the Whisper topic derives from.
        public var name: String
        /// A reference to the symmetric consortium key (e.g. `file:/etc/herald/consortium.key`).
        public var keyReference: String
    }

    /// A node the policy knows by its node ID.
    public struct Identity: Hashable, Sendable {
        /// The node's address.
        public var node: NodeID
        /// A human name, unique within the policy.
        public var name: String
        /// The organisation operating the node.
        public var organisation: String
        /// Roles granted to the node, sorted.
        public var roles: [String]
        /// Whether the node is a member from the start.
        public var isGenesis: Bool
        /// The node's enode URL, canonical form; required for genesis members.
        public var enode: String?
    }

    /// Who may admit or remove another node, and with how many approvals.
    public struct ApprovalRule: Hashable, Sendable {
        /// Roles whose holders may announce for another node; empty means any member.
        public var announcerRoles: [String]
        /// Distinct approvals needed (the announcer counts when it holds an approver role).
        public var approvals: Int
        /// Roles whose approvals count.
        public var approverRoles: [String]
    }

    /// Who may announce what.
    public struct Rules: Hashable, Sendable {
        /// A listed identity may announce its own join without approvals.
        public var selfJoin: Bool
        /// A member may announce its own leave without approvals.
        public var selfLeave: Bool
        /// Joins of another node, or of an unlisted node by itself.
        public var admission: ApprovalRule
        /// Leaves of another node, or self-leaves when `selfLeave` is false.
        public var removal: ApprovalRule
        /// Consortium policy changes (`herald policy propose`); nil when the
        /// policy has no `policy-change:` section, and then a majority of
        /// the validators must approve (see ``policyChangeRule(validators:)``).
        public var policyChange: ApprovalRule?

        /// Creates rules.
        public init(selfJoin: Bool, selfLeave: Bool, admission: ApprovalRule, removal: ApprovalRule, policyChange: ApprovalRule? = nil) {
            self.selfJoin = selfJoin
            self.selfLeave = selfLeave
            self.admission = admission
            self.removal = removal
            self.policyChange = policyChange
        }
    }

    /// The rule a policy change is approved by, when `validators` members hold
    /// the validator role: the `policy-change:` section, or else approvals from
    /// a majority of the validators (at least one).
    public func policyChangeRule(validators: Int) -> ApprovalRule {
        rules.policyChange ?? ApprovalRule(announcerRoles: [], approvals: max(1, validators / 2 + 1), approverRoles: [limits.validatorRole])
    }

    /// Where members' nodes and agents may be: empty lists allow anything.
    public struct EndpointRules: Hashable, Sendable {
        /// Allowed networks, canonical (host bits clear), sorted.
        public var networks: [CIDR]
        /// Allowed TCP port ranges, sorted.
        public var ports: [ClosedRange<UInt16>]

        /// True when `host` and `port` satisfy both rules.
        public func allows(host: String, port: UInt16) -> Bool {
            let portAllowed = ports.isEmpty || ports.contains { $0.contains(port) }
            guard portAllowed else { return false }
            guard !networks.isEmpty else { return true }
            guard let address = IPAddress(host) else { return false }
            return networks.contains { $0.contains(address) }
        }
    }

    /// Bounds a membership change may not break.
    public struct Limits: Hashable, Sendable {
        /// A leave that would leave fewer validators than this is rejected.
        public var minValidators: Int
        /// The role counted as a validator.
        public var validatorRole: String
        /// A join that would exceed this many members is rejected; nil for no bound.
        public var maxMembers: Int?
    }

    /// Delivery timing, in seconds.
    public struct Delivery: Hashable, Sendable {
        /// Whisper envelope TTL.
        public var envelopeTTL: UInt64
        /// How long an announcement stays valid after issue (expires-at − issued-at).
        public var announcementTTL: UInt64
        /// First retry delay.
        public var retryBase: UInt64
        /// Largest retry delay.
        public var retryMax: UInt64
        /// Stop resending after this long.
        public var giveUpAfter: UInt64
        /// How far in the future an announcement's issued-at may be on receipt.
        public var maxClockSkew: UInt64
    }

    /// Whisper and RLPx transport settings.
    public struct Transport: Hashable, Sendable {
        /// Minimum envelope proof of work (0: none, the permissioned default).
        public var minPoW: Double
        /// Largest devp2p message, in bytes.
        public var maxMessageSize: Int
        /// Largest Whisper envelope, in bytes.
        public var maxEnvelopeSize: Int
    }

    /// The policy format version (1).
    public var version: Int
    /// Consortium name and key reference.
    public var consortium: Consortium
    /// Every role the policy knows, sorted.
    public var roles: [String]
    /// Known identities, sorted by node ID.
    public var identities: [Identity]
    /// Who may announce what.
    public var rules: Rules
    /// Allowed networks and ports.
    public var endpoints: EndpointRules
    /// Limits on membership changes.
    public var limits: Limits
    /// Delivery timing.
    public var delivery: Delivery
    /// Transport settings.
    public var transport: Transport

    /// The identity with `node`, if the policy lists it (binary search: identities are sorted).
    public func identity(_ node: NodeID) -> Identity? {
        var low = 0, high = identities.count
        while low < high {
            let mid = (low + high) / 2
            if identities[mid].node < node { low = mid + 1 } else { high = mid }
        }
        return low < identities.count && identities[low].node == node ? identities[low] : nil
    }

    /// Why this policy may not replace `current` by a consortium policy change, or nil:
    /// the consortium name and key reference stay (changing them needs every agent
    /// restarted together, with a new log or key).
    public func refusalToReplace(_ current: Policy) -> String? {
        if consortium.name != current.consortium.name {
            return "it changes the consortium name from '\(current.consortium.name)' to '\(consortium.name)'"
        }
        if consortium.keyReference != current.consortium.keyReference {
            return "it changes the consortium key from '\(current.consortium.keyReference)' to '\(consortium.keyReference)'"
        }
        return nil
    }

    /// keccak256 of the canonical encoding (see ``canonicalEncoding``).
    public var hash: PolicyHash {
        PolicyHash(value: .keccak(canonicalEncoding))
    }
}
