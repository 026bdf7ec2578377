import Foundation
import HeraldCrypto
import Membership

/// What the control API reports.
extension HeraldAgent {
    /// The state of announcement `idText` (full hex): this agent's decision and, for its own, every recipient's.
    public func status(_ idText: String) throws(AgentError) -> AnnouncementStatus {
        guard let id = AnnouncementID(hex: idText) else { throw .invalidRequest("\(idText) is not a 64-digit hex announcement ID") }
        // The state knows what it holds; one rejected on arrival (expired,
        // forged announcer, ...) is only in the log, with its reason.
        let decision = log.state.status(of: id, at: Self.unixNow()) ?? (try? log.entry(for: id))?.decision
        let deliveries = try store.deliveries(for: id)
        guard decision != nil || !deliveries.isEmpty else { throw .unknownAnnouncement(idText) }
        let giveUpAt = try store.outgoing(id)?.giveUpAt
        let joiner = deliveries.isEmpty ? nil : joiningNode(of: id)
        return AnnouncementStatus(
            id: id.hex, decision: decision?.description ?? "not in log",
            recipients: deliveries.map {
                .init(node: $0.recipient.hex, acked: $0.acked, decision: $0.decision, attempts: $0.attempts, lastError: $0.lastError,
                      joiner: $0.recipient == joiner)
            },
            giveUpAt: giveUpAt,
            gaveUp: giveUpAt.map { $0 <= Self.unixNow() } == true && deliveries.contains { !$0.acked })
    }

    /// The node whose join announcement `id` is, or approves; nil for anything else.
    private func joiningNode(of id: AnnouncementID) -> NodeID? {
        func announcement(_ id: AnnouncementID) -> Announcement? {
            guard let entry = try? log.entry(for: id) else { return nil }
            return (entry.verifiedAnnouncement ?? (try? SignedAnnouncement(decoding: entry.announcement)))?.announcement
        }
        guard let made = announcement(id) else { return nil }
        switch made.kind {
        case .join: return made.subject
        case .approve: return made.approvedID.flatMap(announcement)?.kind == .join ? made.subject : nil
        case .leave, .policyChange: return nil
        }
    }

    /// The member list, digest and log head.
    public func members() -> MembersInfo {
        MembersInfo(
            members: log.members.map {
                MemberInfo(node: $0.node.hex, enode: $0.enode, agentEndpoint: $0.agentEndpoint?.description, roles: $0.roles)
            },
            digest: log.digest.description, logEntries: log.count, logHead: log.head.description)
    }

    /// Connected peers.
    public func peers() -> [PeerStatus] {
        links.values.map {
            PeerStatus(node: $0.info.nodeID.hex, direction: $0.info.direction.rawValue, address: $0.info.remoteAddress, client: $0.info.clientID)
        }.sorted { $0.node < $1.node }
    }
}
