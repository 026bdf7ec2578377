import Foundation
import GRDB
import HeraldCrypto
import Membership

/// The agent's own durable state beside the membership log: the outbox of
/// announcements it made, per-recipient delivery state, and its Lamport
/// clock. SQLite in WAL mode with `synchronous = FULL`: every write returns
/// only once it is on disk, except the records of send attempts and of acks,
/// which a power loss may lose without losing a delivery (see
/// ``recordAttempts(_:)`` and ``recordAcks(_:)``).
final class AgentStore: Sendable {
    /// The store's file name inside the data directory.
    static let fileName = "agent.sqlite"

    /// One recipient's view of one outgoing announcement.
    struct Delivery: Sendable, Hashable {
        var announcementID: AnnouncementID
        var recipient: NodeID
        var acked: Bool
        var decision: String?
        var attempts: Int
        var lastError: String?
        /// Unix time (seconds, fractional) of the next resend.
        var nextAttempt: Double
    }

    /// An announcement in the outbox.
    struct Outgoing: Sendable {
        var id: AnnouncementID
        var encoded: [UInt8]
        var createdAt: UInt64
        var giveUpAt: UInt64
    }

    let path: String
    private let pool: DatabasePool

    init(path: String) throws(AgentError) {
        self.path = path
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool.durable(path: path, configuration: configuration)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.execute(sql: """
                    CREATE TABLE clock (id INTEGER PRIMARY KEY CHECK (id = 1), lamport INTEGER NOT NULL);
                    INSERT INTO clock (id, lamport) VALUES (1, 0);
                    CREATE TABLE outbox (
                        id BLOB PRIMARY KEY, announcement BLOB NOT NULL,
                        created_at INTEGER NOT NULL, give_up_at INTEGER NOT NULL);
                    CREATE TABLE delivery (
                        announcement_id BLOB NOT NULL REFERENCES outbox(id), recipient BLOB NOT NULL,
                        acked INTEGER NOT NULL DEFAULT 0, decision TEXT, attempts INTEGER NOT NULL DEFAULT 0,
                        last_error TEXT, next_attempt REAL NOT NULL DEFAULT 0,
                        PRIMARY KEY (announcement_id, recipient));
                    """)
            }
            migrator.registerMigration("v2: index unacknowledged deliveries") { db in
                // Only rows still waiting for an ack: what every retry tick looks for, so
                // its cost follows the announcements in flight, not the whole outbox history.
                try db.execute(sql: "CREATE INDEX delivery_unacked ON delivery (announcement_id) WHERE acked = 0")
            }
            try migrator.migrate(pool)
        } catch {
            throw .store(path: path, message: "\(error)")
        }
    }

    /// The stored Lamport time.
    func lamportTime() throws(AgentError) -> UInt64 {
        try read { db in try UInt64(Int64.fetchOne(db, sql: "SELECT lamport FROM clock WHERE id = 1") ?? 0) }
    }

    /// Stores an outgoing announcement, its recipients and its Lamport time
    /// (the clock moves to it if behind) in one transaction: one fsync.
    ///
    /// - Returns: The outbox entry and its deliveries as stored (none acked
    ///   or attempted yet), for the first send without reading them back.
    @discardableResult
    func enqueue(_ announcement: SignedAnnouncement, recipients: [NodeID], createdAt: UInt64,
                 giveUpAt: UInt64) throws(AgentError) -> (Outgoing, [Delivery]) {
        try write { db in
            try db.execute(sql: "UPDATE clock SET lamport = MAX(lamport, ?) WHERE id = 1",
                           arguments: [Int64(clamping: announcement.announcement.lamportTime)])
            try db.execute(
                sql: "INSERT OR IGNORE INTO outbox (id, announcement, created_at, give_up_at) VALUES (?, ?, ?, ?)",
                arguments: [Data(announcement.id.rawRepresentation), Data(announcement.encoded),
                            Int64(clamping: createdAt), Int64(clamping: giveUpAt)])
            let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO delivery (announcement_id, recipient) VALUES (?, ?)")
            for recipient in recipients {
                try insert.execute(arguments: [Data(announcement.id.rawRepresentation), Data(recipient.rawRepresentation)])
            }
        }
        let outgoing = Outgoing(id: announcement.id, encoded: announcement.encoded, createdAt: createdAt, giveUpAt: giveUpAt)
        let deliveries = recipients.map {
            Delivery(announcementID: announcement.id, recipient: $0, acked: false, decision: nil, attempts: 0, lastError: nil, nextAttempt: 0)
        }
        return (outgoing, deliveries)
    }

    /// Outbox announcements that still have unacknowledged recipients and have not reached their give-up time.
    func unfinished(now: UInt64) throws(AgentError) -> [Outgoing] {
        try read { db in
            // Cached statements here and below: every agent runs these several times a second.
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT id, announcement, created_at, give_up_at FROM outbox
                WHERE give_up_at > ? AND id IN (SELECT announcement_id FROM delivery WHERE acked = 0)
                ORDER BY created_at
                """), arguments: [Int64(clamping: now)])
            return rows.compactMap(Self.outgoing)
        }
    }

    /// The IDs of every announcement in the outbox, oldest first (as made):
    /// IDs only, as the outbox keeps the whole history.
    func outboxIDs() throws(AgentError) -> [AnnouncementID] {
        try read { db in
            try Data.fetchAll(db, sql: "SELECT id FROM outbox ORDER BY created_at, rowid")
                .compactMap { AnnouncementID(rawRepresentation: [UInt8]($0)) }
        }
    }

    /// The outbox entry for `id`, if this agent made it.
    func outgoing(_ id: AnnouncementID) throws(AgentError) -> Outgoing? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT id, announcement, created_at, give_up_at FROM outbox WHERE id = ?",
                             arguments: [Data(id.rawRepresentation)]).flatMap(Self.outgoing)
        }
    }

    /// Every recipient's state for `id`, by node ID.
    func deliveries(for id: AnnouncementID) throws(AgentError) -> [Delivery] {
        try read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT recipient, acked, decision, attempts, last_error, next_attempt FROM delivery
                WHERE announcement_id = ? ORDER BY recipient
                """), arguments: [Data(id.rawRepresentation)])
            return rows.compactMap { row -> Delivery? in
                guard let recipient = try? NodeID(rawRepresentation: [UInt8](row[0] as Data)) else { return nil }
                return Delivery(announcementID: id, recipient: recipient, acked: (row[1] as Int64) != 0,
                                decision: row[2], attempts: Int(row[3] as Int64), lastError: row[4],
                                nextAttempt: row[5])
            }
        }
    }

    /// One send attempt (or its failure) and when to try again.
    struct Attempt: Sendable {
        var announcementID: AnnouncementID
        var recipient: NodeID
        var nextAttempt: Double
        var error: String?
    }

    /// Records send attempts, all in one transaction, without waiting for the
    /// disk (see ``writeUnsynced(_:)``): attempts are bookkeeping for backoff
    /// and `herald status`, and the announcer writes them right after sending,
    /// where an fsync would hold up the acks already arriving. A crash may
    /// lose the latest attempts, which only makes the next resend come sooner.
    func recordAttempts(_ attempts: [Attempt]) throws(AgentError) {
        guard !attempts.isEmpty else { return }
        try writeUnsynced { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE delivery SET attempts = attempts + 1, next_attempt = ?, last_error = ?
                WHERE announcement_id = ? AND recipient = ? AND acked = 0
                """)
            for attempt in attempts {
                try statement.execute(arguments: [attempt.nextAttempt, attempt.error, Data(attempt.announcementID.rawRepresentation),
                                                  Data(attempt.recipient.rawRepresentation)])
            }
        }
    }

    /// A verified ack to record.
    struct ReceivedAck: Sendable {
        var announcementID: AnnouncementID
        var recipient: NodeID
        var decision: String
    }

    /// Records verified acks in one transaction; returns those that were new
    /// (an ack from a recipient that was not expected, or that already acked, is not).
    ///
    /// The commit does not wait for the disk (see ``writeUnsynced(_:)``):
    /// the announcer records acks while more arrive, and an fsync per batch
    /// would hold them all up. The receiver's log entry is what must be
    /// durable, and it is before the ack is sent. A kill -9 loses nothing
    /// here; a power loss may lose the latest acks, and then those recipients
    /// get a resend, which they ack again as a duplicate.
    func recordAcks(_ acks: [ReceivedAck]) throws(AgentError) -> [ReceivedAck] {
        guard !acks.isEmpty else { return [] }
        return try writeUnsynced { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE delivery SET acked = 1, decision = ?, last_error = NULL
                WHERE announcement_id = ? AND recipient = ? AND acked = 0
                """)
            var recorded: [ReceivedAck] = []
            for ack in acks {
                try statement.execute(arguments: [ack.decision, Data(ack.announcementID.rawRepresentation),
                                                  Data(ack.recipient.rawRepresentation)])
                if db.changesCount > 0 { recorded.append(ack) }
            }
            return recorded
        }
    }

    /// Checkpoints and closes the database.
    func close() {
        try? pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        try? pool.close()
    }

    private static func outgoing(_ row: Row) -> Outgoing? {
        guard let id = AnnouncementID(rawRepresentation: [UInt8](row[0] as Data)) else { return nil }
        return Outgoing(id: id, encoded: [UInt8](row[1] as Data), createdAt: UInt64(max(0, row[2] as Int64)),
                        giveUpAt: UInt64(max(0, row[3] as Int64)))
    }

    private func write<T>(_ body: (Database) throws -> T) throws(AgentError) -> T {
        do { return try pool.write(body) } catch { throw .store(path: path, message: "\(error)") }
    }

    /// As `write`, but the commit does not wait for the disk (see
    /// `DatabasePool.writeUnsynced`): for records a power loss may lose.
    private func writeUnsynced<T>(_ body: (Database) throws -> T) throws(AgentError) -> T {
        do { return try pool.writeUnsynced(body) } catch { throw .store(path: path, message: "\(error)") }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(AgentError) -> T {
        do { return try pool.read(body) } catch { throw .store(path: path, message: "\(error)") }
    }
}
