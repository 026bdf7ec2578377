import HeraldCrypto

/// The log as replayed so far: membership state, entry count, head hash and
/// where each announcement sits. Shared by append, open and audit, so that
/// all three decide exactly alike.
struct LogReplay: Sendable {
    /// The policy put in force locally (the file the log was opened with, or a reload).
    private(set) var policy: Policy
    /// The hash of the policy new entries are decided under: the last consortium
    /// policy change's, or else ``policy``'s.
    private(set) var policyHash: PolicyHash
    let limits: AnnouncementLimits
    private(set) var state: MembershipState
    private(set) var count: UInt64 = 0
    private(set) var head: LogHash = .zero
    private(set) var positions: [AnnouncementID: UInt64] = [:]

    init(policy: Policy, limits: AnnouncementLimits) {
        self.policy = policy
        policyHash = policy.hash
        self.limits = limits
        state = MembershipState(policy: policy)
    }

    /// Puts `policy` in force for the entries that follow (see ``MembershipState/adopt(_:)``).
    mutating func adopt(_ policy: Policy) {
        self.policy = policy
        state.adopt(policy)
        policyHash = state.policyHashInForce
    }

    /// True once a consortium policy change has taken effect: from then on the
    /// log decides by the consortium's policy, not by a local file.
    var isConsortiumGoverned: Bool { !state.policyChanges.isEmpty }

    /// Receipt checks then policy: the decision for `bytes` received at
    /// `receivedAt`. A valid announcement joins the state; a rejected one
    /// on receipt does not.
    mutating func decide(_ bytes: [UInt8], id: AnnouncementID, receivedAt: UInt64, verifySignature: Bool) -> PolicyDecision {
        let signed: SignedAnnouncement
        do {
            signed = try SignedAnnouncement(decoding: bytes, limits: limits, verifySignature: verifySignature, knownID: id)
            try signed.verify(consortium: policy.consortium.name, receivedAt: receivedAt, maxClockSkew: policy.delivery.maxClockSkew)
        } catch {
            return PolicyDecision(error)
        }
        let decision = state.insert(signed)
        policyHash = state.policyHashInForce   // a policy change may have taken effect (or, by an earlier entry, lost it)
        return decision
    }

    /// The next entry for `bytes`, deciding it (mutates the state). `verifySignature` is false only for
    /// bytes that a ``SignedAnnouncement`` value already verified.
    /// The entry records the policy in force when it was decided (a policy change that it
    /// puts in force applies from the next entry).
    mutating func makeEntry(_ bytes: [UInt8], id: AnnouncementID, receivedAt: UInt64, verifySignature: Bool = true) -> LogEntry {
        let decidedUnder = policyHash
        let decision = decide(bytes, id: id, receivedAt: receivedAt, verifySignature: verifySignature)
        var entry = LogEntry(
            index: count, announcementID: id, announcement: bytes, decision: decision, receivedAt: receivedAt,
            policyHash: decidedUnder, previousHash: head, hash: .zero
        )
        entry.hash = entry.computeHash()
        return entry
    }

    /// Makes room for `count` entries.
    mutating func reserveCapacity(_ count: Int) {
        positions.reserveCapacity(count)
        state.reserveCapacity(count)
    }

    /// Records a committed entry.
    mutating func advance(past entry: LogEntry) {
        positions[entry.announcementID] = entry.index
        count = entry.index + 1
        head = entry.hash
    }

    /// Checks `entry` as the next one of the log and replays it: index,
    /// chain link, entry hash, announcement ID, policy, signature (when
    /// `verifySignature`) and the re-derived decision.
    mutating func check(_ entry: LogEntry, verifySignature: Bool) throws(LogIntegrityError) {
        let index = count
        func fail(_ reason: String) -> LogIntegrityError { LogIntegrityError(index: index, reason: reason) }
        guard entry.index == index else {
            throw entry.index > index
                ? fail("missing (the next entry present is \(entry.index))")
                : fail("index \(entry.index) out of order")
        }
        guard entry.previousHash == head else {
            throw fail("previous hash \(entry.previousHash.hex.prefix(12))… does not match the hash of entry \(index == 0 ? "-" : "\(index - 1)") (\(head.hex.prefix(12))…)")
        }
        guard entry.computeHash() == entry.hash else {
            throw fail("entry hash does not match its contents (the entry was altered)")
        }
        guard AnnouncementID(of: entry.announcement) == entry.announcementID else {
            throw fail("announcement ID does not match the announcement bytes")
        }
        if let earlier = positions[entry.announcementID] {
            throw fail("announcement \(entry.announcementID) already logged at entry \(earlier)")
        }
        guard entry.policyHash == policyHash else {
            throw fail("decided under policy \(entry.policyHash.hex.prefix(12))…, but the policy in force here is \(policyHash.hex.prefix(12))…")
        }
        let derived = decide(entry.announcement, id: entry.announcementID, receivedAt: entry.receivedAt, verifySignature: verifySignature)
        guard derived == entry.decision else {
            throw fail("decision differs: the log says \"\(entry.decision)\", re-derived \"\(derived)\"")
        }
        advance(past: entry)
    }
}
