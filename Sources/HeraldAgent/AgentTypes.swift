import HeraldCrypto
import Membership

/// What an operator asks the agent to announce.
public struct AnnounceRequest: Codable, Sendable {
    /// `join` or `leave`.
    public var kind: String
    /// The subject node's enode URL.
    public var enode: String
    /// Roles for a join.
    public var roles: [String]
    /// The subject's own agent endpoint (`host:port`), so members can reach it.
    public var agentEndpoint: String?

    public init(kind: String, enode: String, roles: [String] = [], agentEndpoint: String? = nil) {
        self.kind = kind
        self.enode = enode
        self.roles = roles
        self.agentEndpoint = agentEndpoint
    }
}

/// The state of one announcement as `herald status ID` shows it.
public struct AnnouncementStatus: Codable, Sendable, Equatable {
    /// One expected recipient.
    public struct Recipient: Codable, Sendable, Equatable {
        public var node: String
        public var acked: Bool
        /// The decision the recipient logged and acknowledged (it may have changed since,
        /// e.g. a join logged as pending and accepted by a later approval).
        public var decision: String?
        public var attempts: Int
        public var lastError: String?
        /// The joining node's own agent (the subject of a join, or of the join an approval
        /// approves): often not running yet when its admission is announced, so `--wait`
        /// does not wait for it; it catches up through anti-entropy once it starts.
        public var joiner: Bool
    }
    /// Full hex ID.
    public var id: String
    /// This agent's own decision, as of now.
    public var decision: String
    /// Expected recipients (empty when another agent made the announcement).
    public var recipients: [Recipient]
    /// For this agent's own announcement: when it stops resending (Unix time).
    public var giveUpAt: UInt64?
    /// True once the give-up time has passed with recipients still unacknowledged:
    /// no more resends; those recipients can only catch up through anti-entropy.
    public var gaveUp: Bool
    /// Recipients that acknowledged.
    public var acked: Int { recipients.filter(\.acked).count }
    /// The members among the recipients: everyone but the joining node's agent.
    public var members: [Recipient] { recipients.filter { !$0.joiner } }
    /// The joining node's agent, when it is a recipient.
    public var joiningAgent: Recipient? { recipients.first(where: \.joiner) }
}

/// A member as the control API reports it.
public struct MemberInfo: Codable, Sendable, Equatable {
    public var node: String
    public var enode: String
    public var agentEndpoint: String?
    public var roles: [String]
}

/// The member list, its digest and the log head.
public struct MembersInfo: Codable, Sendable, Equatable {
    public var members: [MemberInfo]
    public var digest: String
    public var logEntries: UInt64
    public var logHead: String
}

/// A connected peer.
public struct PeerStatus: Codable, Sendable, Equatable {
    public var node: String
    public var direction: String
    public var address: String
    public var client: String
}

/// What an agent has queued for its peers since it started (for measurements):
/// envelopes and the bytes of the `shh` Messages packets that carry them, before RLPx framing.
public struct WireCounters: Sendable, Equatable {
    /// Announcement and ack envelopes.
    public var deliveryEnvelopes = 0
    public var deliveryBytes = 0
    /// Anti-entropy envelopes (range summaries, entry requests and entry batches).
    public var antiEntropyEnvelopes = 0
    public var antiEntropyBytes = 0
    /// Announcements this agent forwarded (new to it, for linked peers not known to have them);
    /// included in ``deliveryEnvelopes``.
    public var forwardedAnnouncements = 0
    /// Other agents' acks this agent relayed towards their announcer; included in ``deliveryEnvelopes``.
    public var relayedAcks = 0

    public init() {}
}
