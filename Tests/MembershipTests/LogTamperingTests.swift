import Foundation
import GRDB
import HeraldCrypto
import RLP
import Testing
@testable import Membership

/// Each way of altering the log is caught by the audit at the first bad
/// entry, and by opening the log.
@Suite("Log tampering")
struct LogTamperingTests {
    /// This test\'s log files, removed after it.
    let files = LogFiles()

    typealias F = StateFixtures

    func expectFailure(_ path: String, at index: UInt64, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let report = try MembershipLog.audit(path: path, policy: F.policy)
        #expect(report.failure?.index == index, "\(String(describing: report.failure))", sourceLocation: sourceLocation)
        #expect(report.failure?.reason.contains(text) == true, "\(String(describing: report.failure))", sourceLocation: sourceLocation)
        #expect(report.verifiedEntries == index, sourceLocation: sourceLocation)
        #expect {
            try MembershipLog(path: path, policy: F.policy)
        } throws: { error in
            guard case .integrity(_, let failure) = error as? MembershipLogError else { return false }
            return failure.index == index
        }
    }

    @Test("an edited decision breaks the entry hash")
    func editDecision() throws {
        let path = try LogFixtures.sample(in: files)
        try LogFixtures.tamper(path) { db in
            try db.execute(sql: "UPDATE log_entry SET decision = ? WHERE idx = 3",
                           arguments: [Data(RLP.encode(PolicyDecision.accepted))])
        }
        try expectFailure(path, at: 3, containing: "entry hash does not match")
    }

    @Test("an edited decision with the chain recomputed is caught by re-deriving it")
    func editDecisionAndRechain() throws {
        let path = try LogFixtures.sample(in: files)
        try LogFixtures.tamper(path) { db in
            try db.execute(sql: "UPDATE log_entry SET decision = ? WHERE idx = 3",
                           arguments: [Data(RLP.encode(PolicyDecision.accepted))])
        }
        try LogFixtures.rechain(path)
        try expectFailure(path, at: 3, containing: "decision differs: the log says \"accepted\", re-derived \"rejected: announcer")
    }

    @Test("a dropped entry is missing at its index")
    func dropEntry() throws {
        let path = try LogFixtures.sample(in: files)
        try LogFixtures.tamper(path) { db in try db.execute(sql: "DELETE FROM log_entry WHERE idx = 4") }
        try expectFailure(path, at: 4, containing: "missing (the next entry present is 5)")
    }

    @Test("a dropped last entry is missing according to the log head")
    func dropLastEntry() throws {
        let path = try LogFixtures.sample(in: files)
        try LogFixtures.tamper(path) { db in try db.execute(sql: "DELETE FROM log_entry WHERE idx = 11") }
        try expectFailure(path, at: 11, containing: "the log head records 12 entries, 11 are present")
    }

    @Test("two swapped entries break the chain at the first")
    func reorder() throws {
        let path = try LogFixtures.sample(in: files)
        try LogFixtures.tamper(path) { db in
            try db.execute(sql: "UPDATE log_entry SET idx = 1000 WHERE idx = 2")
            try db.execute(sql: "UPDATE log_entry SET idx = 2 WHERE idx = 6")
            try db.execute(sql: "UPDATE log_entry SET idx = 6 WHERE idx = 1000")
        }
        try expectFailure(path, at: 2, containing: "previous hash")
    }

    @Test("two swapped entry contents break the chain at the first")
    func reorderContents() throws {
        let path = try LogFixtures.sample(in: files)
        try LogFixtures.tamper(path) { db in
            let columns = "announcement_id, announcement, decision, received_at, policy_hash, previous_hash, entry_hash"
            let rows = try Row.fetchAll(db, sql: "SELECT \(columns) FROM log_entry WHERE idx IN (2, 6) ORDER BY idx")
            try db.execute(sql: "DELETE FROM log_entry WHERE idx IN (2, 6)")
            for (index, row) in zip([6, 2], rows) {
                var values: [(any DatabaseValueConvertible)?] = [index]
                values += row.databaseValues.map { value -> (any DatabaseValueConvertible)? in value }
                try db.execute(sql: "INSERT INTO log_entry (idx, \(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               arguments: StatementArguments(values))
            }
        }
        try expectFailure(path, at: 2, containing: "previous hash")
    }

    @Test("one changed signature byte is caught, with or without re-chaining")
    func signatureByte() throws {
        for rechain in [false, true] {
            let path = try LogFixtures.sample(in: files)
            try LogFixtures.tamper(path) { db in
                var bytes = [UInt8](try Data.fetchOne(db, sql: "SELECT announcement FROM log_entry WHERE idx = 6")!)
                bytes[bytes.count - 20] ^= 0x04
                try db.execute(sql: "UPDATE log_entry SET announcement = ?, announcement_id = ? WHERE idx = 6",
                               arguments: [Data(bytes), Data(AnnouncementID(of: bytes).rawRepresentation)])
            }
            if rechain {
                try LogFixtures.rechain(path)
                let report = try MembershipLog.audit(path: path, policy: F.policy)
                #expect(report.failure?.index == 6)
                #expect(report.failure?.reason.contains("re-derived \"rejected: ") == true, "\(String(describing: report.failure))")
            } else {
                try expectFailure(path, at: 6, containing: "entry hash does not match")
            }
        }
    }

    @Test("a truncated file fails at the first entry that cannot be read")
    func truncate() throws {
        // Enough entries to span many pages.
        let path = files.path()
        let log = try MembershipLog(path: path, policy: F.policy)
        for n in 0..<300 {
            let item = F.make(n % 2 == 0 ? .join : .leave, subject: 4, by: 4, lamport: UInt64(n + 1), host: "10.0.0.4",
                              issuedAt: Fixtures.now + UInt64(n))
            _ = try log.append(item.encoded, receivedAt: Fixtures.now + 400)
        }
        try log.close()
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(size / 2))
        try handle.close()

        let report = try MembershipLog.audit(path: path, policy: F.policy)
        let failure = try #require(report.failure)
        #expect(failure.index > 0 && failure.index < 300)
        #expect(report.verifiedEntries == failure.index)
        #expect(failure.reason.contains("unreadable") || failure.reason.contains("missing"), "\(failure)")
        #expect {
            try MembershipLog(path: path, policy: F.policy)
        } throws: { error in
            guard case .integrity(_, let opened) = error as? MembershipLogError else { return false }
            return opened.index == failure.index
        }
    }

    @Test("auditing under another policy names the first entry")
    func otherPolicy() throws {
        let path = try LogFixtures.sample(in: files)
        let other = try PolicyLoader.load(yaml: F.yaml.replacingOccurrences(of: "min-validators: 2", with: "min-validators: 1"))
        let report = try MembershipLog.audit(path: path, policy: other)
        #expect(report.failure?.index == 0)
        #expect(report.failure?.reason.contains("decided under policy") == true)
    }
}
