import Foundation
import GRDB
import HeraldCrypto

/// The durable, hash-chained, append-only membership log of one agent.
///
/// Every announcement received is appended with its decision, even when
/// rejected, in one SQLite write transaction (WAL, `synchronous = FULL`):
/// ``append(_:receivedAt:)`` returns only once the entry is durable. Each
/// entry's hash covers the previous entry's hash, so altering, dropping or
/// reordering entries breaks the chain; ``audit(path:policy:limits:)``
/// re-checks everything from scratch.
public final class MembershipLog: @unchecked Sendable {
    /// The log's file name inside an agent's data directory.
    public static let fileName = "membership.sqlite"

    /// What an append did.
    public enum AppendOutcome: Hashable, Sendable {
        /// The entry was written and is durable.
        case appended(LogEntry)
        /// The announcement was already in the log at this entry; nothing was written.
        case duplicate(LogEntry)

        /// The new or existing entry.
        public var entry: LogEntry {
            switch self {
            case .appended(let entry), .duplicate(let entry): return entry
            }
        }
    }

    /// The database file.
    public let path: String
    /// The policy put in force locally: the one the log was opened with, or the last
    /// ``replacePolicy(_:source:)``.
    public var policy: Policy { lock.withLock { replay.policy } }
    /// The policy the log decides new entries under: the last consortium policy change's
    /// (see ``policyChanges``), or else ``policy``.
    public var policyInForce: Policy { lock.withLock { replay.state.policyInForce } }
    /// ``policyInForce``'s hash (kept, not recomputed).
    public var policyHashInForce: PolicyHash { lock.withLock { replay.policyHash } }
    /// The consortium policy changes that took effect, in order: the log's policy history
    /// as the consortium agreed it (each change's text is in its entry).
    public var policyChanges: [AcceptedPolicyChange] { lock.withLock { replay.state.policyChanges } }

    private let pool: DatabasePool
    private let lock = NSLock()
    private var replay: LogReplay {
        didSet {   // any change: an entry, a policy, a reload or a rollback
            cachedMembers = nil
            cachedDigest = nil
        }
    }
    /// The member list and its digest, each derived from `replay` on first
    /// use after a change: an agent reads them several times per
    /// announcement and every 200 ms, and sorting, encoding and hashing the
    /// list each time showed in profiles.
    private var cachedMembers: [Member]?
    private var cachedDigest: MembershipDigest?
    /// Whether `log_policy` holds the policies decided under, so that another can be put in force.
    private var policyRecorded = false
    /// Test hook: runs inside the append transaction, after the writes and
    /// before the commit; throwing rolls the append back (a simulated crash).
    var beforeCommit: (@Sendable () throws -> Void)?

    /// Opens (creating if needed) the log at `path` and checks its
    /// integrity: chain, entry hashes and re-derived decisions.
    ///
    /// With `source`, the text `policy` was loaded from, the log records the
    /// policy, so that a later ``replacePolicy(_:source:)`` is possible; and
    /// when the log was last decided under another recorded policy (the file
    /// changed while the agent was stopped), `policy` is put in force from
    /// the next entry on, as a reload would.
    ///
    /// - Throws: ``MembershipLogError/integrity(path:_:)`` naming the first bad entry,
    ///   ``MembershipLogError/policyRefused(path:reason:)`` for a policy that cannot
    ///   be put in force, or ``MembershipLogError/database(path:message:)``.
    public init(path: String, policy: Policy, source: String? = nil, limits: AnnouncementLimits = .default) throws(MembershipLogError) {
        self.path = path
        do {
            pool = try DatabasePool.durable(path: path, configuration: LogSchema.configuration())
            try LogSchema.migrator.migrate(pool)
        } catch {
            // A damaged file: name the first entry that cannot be read, if the audit can.
            if let error = error as? DatabaseError, [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode),
               let failure = try? Self.audit(path: path, policy: policy, limits: limits).failure {
                throw .integrity(path: path, failure)
            }
            throw .database(path: path, message: Self.message(error))
        }
        replay = LogReplay(policy: policy, limits: limits)
        replay = try Self.load(pool, path: path, policy: policy, limits: limits)
        do {
            policyRecorded = try pool.read { db in try LogPolicyHistory.isRecorded(db) }
        } catch {
            throw .database(path: path, message: Self.message(error))
        }
        if replay.policyHash != policy.hash && !replay.isConsortiumGoverned {
            guard let source else {
                throw .policyRefused(path: path, reason: "the log was last decided under policy \(replay.policyHash.hex.prefix(12))…, "
                                     + "not \(policy.hash.hex.prefix(12))…, and no policy text was given to record")
            }
            try adopt(policy, source: source)
        } else if !policyRecorded, let source {
            // Every entry was decided under `policy` (the load checked it).
            try record(policy, source: source, from: 0)
            policyRecorded = true
        }
    }

