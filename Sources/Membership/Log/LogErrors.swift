/// The log fails its integrity check at `index`: the first entry whose
/// chain, hash, signature or decision does not hold.
public struct LogIntegrityError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The first bad entry.
    public var index: UInt64
    /// What is wrong with it.
    public var reason: String

    /// Creates the error.
    public init(index: UInt64, reason: String) {
        self.index = index
        self.reason = reason
    }

    /// `entry 17: <reason>`.
    public var description: String { "entry \(index): \(reason)" }
}

/// Why a membership log operation failed.
public enum MembershipLogError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The log file does not exist (audit never creates one).
    case notFound(path: String)
    /// SQLite refused: the file is unreadable, locked, full or not a database.
    case database(path: String, message: String)
    /// The log on disk fails its integrity check.
    case integrity(path: String, LogIntegrityError)
    /// The input is larger than any announcement may be; nothing was stored.
    case oversized(size: Int, limit: Int)
    /// A new policy cannot be put in force for this log; the previous one stays.
    case policyRefused(path: String, reason: String)

    /// One sentence naming the file and the problem.
    public var description: String {
        switch self {
        case .notFound(let path): return "\(path): no membership log here"
        case .database(let path, let message): return "\(path): database error: \(message)"
        case .integrity(let path, let error): return "\(path): integrity check failed at \(error)"
        case .oversized(let size, let limit): return "announcement of \(size) bytes exceeds the limit of \(limit); not logged"
        case .policyRefused(let path, let reason): return "\(path): policy not adopted: \(reason)"
        }
    }
}
