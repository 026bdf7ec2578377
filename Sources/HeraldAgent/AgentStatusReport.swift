import Foundation
import HeraldCrypto
import Membership

/// The status page's content, built from what the summary, the queries and the log already hold.
extension HeraldAgent {
    /// This agent's ``StatusReport``; with `clusterTimeout`, it also asks every
    /// connected agent for its digest and log head (``cluster(timeout:)``) and waits up to that long.
    public func statusReport(clusterTimeout: Duration? = nil) async -> StatusReport {
        let cluster: ClusterInfo?
        if let clusterTimeout { cluster = await self.cluster(timeout: clusterTimeout) } else { cluster = nil }
        return statusReport(cluster: cluster)
    }

    /// The report as of now, with `cluster` as its cluster view.
    func statusReport(cluster: ClusterInfo?) -> StatusReport {
        let now = Date().timeIntervalSince1970
        let summary = summary()
        let policy = self.policy
        let state = log.state
        let node: @Sendable (NodeID) -> StatusReport.Node = { [policy] id in Self.reportNode(id, policy: policy) }

        let agent = StatusReport.Agent(
            identity: node(nodeID), enode: summary.enode, policyHash: policy.hash.description,
            logEntries: summary.logEntries, logHead: summary.logHead, digest: summary.digest,
            startedAt: startedAt, uptimeSeconds: startedAt.map { max(0, now - $0) },
            logVerifiedAt: logVerified.at, logVerifiedEntries: logVerified.entries,
            unacknowledgedDeliveries: summary.unacknowledgedDeliveries, heldLateEntries: summary.heldLateEntries)

        let members = state.members.map { member in
            StatusReport.Member(
                identity: node(member.node), roles: member.roles, enode: member.enode,
                sinceLogIndex: member.since.flatMap { (try? log.entry(for: $0))??.index },
                sinceAnnouncement: member.since?.hex)
        }

        let pending = state.pendingApprovals.compactMap { waiting -> StatusReport.Pending? in
            let announcement = waiting.announcement.announcement
            // One past its expiry reads as rejected (``MembershipState/status(of:at:)``): not waiting any more.
            guard case .pending? = state.status(of: waiting.announcement.id, at: UInt64(now)) else { return nil }
            return StatusReport.Pending(
                id: waiting.announcement.id.hex, kind: announcement.kind.description, subject: node(announcement.subject),
                announcer: node(announcement.announcer), issuedAt: announcement.issuedAt, expiresAt: announcement.expiresAt,
                ageSeconds: max(0, now - Double(announcement.issuedAt)), approvalsHeld: waiting.approvers.count,
                approvalsNeeded: waiting.needed, approverRoles: waiting.approverRoles, approvedBy: waiting.approvers.map(node))
        }

        let peerRows = links.values.sorted { $0.info.nodeID < $1.info.nodeID }.map { link in
            StatusReport.Peer(identity: node(link.info.nodeID), direction: link.info.direction.rawValue,
                              address: link.info.remoteAddress, client: link.info.clientID,
                              connectedAt: link.connectedAt, lastMessageAt: link.lastMessageAt)
        }
        let notConnected = state.members.map(\.node).filter { $0 != nodeID && links[$0] == nil }.map(node)

        return StatusReport(
            generatedAt: now, agent: agent, members: members, pending: pending,
            deliveries: deliveryMatrix(members: state.members.map(\.node), node: node),
            peers: peerRows, notConnected: notConnected, adapters: summary.adapters, cluster: cluster)
    }

    /// This agent's last ``StatusReport/DeliveryMatrix/maxRows`` announcements
    /// (``status(_:)`` of each) against the current members and any other recipients.
    private func deliveryMatrix(members: [NodeID], node: (NodeID) -> StatusReport.Node) -> StatusReport.DeliveryMatrix {
        let ids = ((try? store.outboxIDs()) ?? []).suffix(StatusReport.DeliveryMatrix.maxRows).reversed()
        var rows: [(id: AnnouncementID, announcement: Announcement?, createdAt: UInt64, status: AnnouncementStatus)] = []
        for id in ids {
            guard let status = try? status(id.hex) else { continue }
            let outgoing = try? store.outgoing(id)
            let announcement = outgoing.flatMap { try? SignedAnnouncement(decoding: $0.encoded) }?.announcement
            rows.append((id, announcement, outgoing?.createdAt ?? 0, status))
        }
        var columns = Set(members)
        columns.remove(nodeID)
        for row in rows {
            for recipient in row.status.recipients {
                if let bytes = try? Hex.decode(recipient.node), let id = try? NodeID(rawRepresentation: bytes) {
                    columns.insert(id)
                }
            }
        }
        let ordered = columns.sorted()
        return StatusReport.DeliveryMatrix(
            columns: ordered.map(node),
            rows: rows.map { row in
                let byNode = Dictionary(row.status.recipients.map { ($0.node, $0) }, uniquingKeysWith: { first, _ in first })
                return StatusReport.Announcement(
                    id: row.id.hex, kind: row.announcement?.kind.description ?? "unknown",
                    subject: row.announcement.map { node($0.subject) } ?? StatusReport.Node(node: ""),
                    decision: row.status.decision, createdAt: row.createdAt,
                    cells: ordered.map { column in
                        guard let recipient = byNode[column.hex] else {
                            return StatusReport.Delivery(node: column.hex, state: .notRecipient, attempts: 0)
                        }
                        let state: StatusReport.Delivery.State = recipient.acked ? .acked : row.status.gaveUp ? .gaveUp : .pending
                        return StatusReport.Delivery(node: column.hex, state: state, decision: recipient.decision,
                                                     attempts: recipient.attempts, lastError: recipient.lastError)
                    })
            })
    }

    /// Why the agent is not ready to serve, or nil when it is: policy loaded
    /// and log verified (both done before an agent exists) and RLPx listening.
    public func unreadiness() -> String? {
        listeningPort == nil ? "not listening for agents yet" : nil
    }

    static func reportNode(_ node: NodeID, policy: Policy) -> StatusReport.Node {
        let identity = policy.identity(node)
        return StatusReport.Node(node: node.hex, name: identity?.name, organisation: identity?.organisation)
    }
}
