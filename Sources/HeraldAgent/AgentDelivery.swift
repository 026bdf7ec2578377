import Foundation
import HeraldCrypto
import Membership
import NodeAdapters

/// Announcing, logging, forwarding, acknowledging, retrying and applying.
extension HeraldAgent {
    // MARK: - Announcing

    /// Announces a join or leave; returns once the announcement is durable
    /// in the outbox and in this agent's log.
    ///
    /// - Throws: ``AgentError/invalidRequest(_:)`` for a bad kind, enode or
    ///   endpoint; ``AgentError/store(path:message:)`` when nothing could be stored.
    public func announce(_ request: AnnounceRequest) async throws(AgentError) -> AnnouncementStatus {
        let kind: AnnouncementKind
        switch request.kind {
        case "join": kind = .join
        case "leave": kind = .leave
        default: throw .invalidRequest("kind must be join or leave, not '\(request.kind)'")
        }
        let enode: Enode
        do { enode = try Enode(parsing: request.enode) } catch {
            throw .invalidRequest("--enode \(request.enode): \(error)")
        }
        if kind == .join, enode.host == nil || enode.tcpPort == 0 {
            throw .invalidRequest("--enode of a join needs a host and a port")
        }
        var endpoint: AgentEndpoint?
        if let text = request.agentEndpoint {
            guard let parsed = AgentEndpoint(text) else { throw .invalidRequest("--agent-endpoint \(text): expected host:port") }
            endpoint = parsed
        }
        return try await publish(kind: kind, subject: enode.nodeID, subjectEnode: kind == .join ? request.enode : "",
                                 endpoint: endpoint, roles: kind == .join ? request.roles : [], approving: nil,
                                 extraRecipients: kind == .join ? [enode.nodeID] : [])
    }

    /// Approves announcement `id` (full hex) held in this agent's log.
    public func approve(_ idText: String) async throws(AgentError) -> AnnouncementStatus {
        guard let id = AnnouncementID(hex: idText) else { throw .invalidRequest("\(idText) is not a 64-digit hex announcement ID") }
        guard let entry = try? log.entry(for: id), let approved = try? SignedAnnouncement(decoding: entry.announcement) else {
            throw .unknownAnnouncement(idText)
        }
        let subject = approved.announcement.subject
        return try await publish(kind: .approve, subject: subject, subjectEnode: "", endpoint: nil, roles: [],
                                 approving: id, extraRecipients: approved.announcement.kind == .join ? [subject] : [])
    }

    private func publish(kind: AnnouncementKind, subject: NodeID, subjectEnode: String, endpoint: AgentEndpoint?,
                         roles: [String], approving: AnnouncementID?, extraRecipients: [NodeID]) async throws(AgentError) -> AnnouncementStatus {
        let now = Self.unixNow()
        let lamport = try store.nextLamportTime(after: maxSeenLamport)
        maxSeenLamport = lamport
        let announcement = Announcement(
            consortium: policy.consortium.name, kind: kind, subject: subject, subjectEnode: subjectEnode,
            agentEndpoint: endpoint, roles: roles, lamportTime: lamport, issuedAt: now,
            expiresAt: now + policy.delivery.announcementTTL, policyHash: policy.hash, approvedID: approving,
            announcer: nodeID)
        let signed: SignedAnnouncement
        do { signed = try SignedAnnouncement.sign(announcement, with: key) } catch {
            throw .invalidRequest("cannot sign: \(error)")
        }
        var recipients = Set(log.members.map(\.node)).union(extraRecipients)
        recipients.remove(nodeID)
        // Durable before anyone hears of it: the outbox row, then our own log entry.
        try store.enqueue(signed, recipients: recipients.sorted(), createdAt: now, giveUpAt: now + policy.delivery.giveUpAfter)
        await accept(signed.encoded, receivedAt: now)
        logger.info("announced \(kind) of \(subject)", metadata: ["id": "\(signed.id.hex)", "recipients": "\(recipients.count)"])
        deliveryTick()
        return try status(signed.id.hex)
    }

    // MARK: - Receiving announcements and acks

