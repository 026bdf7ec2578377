import Foundation
import GRDB
import HeraldCrypto
import RLP

/// One record of the membership log: an announcement as received (signed
/// bytes, even when rejected), what was decided, when, under which policy,
/// and the hash chaining it to the previous entry.
public struct LogEntry: Hashable, Sendable {
    /// Position in the log, from 0.
    public var index: UInt64
    /// The ID of the announcement (keccak256 of ``announcement``).
    public var announcementID: AnnouncementID
    /// The signed announcement bytes, as received.
    public var announcement: [UInt8]
    /// The decision taken on append.
    public var decision: PolicyDecision
    /// Receipt time, Unix seconds.
    public var receivedAt: UInt64
    /// The policy in force when it was decided.
    public var policyHash: PolicyHash
    /// The hash of the previous entry (zero for the first).
    public var previousHash: LogHash
    /// This entry's hash (see ``computeHash()``).
    public var hash: LogHash

    /// keccak256 of the RLP list
    /// `["herald/log-entry/v1", index, previousHash, announcement, decision, receivedAt, policyHash]`.
    public func computeHash() -> LogHash {
        var writer = RLPWriter(reservingCapacity: announcement.count + 200)
        writer.writeList { list in
            list.write(bytes: Self.domain)
            list.write(index)
            list.write(bytes: previousHash.rawRepresentation)
            list.write(bytes: announcement)
            list.write(decision)
            list.write(receivedAt)
            list.write(bytes: policyHash.rawRepresentation)
        }
        return LogHash(value: .keccak(writer.bytes))
    }

    private static let domain = Array("herald/log-entry/v1".utf8)

    /// The announcement of an entry that was not rejected, decoded without
    /// a second public-key recovery: its signature was verified when it was
    /// appended, and the entry's hash covers the bytes. Nil for a rejected
    /// entry, whose bytes may carry any signature.
    package var verifiedAnnouncement: SignedAnnouncement? {
        if case .rejected = decision { return nil }
        return try? SignedAnnouncement(decoding: announcement, limits: .default, verifySignature: false, knownID: announcementID)
    }
}

extension LogEntry {
    /// Reads a `log_entry` row, reporting a malformed column as a reason.
    init(row: Row) throws(LogIntegrityError) {
        // Column values are converted without trapping: a tampered file may hold anything.
        guard let index = Int64.fromDatabaseValue(row[Column.idx.rawValue] as DatabaseValue), index >= 0 else {
            throw LogIntegrityError(index: 0, reason: "bad index column")
        }
        let position = UInt64(index)
        func blob(_ column: Column) throws(LogIntegrityError) -> [UInt8] {
            guard let data = Data.fromDatabaseValue(row[column.rawValue] as DatabaseValue) else {
                throw LogIntegrityError(index: position, reason: "\(column) is not a blob")
            }
            return [UInt8](data)
        }
        func hash32(_ column: Column) throws(LogIntegrityError) -> Bytes32 {
            guard let data = Data.fromDatabaseValue(row[column.rawValue] as DatabaseValue), let value = Bytes32(data) else {
                throw LogIntegrityError(index: position, reason: "\(column) is not a 32-byte blob")
            }
            return value
        }
        let decisionBytes = try blob(.decision)
        let decision: PolicyDecision
        do {
            decision = try RLP.decode(PolicyDecision.self, from: decisionBytes)
        } catch {
            throw LogIntegrityError(index: position, reason: "decision does not decode: \(error)")
        }
        guard let receivedAt = Int64.fromDatabaseValue(row[Column.receivedAt.rawValue] as DatabaseValue), receivedAt >= 0 else {
            throw LogIntegrityError(index: position, reason: "received_at is not a time")
        }
        self.init(
            index: position,
            announcementID: AnnouncementID(value: try hash32(.announcementID)),
            announcement: try blob(.announcement),
            decision: decision,
            receivedAt: UInt64(receivedAt),
            policyHash: PolicyHash(value: try hash32(.policyHash)),
            previousHash: LogHash(value: try hash32(.previousHash)),
            hash: LogHash(value: try hash32(.entryHash))
        )
    }

    /// The row's column values for an insert.
    var arguments: StatementArguments {
        [
            Int64(index), Data(announcementID.rawRepresentation), Data(announcement),
            Data(RLP.encode(decision)), Int64(receivedAt), Data(policyHash.rawRepresentation),
            Data(previousHash.rawRepresentation), Data(hash.rawRepresentation),
        ]
    }

    /// The columns of `log_entry` in ``columns`` order; rows are read by position.
    enum Column: Int, CustomStringConvertible {
        case idx, announcementID, announcement, decision, receivedAt, policyHash, previousHash, entryHash

        var description: String {
            ["idx", "announcement_id", "announcement", "decision", "received_at", "policy_hash", "previous_hash", "entry_hash"][rawValue]
        }
    }

    /// Every column, in ``Column`` order; a row read with ``init(row:)`` must select exactly these.
    static let columns = "idx, announcement_id, announcement, decision, received_at, policy_hash, previous_hash, entry_hash"
}
