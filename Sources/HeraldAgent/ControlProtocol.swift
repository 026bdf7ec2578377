/// The control socket's protocol: one JSON request per line, one JSON
/// response per line. Requests and responses are small and bounded.
public struct ControlRequest: Codable, Sendable {
    /// `announce`, `approve`, `status`, `agent-status`, `members`, `cluster`, `reload-policy`,
    /// `propose-policy`, `peers` or `enode`.
    public var command: String
    /// For `announce`.
    public var announce: AnnounceRequest?
    /// For `approve` and `status`.
    public var id: String?
    /// For `cluster`: how long to wait for replies, in seconds (default 3).
    public var timeout: Double?
    /// For `propose-policy`: the proposed policy's YAML text.
    public var policyText: String?

    public init(command: String, announce: AnnounceRequest? = nil, id: String? = nil, timeout: Double? = nil,
                policyText: String? = nil) {
        self.command = command
        self.announce = announce
        self.id = id
        self.timeout = timeout
        self.policyText = policyText
    }

    /// Longest request line accepted, in bytes: room for a proposed policy, JSON-escaped.
    public static let maxLineLength = 256 * 1024
}

/// The answer to one ``ControlRequest``: exactly one field is set.
public struct ControlResponse: Codable, Sendable {
    public var error: String?
    public var status: AnnouncementStatus?
    public var members: MembersInfo?
    public var peers: [PeerStatus]?
    public var enode: String?
    /// For `agent-status`.
    public var summary: AgentSummary?
    /// For `cluster`.
    public var cluster: ClusterInfo?
    /// For `reload-policy`.
    public var policyReload: PolicyReloadResult?

    public init(error: String? = nil, status: AnnouncementStatus? = nil, members: MembersInfo? = nil,
                peers: [PeerStatus]? = nil, enode: String? = nil, summary: AgentSummary? = nil,
                cluster: ClusterInfo? = nil, policyReload: PolicyReloadResult? = nil) {
        self.error = error
        self.status = status
        self.members = members
        self.peers = peers
        self.enode = enode
        self.summary = summary
        self.cluster = cluster
        self.policyReload = policyReload
    }

    /// Longest response line accepted by the client, in bytes.
    public static let maxLineLength = 4 * 1024 * 1024
}
