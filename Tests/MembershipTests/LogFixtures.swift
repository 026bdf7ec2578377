import Foundation
import GRDB
import HeraldCrypto
import TestSupport
@testable import Membership

/// The log files of one test, each at a path of its own under one temporary
/// directory, which goes away with this object: a suite holds one in a
/// stored property, and Swift Testing makes a suite value per test.
final class LogFiles: Sendable {
    private let root = try! TemporaryDirectory()

    /// A new log path (its directory exists, the log file does not yet).
    func path() -> String {
        let directory = root.file(UUID().uuidString)
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        return directory + "/" + MembershipLog.fileName
    }

    deinit { root.remove() }
}

/// A small log with accepted, pending and rejected entries.
enum LogFixtures {
    typealias F = StateFixtures

    /// The announcements of `sample`: 12 entries, the first few a join flow.
    static func sampleAnnouncements() -> [SignedAnnouncement] {
        let join = F.make(.join, subject: 7, by: 1, lamport: 1)
        var items = [
            join,
            F.make(.approve, subject: 7, by: 2, lamport: 2, approving: join.id),
            F.make(.join, subject: 4, by: 4, lamport: 3, roles: ["validator"], host: "10.0.0.4"),
            F.make(.join, subject: 8, by: 9, lamport: 4),                        // unauthorised
            F.make(.leave, subject: 3, by: 3, lamport: 5),
        ]
        for n in 0..<7 {
            items.append(F.make(n % 2 == 0 ? .join : .leave, subject: 4, by: 4, lamport: 6 + UInt64(n), host: "10.0.0.4",
                                issuedAt: Fixtures.now + UInt64(n)))
        }
        return items
    }

    /// A closed log holding `sampleAnnouncements()`, at a new path in `files`.
    static func sample(in files: LogFiles, count: Int? = nil) throws -> String {
        let path = files.path()
        let log = try MembershipLog(path: path, policy: F.policy)
        for item in sampleAnnouncements().prefix(count ?? Int.max) {
            _ = try log.append(item.encoded, receivedAt: Fixtures.now + 10)
        }
        try log.close()
        return path
    }

    /// Runs SQL on the closed log file, as an attacker with file access would.
    static func tamper(_ path: String, _ body: (Database) throws -> Void) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write(body)
        try queue.close()
    }

    /// Recomputes every entry hash from `index` on and the head, as a forger would after an edit.
    static func rechain(_ path: String) throws {
        try tamper(path) { db in
            var previous = LogHash.zero
            var count: Int64 = 0
            for row in try Row.fetchAll(db, sql: "SELECT \(LogEntry.columns) FROM log_entry ORDER BY idx") {
                var entry = try LogEntry(row: row)
                entry.previousHash = previous
                entry.hash = entry.computeHash()
                try db.execute(sql: "UPDATE log_entry SET previous_hash = ?, entry_hash = ? WHERE idx = ?",
                               arguments: [Data(previous.rawRepresentation), Data(entry.hash.rawRepresentation), Int64(entry.index)])
                previous = entry.hash
                count += 1
            }
            try db.execute(sql: "UPDATE log_head SET entry_count = ?, head_hash = ?", arguments: [count, Data(previous.rawRepresentation)])
        }
    }
}
