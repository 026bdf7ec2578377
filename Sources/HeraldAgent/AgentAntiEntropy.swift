import Foundation
import HeraldCrypto
import Membership

/// Anti-entropy: range reconciliation of the announcement-ID sets of two
/// agents (``RangeReconciliation``), then the entries each lacks.
///
/// An exchange starts with a root summary (on connect and every
/// `anti-entropy-interval-ms`): the sender's fingerprints of the 16 top
/// ranges, a few hundred bytes whatever the log's length. The receiver
/// answers differing ranges with ID lists or deeper fingerprints, pushes
/// the entries the sender lacks and asks (`want`) for the ones it lacks.
extension HeraldAgent {
    /// Sends the root summary to every peer.
    func sendSummaries() {
        for peer in links.keys { sendSummary(to: peer) }
    }

    func sendSummary(to peer: NodeID) {
        send(.reconcile([RangeReconciliation.rootSummary(of: idIndex)]), to: peer)
    }

    /// Answers a peer's range parts: deeper parts, a `want` for what we lack, entries it lacks.
    func reconcile(_ parts: [RangePart], from peer: NodeID) {
        let response = RangeReconciliation.respond(to: parts, with: idIndex)
        let budget = policy.transport.maxEnvelopeSize / 2
        var batch: [RangePart] = []
        var size = 0
        for part in response.parts {
            let partSize: Int
            switch part {
            case .fingerprints: partSize = 16 * 45 + 48
            case .ids(_, let ids): partSize = 33 * ids.count + 48
            }
            if !batch.isEmpty, batch.count == WireMessage.maxRangeParts || size + partSize > budget {
                send(.reconcile(batch), to: peer)
                batch = []
                size = 0
            }
            batch.append(part)
            size += partSize
        }
        if !batch.isEmpty { send(.reconcile(batch), to: peer) }
        let idsPerWant = max(1, min(WireMessage.maxEntries, budget / 33))
        for start in stride(from: 0, to: response.want.count, by: idsPerWant) {
            send(.want(Array(response.want[start..<min(start + idsPerWant, response.want.count)])), to: peer)
        }
        sendEntries(response.push, to: peer)
    }

    /// Sends `peer` the entries for `ids` that we hold, in bounded batches,
    /// skipping those pushed to it on this link within the last minute:
    /// both ends reconcile at once, and a periodic summary may come while
    /// entries are still in flight, so the same entries would otherwise go twice.
    func sendEntries(_ ids: [AnnouncementID], to peer: NodeID) {
        guard links[peer] != nil, !ids.isEmpty else { return }
        let now = Date().timeIntervalSince1970
        var sent = antiEntropySent[peer] ?? (since: now, ids: [])
        if now - sent.since > 60 { sent = (since: now, ids: []) }
        let budget = policy.transport.maxEnvelopeSize / 2
        var batch: [WireMessage.Entry] = []
        var batchIDs: [AnnouncementID] = []
        var size = 0
        func flush() {
            if !batch.isEmpty, send(.entries(batch), to: peer) { sent.ids.formUnion(batchIDs) }
            batch = []
            batchIDs = []
            size = 0
        }
        // In our log's order, which follows Lamport time closely: the receiver's
        // state orders announcements by Lamport time and replays from where an
        // older one slots in, so entries sent in ID order would cost it O(n²).
        let entries = ids.filter { !sent.ids.contains($0) }.compactMap { try? log.entry(for: $0) }.sorted { $0.index < $1.index }
        let unixNow = UInt64(now)
        for entry in entries {
            let id = entry.announcementID
            var item = WireMessage.Entry(encoded: entry.announcement, receivedAt: entry.receivedAt)
            if let signed = entry.verifiedAnnouncement,
               let ack = witnessAck(for: entry, expiresAt: signed.announcement.expiresAt,
                                    announcer: signed.announcement.announcer, now: unixNow) {
                item.witnesses = [ack]
            }
            let itemSize = entry.announcement.count + 16 + item.witnesses.reduce(0) { $0 + $1.count + 3 }
            if batch.count == WireMessage.maxEntries || size + itemSize > budget { flush() }
            batch.append(item)
            batchIDs.append(id)
            size += itemSize
        }
        flush()
        antiEntropySent[peer] = sent
    }

    /// Logs the entries we lack, in one transaction (one fsync per batch),
    /// then applies once and acknowledges each. Each is decided as received
    /// at the sender's receipt time, clamped to [issued-at, now], so that an
    /// announcement that has since expired is decided as it was when first
    /// received; one that had expired before it reached us needs better
    /// evidence than the sender's word and is held until it has it (``LateEntry``).
    func merge(_ entries: [EnvelopeIntake.ReceivedEntry], from peer: NodeID, receivedAt now: UInt64) async {
        var items: [(bytes: [UInt8], receivedAt: UInt64)] = []
        var announcements: [SignedAnnouncement] = []
        var batchIDs: Set<AnnouncementID> = []
        for entry in entries {
            let signed = entry.signed
            guard !idIndex.contains(signed.id), !batchIDs.contains(signed.id),
                  let receivedAt = receiptTime(of: entry, from: peer, now: now) else { continue }
            batchIDs.insert(signed.id)
            items.append((signed.encoded, receivedAt))
            announcements.append(signed)
        }
        guard !items.isEmpty else { return }
        // Oldest first (Lamport time), so the log's state appends rather than replays.
        let order = announcements.indices.sorted {
            (announcements[$0].announcement.lamportTime, announcements[$0].id) < (announcements[$1].announcement.lamportTime, announcements[$1].id)
        }
        items = order.map { items[$0] }
        announcements = order.map { announcements[$0] }
        let outcomes: [MembershipLog.AppendOutcome]
        do {
            outcomes = try log.append(contentsOf: items)
        } catch {
            logger.error("cannot log \(items.count) anti-entropy entries: \(error)")
            return
        }
        var appended = false
        for (signed, outcome) in zip(announcements, outcomes) {
            if record(signed, outcome, from: peer) { appended = true }
        }
        if appended {
            followConsortiumPolicy()
            refreshAllowlist()
            await applyIfChanged()
        }
        for (signed, outcome) in zip(announcements, outcomes) { sendAck(for: signed, entry: outcome.entry, via: peer) }
    }
}
