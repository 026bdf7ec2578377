/// Everything the status page shows, as one value: `GET /status.json`
/// encodes it and `GET /` renders it (``StatusPageRenderer``), so the page
/// and the JSON cannot disagree. Keys are stable; times are Unix seconds.
public struct StatusReport: Codable, Sendable, Equatable {
    /// A node named as the policy names it (if it does).
    public struct Node: Codable, Sendable, Equatable {
        /// The node ID, 64 hex digits.
        public var node: String
        /// Its name in the policy, if listed.
        public var name: String?
        /// Its organisation in the policy, if listed.
        public var organisation: String?

        /// Creates a node reference.
        public init(node: String, name: String? = nil, organisation: String? = nil) {
            self.node = node
            self.name = name
            self.organisation = organisation
        }
    }

    /// This agent.
    public struct Agent: Codable, Sendable, Equatable {
        /// Its node, name and organisation.
        public var identity: Node
        /// Its enode URL, once listening.
        public var enode: String?
        /// The hash of the policy in force (`0x…`).
        public var policyHash: String
        /// Membership log entries.
        public var logEntries: UInt64
        /// The membership log head (`0x…`).
        public var logHead: String
        /// The member list digest (`0x…`).
        public var digest: String
        /// When it started listening.
        public var startedAt: Double?
        /// Seconds since then.
        public var uptimeSeconds: Double?
        /// When the log's integrity was checked (on open, at start).
        public var logVerifiedAt: Double
        /// Entries that check covered.
        public var logVerifiedEntries: UInt64
        /// Recipients of this agent's announcements yet to acknowledge.
        public var unacknowledgedDeliveries: Int
        /// Anti-entropy entries held until members' acks back them.
        public var heldLateEntries: Int
    }

    /// A current member.
    public struct Member: Codable, Sendable, Equatable {
        /// Node, name and organisation.
        public var identity: Node
        /// Its roles.
        public var roles: [String]
        /// Its node's enode URL.
        public var enode: String
        /// The index of the log entry that made it a member; nil for a genesis member.
        public var sinceLogIndex: UInt64?
        /// The ID of that announcement; nil for a genesis member.
        public var sinceAnnouncement: String?
    }

    /// An announcement that waits for approvals.
    public struct Pending: Codable, Sendable, Equatable {
        /// Full hex ID.
        public var id: String
        /// `join` or `leave`.
        public var kind: String
        /// The node joining or leaving.
        public var subject: Node
        /// Who announced it.
        public var announcer: Node
        /// When it was issued.
        public var issuedAt: UInt64
        /// When it expires.
        public var expiresAt: UInt64
        /// Seconds since it was issued.
        public var ageSeconds: Double
        /// Approvals held so far.
        public var approvalsHeld: Int
        /// Approvals needed in all.
        public var approvalsNeeded: Int
        /// Roles whose approvals count.
        public var approverRoles: [String]
        /// Who has approved.
        public var approvedBy: [Node]
    }

    /// One cell of the delivery matrix: one recipient of one announcement.
    public struct Delivery: Codable, Sendable, Equatable {
        /// What the cell says.
        public enum State: String, Codable, Sendable {
            /// The recipient acknowledged.
            case acked
            /// Not acknowledged yet; still resent.
            case pending
            /// Not acknowledged, and the announcer stopped resending.
            case gaveUp = "gave up"
            /// The node was not an expected recipient of this announcement.
            case notRecipient = "not a recipient"
        }
        /// The recipient's node ID.
        public var node: String
        /// Acked, pending, gave up or not a recipient.
        public var state: State
        /// The recipient's decision, when acked.
        public var decision: String?
        /// Sends so far.
        public var attempts: Int
        /// The last send error, if any.
        public var lastError: String?
    }

    /// One row of the delivery matrix: one of this agent's own announcements.
    public struct Announcement: Codable, Sendable, Equatable {
        /// Full hex ID.
        public var id: String
        /// `join`, `leave` or `approve`.
        public var kind: String
        /// The node it is about.
        public var subject: Node
        /// This agent's decision, as of now.
        public var decision: String
        /// When it was made.
        public var createdAt: UInt64
        /// One cell per column of ``DeliveryMatrix/columns``, in that order.
        public var cells: [Delivery]
    }

    /// The last announcements this agent made × the nodes they went to.
    public struct DeliveryMatrix: Codable, Sendable, Equatable {
        /// The members and any other recipients, by node ID.
        public var columns: [Node]
        /// Newest first.
        public var rows: [Announcement]
        /// Rows shown at most.
        public static let maxRows = 20
    }

    /// A connected agent.
    public struct Peer: Codable, Sendable, Equatable {
        /// Node, name and organisation.
        public var identity: Node
        /// `inbound` or `outbound`.
        public var direction: String
        /// Its socket address.
        public var address: String
        /// Its client name (from its Hello).
        public var client: String
        /// When the link came up.
        public var connectedAt: Double
        /// When the last message on it was admitted; nil when none yet.
        public var lastMessageAt: Double?
    }

    /// When the report was made.
    public var generatedAt: Double
    /// This agent.
    public var agent: Agent
    /// Current members, by node ID.
    public var members: [Member]
    /// Announcements waiting for approvals, in the log's total order.
    public var pending: [Pending]
    /// Delivery of this agent's last announcements.
    public var deliveries: DeliveryMatrix
    /// Connected agents, by node ID.
    public var peers: [Peer]
    /// Members (other than this agent) it is not connected to.
    public var notConnected: [Node]
    /// Each node adapter's apply state, in configuration order.
    public var adapters: [AdapterStatus]
    /// The `members --cluster` answer, when asked for (`?cluster=1`); nil otherwise.
    public var cluster: ClusterInfo?
}
