import Foundation
import GRDB

/// The result of auditing a membership log from scratch.
public struct AuditReport: Sendable {
    /// Entries that passed every check.
    public var verifiedEntries: UInt64
    /// The member list re-derived from those entries.
    public var members: [Member]
    /// Its digest.
    public var digest: MembershipDigest
    /// The hash of the last verified entry.
    public var head: LogHash
    /// The first failure, if any.
    public var failure: LogIntegrityError?

    /// True when every entry passed.
    public var passed: Bool { failure == nil }
}

extension MembershipLog {
    /// Audits the log at `path` from scratch without changing it: re-checks
    /// the chain and every entry hash, recovers every signature, re-derives
    /// every decision under `policy`, then the final member list.
    ///
    /// - Returns: The report; `failure` names the first bad entry.
    /// - Throws: ``MembershipLogError/notFound(path:)`` or
    ///   ``MembershipLogError/database(path:message:)`` when the file cannot be opened as a log.
    public static func audit(path: String, policy: Policy, limits: AnnouncementLimits = .default) throws(MembershipLogError) -> AuditReport {
        guard FileManager.default.fileExists(atPath: path) else { throw .notFound(path: path) }
        var replay = LogReplay(policy: policy, limits: limits)
        var failure: LogIntegrityError?
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: LogSchema.configuration(auditing: true))
        } catch {
            throw .database(path: path, message: "cannot open: " + message(error))
        }
        defer { try? queue.close() }
        do {
            try queue.read { db in
                guard try db.tableExists("log_entry") else {
                    throw MembershipLogError.database(path: path, message: "not a membership log (no log_entry table)")
                }
                try LogWalk.walk(db, into: &replay, verifySignatures: true)
            }
        } catch let error as LogIntegrityError {
            failure = error
        } catch let error as MembershipLogError {
            throw error
        } catch {
            failure = LogIntegrityError(index: replay.count, reason: "unreadable (file truncated or corrupt): \(message(error))")
        }
        return AuditReport(
            verifiedEntries: replay.count, members: replay.state.members, digest: replay.state.digest,
            head: replay.head, failure: failure
        )
    }
}
