import Foundation
import GRDB

/// A policy a log was decided under, in force from one entry index on.
struct LogPolicyRecord: Sendable {
    /// The index of the first entry decided under it.
    var fromIndex: UInt64
    /// The policy, loaded from its recorded text.
    var policy: Policy
}

/// The `log_policy` table: every policy a log was decided under, with its
/// YAML text, so that a reopened log re-derives the same decisions after
/// a policy reload. Entry hashes cover each entry's policy hash; a recorded
/// text must load and hash to what it claims.
enum LogPolicyHistory {
    /// The recorded policies in the order they came into force; empty for a
    /// log that has none recorded (one opened without a policy text).
    static func read(_ db: Database) throws -> [LogPolicyRecord] {
        guard try db.tableExists("log_policy") else { return [] }
        let rows = try Row.fetchAll(db, sql: "SELECT from_index, policy_hash, source FROM log_policy ORDER BY seq")
        var records: [LogPolicyRecord] = []
        for row in rows {
            guard let from = Int64.fromDatabaseValue(row["from_index"] as DatabaseValue), from >= 0,
                  let hashData = Data.fromDatabaseValue(row["policy_hash"] as DatabaseValue),
                  let hash = PolicyHash(rawRepresentation: [UInt8](hashData)),
                  let source = String.fromDatabaseValue(row["source"] as DatabaseValue) else {
                throw LogIntegrityError(index: 0, reason: "a recorded policy (log_policy) is malformed")
            }
            let index = UInt64(from)
            if records.isEmpty, index != 0 {
                throw LogIntegrityError(index: 0, reason: "the first recorded policy is in force from entry \(index), not 0")
            }
            if let last = records.last, index < last.fromIndex {
                throw LogIntegrityError(index: index, reason: "recorded policies are out of order")
            }
            let policy: Policy
            do {
                policy = try PolicyLoader.load(yaml: source, path: "policy recorded from entry \(index)")
            } catch {
                throw LogIntegrityError(index: index, reason: "\(error)")
            }
            guard policy.hash == hash else {
                throw LogIntegrityError(index: index, reason: "the policy recorded from here does not hash to \(hash.hex.prefix(12))…")
            }
            records.append(LogPolicyRecord(fromIndex: index, policy: policy))
        }
        return records
    }

    /// True when at least one policy is recorded.
    static func isRecorded(_ db: Database) throws -> Bool {
        try db.tableExists("log_policy") && (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM log_policy") ?? 0) > 0
    }

    /// Records `policy` (its text `source`) as in force from entry `index` on.
    static func record(_ db: Database, policy: Policy, source: String, from index: UInt64) throws {
        try db.execute(
            sql: "INSERT INTO log_policy (from_index, policy_hash, source) VALUES (?, ?, ?)",
            arguments: [Int64(index), Data(policy.hash.rawRepresentation), source]
        )
    }
}
