import Foundation
import GRDB

/// Reads the log in index order and replays every entry, stopping at the
/// first that fails. Also checks the recorded head (entry count and hash),
/// which catches entries cut off the end.
enum LogWalk {
    static func walk(_ db: Database, into replay: inout LogReplay, verifySignatures: Bool) throws {
        if let value = try? DatabaseValue.fetchOne(db, sql: "SELECT entry_count FROM log_head WHERE id = 1"),
           let recorded = Int.fromDatabaseValue(value), recorded > 0 {
            replay.reserveCapacity(min(recorded, 10_000_000))
        }
        let cursor: RowCursor
        do {
            cursor = try Row.fetchCursor(db, sql: "SELECT \(LogEntry.columns) FROM log_entry ORDER BY idx")
        } catch {
            throw LogIntegrityError(index: 0, reason: "unreadable (file truncated or corrupt): \(MembershipLog.message(error))")
        }
        while true {
            let row: Row?
            do {
                row = try cursor.next()
            } catch {
                throw LogIntegrityError(index: replay.count, reason: "unreadable (file truncated or corrupt): \(MembershipLog.message(error))")
            }
            guard let row else { break }
            let entry: LogEntry
            do {
                entry = try LogEntry(row: row)
            } catch {
                throw LogIntegrityError(index: replay.count, reason: "unreadable (file truncated or corrupt): \(error.reason)")
            }
            try replay.check(entry, verifySignature: verifySignatures)
        }
        let head: Row?
        do {
            head = try Row.fetchOne(db, sql: "SELECT entry_count, head_hash FROM log_head WHERE id = 1")
        } catch {
            throw LogIntegrityError(index: replay.count, reason: "log head unreadable: \(MembershipLog.message(error))")
        }
        guard let head,
              let recordedCount = Int64.fromDatabaseValue(head["entry_count"] as DatabaseValue),
              let recordedHash = Data.fromDatabaseValue(head["head_hash"] as DatabaseValue) else {
            throw LogIntegrityError(index: replay.count, reason: "log head record missing")
        }
        if UInt64(max(0, recordedCount)) > replay.count {
            throw LogIntegrityError(index: replay.count, reason: "missing: the log head records \(recordedCount) entries, \(replay.count) are present")
        }
        if UInt64(max(0, recordedCount)) < replay.count || [UInt8](recordedHash) != replay.head.rawRepresentation {
            throw LogIntegrityError(index: replay.count == 0 ? 0 : replay.count - 1,
                                    reason: "the log head (\(recordedCount) entries) does not match the last entry")
        }
    }
}
