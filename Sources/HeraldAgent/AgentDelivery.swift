import Foundation
import HeraldCrypto
import Membership
import NodeAdapters

/// Announcing, logging, acknowledging, retrying and anti-entropy (applying: AgentApplying.swift).
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
        // maxSeenLamport covers the stored clock and every logged announcement; enqueue persists the new time.
        let lamport = maxSeenLamport + 1
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
        // Durable before anyone hears of it (one transaction: outbox row, recipients, clock); sent
        // before our own log entry and apply, which the receivers do not wait for.
        try store.enqueue(signed, recipients: recipients.sorted(), createdAt: now, giveUpAt: now + policy.delivery.giveUpAfter)
        logger.info("announced \(kind) of \(subject)", metadata: ["id": "\(signed.id.hex)", "recipients": "\(recipients.count)"])
        deliveryTick()
        await accept(signed.encoded, receivedAt: now)
        return try status(signed.id.hex)
    }

    // MARK: - Receiving announcements and acks

    /// Verifies, logs (durably), applies and acknowledges one announcement;
    /// a duplicate is acknowledged again and not applied again.
    @discardableResult
    func accept(_ bytes: [UInt8], receivedAt: UInt64) async -> LogEntry? {
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
            outcome = try log.append(signed, receivedAt: receivedAt)
        } catch {
            logger.error("cannot log announcement \(signed.id): \(error)")
            return nil
        }
        if case .appended(let entry) = outcome {
            Self.xor(&setHash, entry.announcementID)
            Self.note(signed, decision: entry.decision, pendingJoins: &pendingJoins)
            allowlist.replace(with: Self.allowed(log: log, policy: policy, pendingJoins: pendingJoins))
            metrics.announcementsLogged[AgentMetrics.DecisionLabel(entry.decision)]?.increment()
            logger.info("logged \(signed.announcement.kind) of \(signed.announcement.subject) by \(signed.announcement.announcer): \(entry.decision)",
                        metadata: ["id": "\(entry.announcementID.hex)", "index": "\(entry.index)"])
            await applyIfChanged()
        }
        sendAck(for: signed, entry: outcome.entry)
        return outcome.entry
    }

    private func sendAck(for signed: SignedAnnouncement, entry: LogEntry) {
        let announcer = signed.announcement.announcer
        guard announcer != nodeID else { return }
        let ack = Ack(announcementID: signed.id, receiver: nodeID, decision: entry.decision.ackDecision,
                      logIndex: entry.index, logHead: log.head)
        guard let signedAck = try? SignedAck.sign(ack, with: key) else { return }
        if !send(.ack(signedAck.encoded), to: announcer) {
            // Not linked to the announcer: anti-entropy will bring it the log; the ack waits for its resend.
            logger.debug("announcer \(announcer) not connected; ack for \(signed.id) not sent")
        }
    }

    func receiveAck(_ bytes: [UInt8], from peer: NodeID) {
        let signed: SignedAck
        do { signed = try SignedAck(decoding: bytes) } catch {
            logger.warning("ack from \(peer) dropped: \(error)")
            return
        }
        let ack = signed.ack
        metrics.acksReceived.increment()
        pendingAcks.append(AgentStore.ReceivedAck(announcementID: ack.announcementID, recipient: ack.receiver,
                                                  decision: ack.decision.description))
        guard !flushingAcks else { return }
        flushingAcks = true
        Task { self.flushAcks() }
    }

    /// Stores the acks received so far in one transaction. Acks that arrive
    /// while it writes wait in `pendingAcks` for the next flush, so a burst
    /// costs a few fsyncs, not one each. A failed write loses nothing that
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
            let due = ((try? store.deliveries(for: outgoing.id)) ?? []).filter { !$0.acked && $0.nextAttempt <= now }
            let sent = send(.announcement(outgoing.encoded), to: due.map(\.recipient))
            for delivery in due {
                attempts.append(AgentStore.Attempt(announcementID: outgoing.id, recipient: delivery.recipient,
                                                   nextAttempt: now + retry.delay(attempt: delivery.attempts),
                                                   error: sent.contains(delivery.recipient) ? nil : "not connected"))
            }
        }
        recordAttempts(attempts)
    }

    /// On (re)connection: sends the peer everything it has not acknowledged yet.
    func resendPending(to peer: NodeID) {
        let now = Date().timeIntervalSince1970
        guard let unfinished = try? store.unfinished(now: UInt64(now)) else { return }
        var attempts: [AgentStore.Attempt] = []
        for outgoing in unfinished {
            guard let delivery = (try? store.deliveries(for: outgoing.id))?.first(where: { $0.recipient == peer }),
                  !delivery.acked else { continue }
            send(.announcement(outgoing.encoded), to: peer)
            attempts.append(AgentStore.Attempt(announcementID: outgoing.id, recipient: peer,
                                               nextAttempt: now + retry.delay(attempt: delivery.attempts), error: nil))
        }
        recordAttempts(attempts)
    }

    /// Attempts are bookkeeping for backoff and `herald status`: a failed write is logged, and the resend schedule
    /// simply starts over.
    private func recordAttempts(_ attempts: [AgentStore.Attempt]) {
        do { try store.recordAttempts(attempts) } catch {
            logger.error("cannot record \(attempts.count) send attempts: \(error)")
        }
    }

    /// After a crash between the outbox write and our own log entry: logs the
    /// outbox announcements the log lacks, as of when they were made.
    func logUnloggedOutbox() async {
        guard let unfinished = try? store.unfinished(now: Self.unixNow()) else { return }
        for outgoing in unfinished where (try? log.entry(for: outgoing.id)) == nil {
            await accept(outgoing.encoded, receivedAt: outgoing.createdAt)
        }
    }

    // MARK: - Anti-entropy

    func sendSummaries() {
        for peer in links.keys { send(.summary(count: log.count, setHash: setHash), to: peer) }
    }

    /// Sends the whole log to `peer` in bounded batches (its summary differed from ours).
    func sendEntries(to peer: NodeID) {
        var from: UInt64 = 0
        var batch: [WireMessage.Entry] = []
        var size = 0
        let budget = policy.transport.maxEnvelopeSize / 2
        while let page = try? log.entries(from: from, limit: 256), !page.isEmpty {
            for entry in page {
                if batch.count == WireMessage.maxEntries || size + entry.announcement.count + 16 > budget {
                    send(.entries(batch), to: peer)
                    batch = []
                    size = 0
                }
                batch.append(WireMessage.Entry(encoded: entry.announcement, receivedAt: entry.receivedAt))
                size += entry.announcement.count + 16
            }
            from = page[page.count - 1].index + 1
        }
        if !batch.isEmpty { send(.entries(batch), to: peer) }
    }

    /// Logs the entries we lack. Each keeps the sender's receipt time,
    /// clamped to [issued-at, now], so that an announcement that has since
    /// expired is decided as it was when first received.
    func merge(_ entries: [WireMessage.Entry], receivedAt now: UInt64) async {
        for entry in entries {
            guard (try? log.entry(for: AnnouncementID(of: entry.encoded))) == nil else { continue }
            guard let signed = try? SignedAnnouncement(decoding: entry.encoded) else {
                logger.warning("anti-entropy entry dropped: bad announcement")
                continue
            }
            let receivedAt = min(now, max(entry.receivedAt, signed.announcement.issuedAt))
            await accept(entry.encoded, receivedAt: receivedAt)
        }
    }
}
