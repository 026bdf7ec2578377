import HeraldCrypto
import Membership

/// An anti-entropy entry that had expired before it reached this agent,
/// while the peer that sent it says it was received in time.
///
/// Whether an announcement counts depends on when it was received: after
/// its expiry it is rejected. An agent that catches up through
/// anti-entropy must decide an entry as its first receivers did, or the
/// logs diverge; but taking the sender's word for the receipt time would
/// let any allowlisted agent revive an announcement that expired unseen.
/// So an entry that has expired on arrival is decided as received in time
/// only on better evidence than one peer's word:
/// - its own announcer sends it (the announcer could as well sign it anew), or
/// - signed acks that say "accepted" or "pending" come with it from at
///   least `late-entry-witnesses` members (each agent attaches its own ack
///   when it sends such an entry, so witnesses add up across peers).
///
/// Until then it is held here, not logged: a rejection would be final,
/// while a held entry is taken in as soon as the evidence arrives.
struct LateEntry: Sendable {
    /// The earliest receipt time a sender claimed, clamped to [issued-at, expires-at].
    var receivedAt: UInt64
    /// Members whose acks say they took it in time.
    var witnesses: Set<NodeID>

    /// Most entries held at once; more are dropped and asked for again at
    /// the next reconciliation.
    static let limit = 4096
}

extension HeraldAgent {
    /// When to decide `entry` as received, or nil to hold it back (see ``LateEntry``).
    ///
    /// An entry that has not expired here is decided as received at the
    /// sender's receipt time clamped to [issued-at, now].
    func receiptTime(of entry: EnvelopeIntake.ReceivedEntry, from sender: NodeID, now: UInt64) -> UInt64? {
        let announcement = entry.signed.announcement
        let claimed = min(now, max(entry.claimedReceivedAt, announcement.issuedAt))
        guard now > announcement.expiresAt, claimed <= announcement.expiresAt else { return claimed }
        if sender == announcement.announcer { return claimed }

        let id = entry.signed.id
        var late = lateEntries[id] ?? LateEntry(receivedAt: claimed, witnesses: [])
        late.receivedAt = min(late.receivedAt, claimed)
        if !entry.witnesses.isEmpty {
            late.witnesses.formUnion(entry.witnesses.intersection(Self.allowed(log: log, policy: policy, pendingJoins: [:])))
        }
        if late.witnesses.count >= configuration.lateEntryWitnesses {
            lateEntries[id] = nil
            logger.notice("anti-entropy entry \(id.hex) expired here; taken in as received in time on \(late.witnesses.count) members' acks")
            return late.receivedAt
        }
        if lateEntries[id] == nil {
            guard lateEntries.count < LateEntry.limit else { return nil }
            logger.notice("anti-entropy entry \(id.hex) from \(sender.hex.prefix(8)) expired here; held until \(configuration.lateEntryWitnesses) members' acks say it was received in time (\(late.witnesses.count) so far)")
        }
        lateEntries[id] = late
        return nil
    }

    /// Our own signed ack of `entry`, to send along with it when the
    /// receiver may find it expired; nil when we rejected it or announced
    /// it (the announcer's word counts without one).
    func witnessAck(for entry: LogEntry, expiresAt: UInt64, announcer: NodeID, now: UInt64) -> [UInt8]? {
        guard announcer != nodeID, now + policy.delivery.maxClockSkew >= expiresAt else { return nil }
        if case .rejected = entry.decision { return nil }
        let ack = Ack(announcementID: entry.announcementID, receiver: nodeID, decision: entry.decision.ackDecision,
                      logIndex: entry.index, logHead: entry.hash)
        return try? SignedAck.sign(ack, with: key).encoded
    }
}