    /// Verifies, logs (durably), applies and acknowledges one announcement;
    /// a duplicate is acknowledged again and not applied again. A new one
    /// that came from `peer` is first forwarded to the linked peers that
    /// expect it and are not in `reached` (DESIGN step 4); so is a duplicate
    /// that its announcer sent again, which is how a retry reaches recipients
    /// the announcer has no link to.
    @discardableResult
    func accept(_ bytes: [UInt8], receivedAt: UInt64, from peer: NodeID? = nil, reached: [NodeID] = []) async -> LogEntry? {
        let signed: SignedAnnouncement
        do {
            signed = try SignedAnnouncement(decoding: bytes)
        } catch {
            logger.warning("announcement dropped: \(error)")
            return nil
        }
        maxSeenLamport = max(maxSeenLamport, signed.announcement.lamportTime)
        let outcome: MembershipLog.AppendOutcome
        do {
            outcome = try log.append(bytes, receivedAt: receivedAt)
        } catch {
            logger.error("cannot log announcement \(signed.id): \(error)")
            return nil
        }
        let isNew = record(signed, outcome, from: peer)
        if let peer, isNew || peer == signed.announcement.announcer { forward(signed, from: peer, reached: reached) }
        if isNew { await applyIfChanged() }
        sendAck(for: signed, entry: outcome.entry, via: peer)
        return outcome.entry
    }

    /// Updates the in-memory indexes after an append; true when the entry is new.
    func record(_ signed: SignedAnnouncement, _ outcome: MembershipLog.AppendOutcome, from peer: NodeID?) -> Bool {
        maxSeenLamport = max(maxSeenLamport, signed.announcement.lamportTime)
        guard case .appended(let entry) = outcome else { return false }
        idIndex.insert(entry.announcementID)
        if let peer {
            // Bounded: an ack that finds no route here still reaches the announcer through its resends.
            if receivedFrom.count >= 16_384 { receivedFrom = [:] }
            receivedFrom[entry.announcementID] = peer
        }
        Self.note(signed, decision: entry.decision, pendingJoins: &pendingJoins)
        allowlist.replace(with: Self.allowed(log: log, policy: policy, pendingJoins: pendingJoins))
        logger.info("logged \(signed.announcement.kind) of \(signed.announcement.subject) by \(signed.announcement.announcer): \(entry.decision)",
                    metadata: ["id": "\(entry.announcementID.hex)", "index": "\(entry.index)"])
        return true
    }

    /// Forwards a new announcement, re-sealed by this agent, to the linked
    /// peers that expect it (members and its subject) and are not known to
    /// have it: not the sender, not the announcer, not in `reached`. The
    /// copies carry `reached` grown by this agent and its targets, so that in
    /// a full mesh nobody forwards and on a line each hop forwards once.
    private func forward(_ signed: SignedAnnouncement, from peer: NodeID, reached: [NodeID]) {
        var known = Set(reached)
        known.formUnion([peer, signed.announcement.announcer, nodeID])
        var expected = Set(log.members.map(\.node))
        expected.insert(signed.announcement.subject)
        let targets = links.keys.filter { expected.contains($0) && !known.contains($0) }.sorted()
        guard !targets.isEmpty else { return }
        let onward = known.union(targets).sorted()
        for target in targets where send(.announcement(signed.encoded, reached: onward), to: target) {
            wireCounters.forwardedAnnouncements += 1
        }
        logger.debug("forwarded \(signed.id) to \(targets.count) peer(s)")
    }

    /// Acknowledges to the announcer, or when not linked to it, through
    /// `via` (the peer that just sent us the announcement) or the peer we first had it from.
    func sendAck(for signed: SignedAnnouncement, entry: LogEntry, via peer: NodeID?) {
        let announcer = signed.announcement.announcer
        guard announcer != nodeID else { return }
        let ack = Ack(announcementID: signed.id, receiver: nodeID, decision: entry.decision.ackDecision,
                      logIndex: entry.index, logHead: log.head)
        guard let signedAck = try? SignedAck.sign(ack, with: key) else { return }
        if !routeAck(signedAck.encoded, of: signed.id, announcer: announcer, excluding: nil, via: peer) {
            // No route: anti-entropy will bring the announcer the log; the ack waits for its resend.
            logger.debug("announcer \(announcer) not reachable; ack for \(signed.id) not sent")
        }
    }

    /// Sends an ack towards the announcer: directly when linked, otherwise
    /// back the way the announcement came (`via`, else the peer we first had
    /// it from), which relays it on; never back to `excluded`, who sent it to us.
    private func routeAck(_ bytes: [UInt8], of id: AnnouncementID, announcer: NodeID, excluding excluded: NodeID?,
                          via preferred: NodeID? = nil) -> Bool {
        if announcer != excluded, send(.ack(bytes), to: announcer) { return true }
        for hop in [preferred, receivedFrom[id]] {
            if let hop, hop != excluded, hop != announcer, send(.ack(bytes), to: hop) { return true }
        }
        return false
    }

