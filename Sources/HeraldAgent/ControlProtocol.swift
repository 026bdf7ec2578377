/// The control socket's protocol: one JSON request per line, one JSON
/// response per line. Requests and responses are small and bounded.
public struct ControlRequest: Codable, Sendable {
    /// `announce`, `approve`, `status`, `agent-status`, `members`, `peers` or `enode`.
    public var command: String
    /// For `announce`.
    public var announce: AnnounceRequest?
    /// For `approve` and `status`.
    public var id: String?

    public init(command: String, announce: AnnounceRequest? = nil, id: String? = nil) {
        self.command = command
        self.announce = announce
        self.id = id
    }

    /// Longest request line accepted, in bytes.
    public static let maxLineLength = 64 * 1024
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

    public init(error: String? = nil, status: AnnouncementStatus? = nil, members: MembersInfo? = nil,
                peers: [PeerStatus]? = nil, enode: String? = nil, summary: AgentSummary? = nil) {
        self.error = error
        self.status = status
        self.members = members
        self.peers = peers
        self.enode = enode
        self.summary = summary
    }

    /// Longest response line accepted by the client, in bytes.
    public static let maxLineLength = 4 * 1024 * 1024
}
