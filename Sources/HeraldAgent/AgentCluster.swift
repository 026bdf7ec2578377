import Foundation
import HeraldCrypto
import Membership

/// One agent's row in `herald members --cluster`.
public struct ClusterRow: Codable, Sendable, Equatable {
    /// What the row says about the agent.
    public enum State: String, Codable, Sendable {
        /// Replied (or is this agent), and holds the reference digest.
        case agrees
        /// Replied with another member list digest than the reference.
        case diverges
        /// Connected and asked, but did not reply in time.
        case noReply = "no reply"
        /// A current member this agent is not connected to, so not asked.
        case notConnected = "not connected"
    }

    /// The agent's node ID (64 hex digits).
    public var node: String
    /// Its name in the policy, if the policy lists it.
    public var name: String?
    /// True for the agent that asked (the first row).
    public var isSelf: Bool
    /// Agrees, diverges, or why there is nothing to compare.
    public var state: State
    /// Its member list digest (`0x…`), when known.
    public var digest: String?
    /// Its log entry count, when known.
    public var logEntries: UInt64?
    /// Its log head (`0x…`), when known.
    public var logHead: String?
    /// Its member count, when known.
    public var memberCount: UInt64?
    /// The hash of its policy in force (`0x…`), when known.
    public var policyHash: String?
    /// True when it replied with another policy hash than the asking agent's.
    public var policyDiffers: Bool
}

/// The answer to `herald members --cluster`: this agent first, then each
/// connected peer by node ID, then members not connected.
public struct ClusterInfo: Codable, Sendable, Equatable {
    /// One row per agent.
    public var rows: [ClusterRow]
    /// The digest most agents that answered hold; on a tie, the asking agent's.
    public var referenceDigest: String
    /// Rows whose digest differs from the reference.
    public var diverging: Int
    /// Rows with nothing to compare (no reply, not connected).
    public var unanswered: Int

    /// Marks each row against the majority digest.
    init(rows: [ClusterRow]) {
        var counts: [String: Int] = [:]
        for digest in rows.compactMap(\.digest) { counts[digest, default: 0] += 1 }
        let most = counts.values.max() ?? 0
        let own = rows.first(where: \.isSelf)?.digest
        let candidates = counts.filter { $0.value == most }.map(\.key).sorted()
        let reference = own.flatMap { candidates.contains($0) ? $0 : nil } ?? candidates.first ?? ""
        self.rows = rows.map { row in
            var row = row
            if let digest = row.digest { row.state = digest == reference ? .agrees : .diverges }
            return row
        }
        referenceDigest = reference
        diverging = self.rows.filter { $0.state == .diverges }.count
        unanswered = self.rows.filter { $0.state == .noReply || $0.state == .notConnected }.count
    }
}

/// Cluster queries this agent waits on, and how often it answered each peer's.
struct ClusterQueries: Sendable {
    struct Pending: Sendable {
        var asked: Set<NodeID>
        var replies: [NodeID: WireMessage.ClusterReply] = [:]
    }

    var pending: [[UInt8]: Pending] = [:]
    /// Per peer: the start of its current one-second window and the answers sent in it.
    var answered: [NodeID: (windowStart: Double, count: Int)] = [:]

    /// Answers per peer per second; further queries are dropped.
    static let answersPerSecond = 4
    /// Cluster queries of this agent's own waiting at once.
    static let maxPending = 16
}

/// `herald members --cluster`: every connected agent's digest and log head.
extension HeraldAgent {
    /// Asks every connected peer for its member digest and log head (a
    /// signed cluster query) and waits until all have replied or `timeout`
    /// has passed.
    ///
    /// - Returns: This agent's row, each connected peer's (by node ID), and
    ///   a row for each current member not connected; rows are marked
    ///   against the digest most agents hold.
    public func cluster(timeout: Duration = .seconds(3)) async -> ClusterInfo {
        let nonce = SecureRandom.bytes(count: WireMessage.nonceSize)
        let asked = Set(links.keys)
        if clusterQueries.pending.count >= ClusterQueries.maxPending {
            clusterQueries.pending.removeAll()   // abandoned by callers that went away
        }
        clusterQueries.pending[nonce] = ClusterQueries.Pending(asked: asked)
        for peer in asked { send(.clusterQuery(nonce: nonce), to: peer) }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !Task.isCancelled,
              let query = clusterQueries.pending[nonce], query.replies.count < query.asked.count {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let replies = clusterQueries.pending.removeValue(forKey: nonce)?.replies ?? [:]

        let state = log.state
        let ownPolicy = policy.hash.description
        var rows = [ClusterRow(
            node: nodeID.hex, name: policy.identity(nodeID)?.name, isSelf: true, state: .agrees,
            digest: state.digest.description, logEntries: log.count, logHead: log.head.description,
            memberCount: UInt64(state.members.count), policyHash: ownPolicy, policyDiffers: false)]
        for peer in asked.sorted() {
            var row = ClusterRow(node: peer.hex, name: policy.identity(peer)?.name, isSelf: false, state: .noReply,
                                 policyDiffers: false)
            if let reply = replies[peer] {
                row.digest = "0x" + Hex.encode(reply.digest)
                row.logEntries = reply.logEntries
                row.logHead = "0x" + Hex.encode(reply.logHead)
                row.memberCount = reply.members
                row.policyHash = "0x" + Hex.encode(reply.policyHash)
                row.policyDiffers = row.policyHash != ownPolicy
            }
            rows.append(row)
        }
        for member in state.members where member.node != nodeID && !asked.contains(member.node) {
            rows.append(ClusterRow(node: member.node.hex, name: policy.identity(member.node)?.name, isSelf: false,
                                   state: .notConnected, policyDiffers: false))
        }
        return ClusterInfo(rows: rows)
    }

    /// Answers a peer's cluster query with this agent's digest and log head,
    /// at most ``ClusterQueries/answersPerSecond`` times a second per peer.
    func answerClusterQuery(_ nonce: [UInt8], from peer: NodeID) {
        let now = Date().timeIntervalSince1970
        var budget = clusterQueries.answered[peer] ?? (now, 0)
        if now - budget.windowStart >= 1 { budget = (now, 0) }
        guard budget.count < ClusterQueries.answersPerSecond else {
            logger.debug("cluster query from \(peer) dropped: over \(ClusterQueries.answersPerSecond) a second")
            return
        }
        budget.count += 1
        if clusterQueries.answered.count >= 1024 { clusterQueries.answered.removeAll() }
        clusterQueries.answered[peer] = budget
        let state = log.state
        send(.clusterReply(WireMessage.ClusterReply(
            nonce: nonce, digest: state.digest.value.bytes, logEntries: log.count, logHead: log.head.rawRepresentation,
            members: UInt64(state.members.count), policyHash: policy.hash.rawRepresentation)), to: peer)
    }

    /// Records a reply to one of this agent's pending queries, from a peer it asked; anything else is ignored.
    func receiveClusterReply(_ reply: WireMessage.ClusterReply, from peer: NodeID) {
        guard var query = clusterQueries.pending[reply.nonce], query.asked.contains(peer) else { return }
        query.replies[peer] = reply
        clusterQueries.pending[reply.nonce] = query
    }
}