    /// Records an ack of our own announcement, or relays another's ack
    /// towards its announcer (the same ack at most once in 10 seconds, so
    /// that copies arriving by several paths do not multiply).
    func receiveAck(_ bytes: [UInt8], from peer: NodeID) {
        let signed: SignedAck
        do { signed = try SignedAck(decoding: bytes) } catch {
            logger.warning("ack from \(peer) dropped: \(error)")
            return
        }
        let ack = signed.ack
        guard ack.receiver != nodeID else { return }
        // Our own announcement (it is in the outbox): record. A read first, so that relaying costs no write.
        if (try? store.outgoing(ack.announcementID)) != nil {
            if (try? store.recordAck(ack.announcementID, recipient: ack.receiver, decision: ack.decision.description)) == true {
                logger.info("ack for \(ack.announcementID) from \(ack.receiver): \(ack.decision)")
            }
            return
        }
        guard let entry = try? log.entry(for: ack.announcementID),
              let announcement = try? SignedAnnouncement(decoding: entry.announcement),
              announcement.announcement.announcer != nodeID else { return }
        let now = Date().timeIntervalSince1970
        let hash = Keccak256.hash(bytes)
        if let last = relayedAcks[hash], now - last < 10 { return }
        if relayedAcks.count >= 16_384 { relayedAcks = relayedAcks.filter { now - $0.value < 10 } }
        relayedAcks[hash] = now
        if routeAck(bytes, of: ack.announcementID, announcer: announcement.announcement.announcer, excluding: peer) {
            wireCounters.relayedAcks += 1
        }
    }

    // MARK: - Retries

    /// Sends every unacknowledged announcement to each recipient whose retry time has come.
    func deliveryTick() {
        let now = Date().timeIntervalSince1970
        guard let unfinished = try? store.unfinished(now: UInt64(now)) else { return }
        for outgoing in unfinished {
            let deliveries = (try? store.deliveries(for: outgoing.id)) ?? []
            let reached = reached(deliveries)
            var unlinked = 0
            for delivery in deliveries where !delivery.acked && delivery.nextAttempt <= now {
                let sent = send(.announcement(outgoing.encoded, reached: reached), to: delivery.recipient)
                if !sent { unlinked += 1 }
                try? store.recordAttempt(outgoing.id, recipient: delivery.recipient,
                                         nextAttempt: now + retry.delay(attempt: delivery.attempts),
                                         error: sent ? nil : "not connected")
            }
            // Due recipients we have no link to: give a copy to up to two linked
            // recipients that have it (acked); as it comes from the announcer they
            // forward it to whoever they are linked to among the unreached.
            if unlinked > 0 {
                let relays = deliveries.filter { $0.acked && links[$0.recipient] != nil }.map(\.recipient).shuffled().prefix(2)
                for relay in relays { send(.announcement(outgoing.encoded, reached: reached), to: relay) }
            }
        }
        if appliedDigest != log.digest, now >= nextApplyRetry { Task { await self.applyIfChanged() } }
    }

    /// On (re)connection: sends the peer everything it has not acknowledged yet.
    func resendPending(to peer: NodeID) {
        let now = Date().timeIntervalSince1970
        guard let unfinished = try? store.unfinished(now: UInt64(now)) else { return }
        for outgoing in unfinished {
            let deliveries = (try? store.deliveries(for: outgoing.id)) ?? []
            guard let delivery = deliveries.first(where: { $0.recipient == peer }), !delivery.acked else { continue }
            send(.announcement(outgoing.encoded, reached: reached(deliveries)), to: peer)
            try? store.recordAttempt(outgoing.id, recipient: peer, nextAttempt: now + retry.delay(attempt: delivery.attempts), error: nil)
        }
    }

    /// The recipients that have the announcement or get it from us directly
    /// (acked, or linked now): receivers forward only to the others.
    private func reached(_ deliveries: [AgentStore.Delivery]) -> [NodeID] {
        deliveries.filter { $0.acked || links[$0.recipient] != nil }.map(\.recipient)
    }

    // MARK: - Applying

    /// Applies the member list through every adapter when it changed since
    /// the last successful apply; a failure is retried on the next tick.
    func applyIfChanged() async {
        guard !applying else { applyAgain = true; return }
        applying = true
        defer { applying = false }
        repeat {
            applyAgain = false
            let digest = log.digest
            guard digest != appliedDigest else { return }
            let members = log.members.compactMap { member -> PeerSetMember? in
                guard let enode = Enode(member.enode) else { return nil }
                return PeerSetMember(enode: enode, name: policy.identity(member.node)?.name, roles: member.roles)
            }
            let desired = DesiredPeerSet(members: members, localNodeID: nodeID)
            var failed = false
            for adapter in adapters {
                do {
                    let report = try await adapter.apply(desired)
                    logger.info("applied: \(report)")
                } catch {
                    failed = true
                    logger.error("adapter \(adapter.kind) failed: \(error)")
                }
            }
            if failed {
                nextApplyRetry = Date().timeIntervalSince1970 + 5
            } else {
                appliedDigest = digest
            }
        } while applyAgain
    }
}
