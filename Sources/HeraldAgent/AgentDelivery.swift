import Foundation
import HeraldCrypto
import Membership
import NodeAdapters

/// Announcing, logging, forwarding, acknowledging and retrying (applying: AgentApplying.swift;
/// anti-entropy: AgentAntiEntropy.swift).
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

    func publish(kind: AnnouncementKind, subject: NodeID, subjectEnode: String, endpoint: AgentEndpoint?,
                 roles: [String], approving: AnnouncementID?, extraRecipients: [NodeID],
                 policyText: String = "") async throws(AgentError) -> AnnouncementStatus {
        let now = Self.unixNow()
        // maxSeenLamport covers the stored clock and every logged announcement; enqueue persists the new time.
        let lamport = maxSeenLamport + 1
        maxSeenLamport = lamport
        let announcement = Announcement(
            consortium: policy.consortium.name, kind: kind, subject: subject, subjectEnode: subjectEnode,
            agentEndpoint: endpoint, roles: roles, lamportTime: lamport, issuedAt: now,
            expiresAt: now + policy.delivery.announcementTTL, policyHash: policy.hash, approvedID: approving,
            announcer: nodeID, policyText: policyText)
        let signed: SignedAnnouncement
        do { signed = try SignedAnnouncement.sign(announcement, with: key) } catch {
            throw .invalidRequest("cannot sign: \(error)")
        }
        var recipients = Set(log.members.map(\.node)).union(extraRecipients)
        recipients.remove(nodeID)
        // Durable before anyone hears of it (one transaction: outbox row, recipients, clock); sent
        // before our own log entry and apply, which the receivers do not wait for.
        let (outgoing, deliveries) = try store.enqueue(signed, recipients: recipients.sorted(), createdAt: now,
                                                       giveUpAt: now + policy.delivery.giveUpAfter)
        logger.info("announced \(kind) of \(subject)", metadata: ["id": "\(signed.id.hex)", "recipients": "\(recipients.count)"])
        recordAttempts(deliver(outgoing, deliveries, now: Date().timeIntervalSince1970))
        // Our own signature, just made: no need to recover it again from the encoding. Our own entry
        // need not wait for the disk: the outbox holds the announcement durably, and a restart logs
        // any outbox announcement the log lacks (``logUnloggedOutbox()``), as of the same time.
        await accept(signed, receivedAt: now, from: nil, reached: [], durability: .deferred)
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
        return await accept(signed, receivedAt: receivedAt, from: peer, reached: reached)
    }

    /// As ``accept(_:receivedAt:from:reached:)-(_,_,_,_)``, for an announcement already decoded and verified.
    @discardableResult
    func accept(_ signed: SignedAnnouncement, receivedAt: UInt64, from peer: NodeID?, reached: [NodeID],
                durability: MembershipLog.Durability = .synced) async -> LogEntry? {
        let outcome: MembershipLog.AppendOutcome
        do {
            outcome = try log.append(signed, receivedAt: receivedAt, durability: durability)
        } catch {
            logger.error("cannot log announcement \(signed.id): \(error)")
            return nil
        }
        let isNew = record(signed, outcome, from: peer)
        if isNew {
            followConsortiumPolicy()
            refreshAllowlist()
        }
        if let peer, isNew || peer == signed.announcement.announcer { forward(signed, from: peer, reached: reached) }
        if isNew { await applyIfChanged() }
        sendAck(for: signed, entry: outcome.entry, via: peer)
        return outcome.entry
    }

    /// Updates the in-memory indexes after an append; true when the entry is
    /// new. The caller then refreshes the allowlist (once for a whole batch).
    func record(_ signed: SignedAnnouncement, _ outcome: MembershipLog.AppendOutcome, from peer: NodeID?) -> Bool {
        maxSeenLamport = max(maxSeenLamport, signed.announcement.lamportTime)
        guard case .appended(let entry) = outcome else { return false }
        idIndex.insert(entry.announcementID)
        lateEntries[entry.announcementID] = nil   // however it came in the end
        if let peer {
            // Bounded: an ack that finds no route here still reaches the announcer through its resends.
            if receivedFrom.count >= 16_384 { receivedFrom = [:] }
            receivedFrom[entry.announcementID] = (peer, signed.announcement.announcer)
        }
        Self.note(signed, decision: entry.decision, pendingJoins: &pendingJoins)
        metrics.announcementsLogged[AgentMetrics.DecisionLabel(entry.decision)]?.increment()
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
        let sent = send(.announcement(signed.encoded, reached: onward), to: targets)
        wireCounters.forwardedAnnouncements += sent.count
        logger.debug("forwarded \(signed.id) to \(sent.count) peer(s)")
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
        for hop in [preferred, receivedFrom[id]?.peer] {
            if let hop, hop != excluded, hop != announcer, send(.ack(bytes), to: hop) { return true }
        }
        return false
    }

    /// Records an ack of our own announcement (in batches), or relays
    /// another's ack towards its announcer (the same ack at most once in 10
    /// seconds, so that copies arriving by several paths do not multiply).
    func receiveAck(_ signed: SignedAck, encoded bytes: [UInt8], from peer: NodeID) {
        let ack = signed.ack
        guard ack.receiver != nodeID else { return }
        // Another agent's announcement that we had from a peer: relay. (Ours never come from a peer;
        // one we no longer remember is recorded below, where an ack nobody expects changes nothing.)
        if let route = receivedFrom[ack.announcementID], route.announcer != nodeID {
            relay(bytes, of: ack.announcementID, announcer: route.announcer, from: peer)
            return
        }
        metrics.acksReceived.increment()
        pendingAcks.append(AgentStore.ReceivedAck(announcementID: ack.announcementID, recipient: ack.receiver,
                                                  decision: ack.decision.description))
        guard !flushingAcks else { return }
        flushingAcks = true
        Task { self.flushAcks() }
    }

    private func relay(_ bytes: [UInt8], of id: AnnouncementID, announcer: NodeID, from peer: NodeID) {
        let now = Date().timeIntervalSince1970
        let hash = Keccak256.hash(bytes)
        if let last = relayedAcks[hash], now - last < 10 { return }
        if relayedAcks.count >= 16_384 { relayedAcks = relayedAcks.filter { now - $0.value < 10 } }
        relayedAcks[hash] = now
        if routeAck(bytes, of: id, announcer: announcer, excluding: peer) { wireCounters.relayedAcks += 1 }
    }

    /// Stores the acks received so far in one transaction. Acks that arrive
    /// while it writes wait in `pendingAcks` for the next flush, so a burst
    /// costs a few transactions, not one each. A failed write loses nothing that
    /// matters: the recipients are still unacked, get a resend and ack again.
    private func flushAcks() {
        defer { flushingAcks = false }
        while !pendingAcks.isEmpty {
            let batch = pendingAcks
            pendingAcks = []
            do {
                for ack in try store.recordAcks(batch) {
                    logger.info("ack for \(ack.announcementID) from \(ack.recipient): \(ack.decision)")
                }
            } catch {
                logger.error("cannot record \(batch.count) acks: \(error)")
            }
        }
    }

    // MARK: - Retries

    /// Sends every unacknowledged announcement to each recipient whose retry time has come.
    func deliveryTick() {
        let now = Date().timeIntervalSince1970
        guard let unfinished = try? store.unfinished(now: UInt64(now)) else { return }
        var attempts: [AgentStore.Attempt] = []
        for outgoing in unfinished {
            attempts += deliver(outgoing, (try? store.deliveries(for: outgoing.id)) ?? [], now: now)
        }
        recordAttempts(attempts)
    }

    /// Sends `outgoing` to each recipient whose retry time has come; returns
    /// the attempts to record (one per due recipient, sent or not).
    private func deliver(_ outgoing: AgentStore.Outgoing, _ deliveries: [AgentStore.Delivery], now: Double) -> [AgentStore.Attempt] {
        let due = deliveries.filter { !$0.acked && $0.nextAttempt <= now }
        guard !due.isEmpty else { return [] }
        // Due recipients we have no link to: the same envelope also goes to up to two
        // linked recipients that have it (acked); as it comes from the announcer they
        // forward it to whoever they are linked to among the unreached.
        var targets = due.map(\.recipient)
        if due.contains(where: { links[$0.recipient] == nil }) {
            targets += deliveries.filter { $0.acked && links[$0.recipient] != nil }.map(\.recipient).shuffled().prefix(2)
        }
        let sent = send(.announcement(outgoing.encoded, reached: reached(deliveries)), to: targets)
        return due.map { delivery in
            AgentStore.Attempt(announcementID: outgoing.id, recipient: delivery.recipient,
                               nextAttempt: now + retry.delay(attempt: delivery.attempts),
                               error: sent.contains(delivery.recipient) ? nil : "not connected")
        }
    }

    /// On (re)connection: sends the peer everything it has not acknowledged yet.
    func resendPending(to peer: NodeID) {
        let now = Date().timeIntervalSince1970
        guard let unfinished = try? store.unfinished(now: UInt64(now)) else { return }
        var attempts: [AgentStore.Attempt] = []
        for outgoing in unfinished {
            let deliveries = (try? store.deliveries(for: outgoing.id)) ?? []
            guard let delivery = deliveries.first(where: { $0.recipient == peer }), !delivery.acked else { continue }
            send(.announcement(outgoing.encoded, reached: reached(deliveries)), to: peer)
            attempts.append(AgentStore.Attempt(announcementID: outgoing.id, recipient: peer,
                                               nextAttempt: now + retry.delay(attempt: delivery.attempts), error: nil))
        }
        recordAttempts(attempts)
    }

    /// The recipients that have the announcement or get it from us directly
    /// (acked, or linked now): receivers forward only to the others.
    private func reached(_ deliveries: [AgentStore.Delivery]) -> [NodeID] {
        deliveries.filter { $0.acked || links[$0.recipient] != nil }.map(\.recipient)
    }

    /// Attempts are bookkeeping for backoff and `herald status`: a failed write is logged, and the resend schedule
    /// simply starts over.
    private func recordAttempts(_ attempts: [AgentStore.Attempt]) {
        do { try store.recordAttempts(attempts) } catch {
            logger.error("cannot record \(attempts.count) send attempts: \(error)")
        }
    }

    /// After a crash between the outbox write and our own log entry, or a
    /// power loss that took our latest own entries (written without waiting
    /// for the disk): logs the outbox announcements the log lacks, in the
    /// order and as of the time they were made, so each gets the entry it
    /// would have had.
    func logUnloggedOutbox() async {
        do {
            for id in try store.outboxIDs() where !idIndex.contains(id) {
                guard let outgoing = try store.outgoing(id) else { continue }
                await accept(outgoing.encoded, receivedAt: outgoing.createdAt)
            }
        } catch {
            logger.error("cannot read the outbox: \(error)")
        }
    }
}
