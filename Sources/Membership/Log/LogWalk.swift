import Foundation
import GRDB

/// Reads the log in index order and replays every entry, stopping at the
/// first that fails. Also checks the recorded head (entry count and hash),
/// which catches entries cut off the end. When the log records its policies
/// (`log_policy`), each is put in force at its entry, the first replacing
/// the policy `replay` started with.
enum LogWalk {
    static func walk(_ db: Database, into replay: inout LogReplay, verifySignatures: Bool) throws {
        var policies = try LogPolicyHistory.read(db)[...]
        if let first = policies.popFirst() {
            replay = LogReplay(policy: first.policy, limits: replay.limits)
        }
        func adoptDue() {
            while let next = policies.first, next.fromIndex == replay.count {
                replay.adopt(next.policy)
                policies.removeFirst()
            }
        }
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
            adoptDue()
            try replay.check(entry, verifySignature: verifySignatures)
        }
        adoptDue()
        if let next = policies.first {
            throw LogIntegrityError(index: replay.count, reason: "a policy is recorded in force from entry \(next.fromIndex), but the log ends here")
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