    /// Puts `policy` in force for the entries appended from now on, unless a
    /// consortium policy change has taken effect (then the consortium's decides), and
    /// records it with its YAML text `source` in the same database, so
    /// that a reopened log re-derives the same decisions. Existing entries
    /// keep their recorded decisions; the membership state is re-derived
    /// (see ``MembershipState/adopt(_:)``): announcements made under an
    /// earlier policy keep being judged under it.
    ///
    /// - Returns: False when `policy` is already in force (nothing is written).
    /// - Throws: ``MembershipLogError/policyRefused(path:reason:)`` when `policy`
    ///   names another consortium or the log was opened without its policy text;
    ///   ``MembershipLogError/database(path:message:)`` when the record cannot be
    ///   written (the previous policy stays in force).
    @discardableResult
    public func replacePolicy(_ policy: Policy, source: String) throws(MembershipLogError) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return try adopt(policy, source: source)
    }

    /// ``replacePolicy(_:source:)`` with the lock held.
    @discardableResult
    private func adopt(_ policy: Policy, source: String) throws(MembershipLogError) -> Bool {
        guard policy.hash != replay.policyHash else { return false }
        guard !replay.isConsortiumGoverned else {
            throw .policyRefused(path: path, reason: "the consortium put policy \(replay.policyHash.hex.prefix(12))… in force by a policy change; "
                                 + "a local file no longer replaces it (propose it with 'herald policy propose')")
        }
        guard policy.consortium.name == replay.policy.consortium.name else {
            throw .policyRefused(path: path, reason: "the consortium name changes from '\(replay.policy.consortium.name)' "
                                 + "to '\(policy.consortium.name)'")
        }
        guard policyRecorded else {
            throw .policyRefused(path: path, reason: "the log holds no record of the policy in force (it was opened without the policy text)")
        }
        try record(policy, source: source, from: replay.count)
        replay.adopt(policy)
        return true
    }

    private func record(_ policy: Policy, source: String, from index: UInt64) throws(MembershipLogError) {
        do {
            try pool.write { db in try LogPolicyHistory.record(db, policy: policy, source: source, from: index) }
        } catch {
            throw .database(path: path, message: Self.message(error))
        }
    }

    /// Checkpoints the write-ahead log into the database file and closes it;
    /// the log must not be used afterwards.
    public func close() throws(MembershipLogError) {
        do {
            try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            try pool.close()
        } catch {
            throw .database(path: path, message: Self.message(error))
        }
    }

    /// Appends a received announcement (signed bytes) with its decision.
    ///
    /// Decodes and verifies it, applies the receipt checks and the policy,
    /// and writes one entry in one transaction. A rejected announcement is
    /// still logged, as a rejection record that changes no membership.
    /// Appending an announcement already in the log writes nothing.
    ///
    /// - Returns: The durable entry, or the existing one for a duplicate.
    /// - Throws: ``MembershipLogError/oversized(size:limit:)`` for input larger than any
    ///   announcement (not logged), ``MembershipLogError/database(path:message:)`` when the
    ///   write fails (nothing is logged and the state is unchanged).
    public func append(_ bytes: some Collection<UInt8>, receivedAt: UInt64) throws(MembershipLogError) -> AppendOutcome {
        let bytes = Array(bytes)
        return try append(bytes, id: AnnouncementID(of: bytes), receivedAt: receivedAt, verifySignature: true)
    }

    /// When an appended entry is on disk.
    public enum Durability: Sendable {
        /// Before `append` returns (one fsync): what a receiver's ack promises.
        case synced
        /// With the next synced append or checkpoint. A power loss before
        /// that may lose the entry, with any later deferred one; a crash of
        /// the process loses nothing. Only for an entry whose announcement is
        /// kept durably elsewhere, such as an agent's own, in its outbox.
        case deferred
    }

    /// Appends an announcement the caller has already decoded: as
    /// ``append(_:receivedAt:)``, without a second public-key recovery (a
    /// ``SignedAnnouncement`` value always holds a verified signature).
    public func append(_ signed: SignedAnnouncement, receivedAt: UInt64,
                       durability: Durability = .synced) throws(MembershipLogError) -> AppendOutcome {
        try append(signed.encoded, id: signed.id, receivedAt: receivedAt, verifySignature: false, durability: durability)
    }

    private func append(_ bytes: [UInt8], id: AnnouncementID, receivedAt: UInt64, verifySignature: Bool,
                        durability: Durability = .synced) throws(MembershipLogError) -> AppendOutcome {
        let limit = replay.limits.maxEncodedSize
        guard bytes.count <= limit else { throw .oversized(size: bytes.count, limit: limit) }
        lock.lock()
        defer { lock.unlock() }
        if let index = replay.positions[id] {
            guard let existing = try entry(at: index) else {
                throw .database(path: path, message: "entry \(index) vanished")
            }
            return .duplicate(existing)
        }
        let entry = replay.makeEntry(bytes, id: id, receivedAt: receivedAt, verifySignature: verifySignature)
        let hook = beforeCommit
        let write = { (db: Database) throws in
            // Cached: an agent appends for every announcement it hears, and parsing the SQL each time showed in profiles.
            try db.cachedStatement(sql: "INSERT INTO log_entry (\(LogEntry.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .execute(arguments: entry.arguments)
            try db.cachedStatement(sql: "UPDATE log_head SET entry_count = ?, head_hash = ? WHERE id = 1")
                .execute(arguments: [Int64(entry.index + 1), Data(entry.hash.rawRepresentation)])
            try hook?()
        }
        do {
            switch durability {
            case .synced: try pool.write(write)
            case .deferred: try pool.writeUnsynced(write)
            }
        } catch {
            // The state already took the announcement in; rebuild it from what is on disk.
            if let reloaded = try? Self.load(pool, path: path, policy: replay.policy, limits: replay.limits) {
                replay = reloaded
            }
            throw .database(path: path, message: Self.message(error))
        }
        replay.advance(past: entry)
        return .appended(entry)
    }

    /// Appends many received announcements in one transaction (anti-entropy
    /// catch-up, bulk import): as ``append(_:receivedAt:)`` for each, in
    /// order, but with one commit, so one fsync. All or none are written.
    ///
    /// - Returns: One outcome per input, in order.
    public func append(contentsOf items: [(bytes: [UInt8], receivedAt: UInt64)]) throws(MembershipLogError) -> [AppendOutcome] {
        let limit = replay.limits.maxEncodedSize
        if let oversized = items.first(where: { $0.bytes.count > limit }) {
            throw .oversized(size: oversized.bytes.count, limit: limit)
        }
        lock.lock()
        defer { lock.unlock() }
        var outcomes: [AppendOutcome] = []
        var written: [LogEntry] = []
        var batch: [AnnouncementID: LogEntry] = [:]
        let start = replay
        for item in items {
            let id = AnnouncementID(of: item.bytes)
            if let index = replay.positions[id] {
                let existing: LogEntry?
                if let inBatch = batch[id] { existing = inBatch } else { existing = try entry(at: index) }
                guard let existing else {
                    throw .database(path: path, message: "entry \(index) vanished")
                }
                outcomes.append(.duplicate(existing))
                continue
            }
            let entry = replay.makeEntry(item.bytes, id: id, receivedAt: item.receivedAt)
            replay.advance(past: entry)
            batch[id] = entry
            written.append(entry)
            outcomes.append(.appended(entry))
        }
        guard let last = written.last else { return outcomes }
        let hook = beforeCommit
        do {
            try pool.write { db in
                let statement = try db.makeStatement(sql: "INSERT INTO log_entry (\(LogEntry.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                for entry in written { try statement.execute(arguments: entry.arguments) }
                try db.execute(
                    sql: "UPDATE log_head SET entry_count = ?, head_hash = ? WHERE id = 1",
                    arguments: [Int64(last.index + 1), Data(last.hash.rawRepresentation)]
                )
                try hook?()
            }
        } catch {
            replay = start
            throw .database(path: path, message: Self.message(error))
        }
        return outcomes
    }

    /// Number of entries.
    public var count: UInt64 { lock.withLock { replay.count } }
    /// The hash of the last entry (zero when empty).
    public var head: LogHash { lock.withLock { replay.head } }
    /// The membership state derived from the log.
    public var state: MembershipState { lock.withLock { replay.state } }
    /// The current members, sorted by node ID.
    public var members: [Member] {
        lock.withLock {
            if let cachedMembers { return cachedMembers }
            let members = replay.state.members
            cachedMembers = members
            return members
        }
    }
    /// The digest of the current member list.
    public var digest: MembershipDigest {
        lock.withLock {
            if let cachedDigest { return cachedDigest }
            let digest = replay.state.digest
            cachedDigest = digest
            return digest
        }
    }

    /// The entry at `index`, if there is one.
    public func entry(at index: UInt64) throws(MembershipLogError) -> LogEntry? {
        try entries(from: index, limit: 1).first
    }

    /// The entry holding announcement `id`, if any.
    public func entry(for id: AnnouncementID) throws(MembershipLogError) -> LogEntry? {
        guard let index = lock.withLock({ replay.positions[id] }) else { return nil }
        return try entry(at: index)
    }

    /// Up to `limit` entries from `index` on, in order.
    public func entries(from index: UInt64, limit: Int) throws(MembershipLogError) -> [LogEntry] {
        do {
            return try pool.read { db in
                let rows = try Row.fetchAll(
                    db, sql: "SELECT \(LogEntry.columns) FROM log_entry WHERE idx >= ? ORDER BY idx LIMIT ?",
                    arguments: [Int64(clamping: index), max(0, limit)]
                )
                return try rows.map { row throws(LogIntegrityError) in try LogEntry(row: row) }
            }
        } catch let error as LogIntegrityError {
            throw .integrity(path: path, error)
        } catch {
            throw .database(path: path, message: Self.message(error))
        }
    }

    // MARK: - Loading

    /// Replays the whole log on disk, checking the chain and the decisions
    /// (signatures are covered by the entry hashes; the audit recovers them).
    private static func load(_ pool: DatabasePool, path: String, policy: Policy, limits: AnnouncementLimits) throws(MembershipLogError) -> LogReplay {
        var replay = LogReplay(policy: policy, limits: limits)
        do {
            try pool.read { db in
                try LogWalk.walk(db, into: &replay, verifySignatures: false)
            }
        } catch let error as LogIntegrityError {
            throw .integrity(path: path, error)
        } catch {
            throw .database(path: path, message: message(error))
        }
        return replay
    }

    static func message(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error)" }
        return "\(error)"
    }
}

extension MembershipLog {
    /// A pragma as the writing connection sees it, the one whose commits
    /// must be durable (for tests: `synchronous`, `journal_mode`).
    func pragma(_ name: String) throws -> String? {
        try pool.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }
}
