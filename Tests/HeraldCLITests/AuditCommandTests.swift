import Foundation
import HeraldCrypto
import Membership
import Testing

@Suite("herald audit")
struct AuditCommandTests {
    static func key(_ n: Int) -> Secp256k1.PrivateKey {
        var raw = [UInt8](repeating: 0, count: 32)
        raw[0] = 0x22
        raw[31] = UInt8(n)
        return try! Secp256k1.PrivateKey(rawRepresentation: raw)
    }

    static func enode(_ n: Int) -> String {
        "enode://\(Hex.encode(key(n).publicKey.rawRepresentation))@10.0.0.\(n):30303"
    }

    /// A data directory with policy.yaml and a log of `count` self joins and leaves.
    static func dataDirectory(count: Int) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let yaml = """
            version: 1
            consortium: {name: cli-test, key: "file:k"}
            identities:
              - {name: a, organisation: A, enode: "\(enode(1))", roles: [validator], genesis: true}
              - {name: b, organisation: B, enode: "\(enode(2))", roles: [validator]}
            """
        try yaml.write(to: directory.appendingPathComponent("policy.yaml"), atomically: true, encoding: .utf8)
        let policy = try PolicyLoader.load(yaml: yaml)
        let log = try MembershipLog(path: directory.appendingPathComponent(MembershipLog.fileName).path, policy: policy)
        let now = UInt64(Date().timeIntervalSince1970)
        for n in 0..<count {
            let body = Announcement(
                consortium: "cli-test", kind: n % 2 == 0 ? .join : .leave, subject: key(2).publicKey.nodeID,
                subjectEnode: n % 2 == 0 ? enode(2) : "", roles: n % 2 == 0 ? ["validator"] : [],
                lamportTime: UInt64(n + 1), issuedAt: now, expiresAt: now + 600,
                policyHash: policy.hash, announcer: key(2).publicKey.nodeID
            )
            _ = try log.append(SignedAnnouncement.sign(body, with: key(2)).encoded, receivedAt: now)
        }
        try log.close()
        return directory
    }

    @Test("a sound log: exit 0 with entries, members, digest and head")
    func passes() async throws {
        let directory = try Self.dataDirectory(count: 5)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await HeraldProcess.run(["audit", "--data-dir", directory.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("audit passed: "))
        #expect(result.stdout.contains("entries: 5\n"))
        #expect(result.stdout.contains("members: 2\n"))
        #expect(result.stdout.contains("digest: 0x"))
        #expect(result.stdout.contains("log head: 0x"))
    }

    @Test("json output has the stable keys")
    func json() async throws {
        let directory = try Self.dataDirectory(count: 2)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await HeraldProcess.run(["audit", "--data-dir", directory.path, "--format", "json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["passed"] as? Bool == true)
        #expect(object?["entries"] as? Int == 2)
        #expect((object?["members"] as? [Any])?.count == 1)
        #expect(Set(object?.keys.map { $0 } ?? []) == ["log", "passed", "entries", "members", "digest", "head"])
    }

    @Test("an altered entry: exit 1 naming its index")
    func tampered() async throws {
        let directory = try Self.dataDirectory(count: 5)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(MembershipLog.fileName).path
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var bytes = [UInt8](data)
        // Flip one byte inside the last entry's stored announcement: search for the last join's enode text.
        let needle = Array("10.0.0.2:30303".utf8)
        var position: Int?
        for start in stride(from: bytes.count - needle.count, through: 0, by: -1) where Array(bytes[start..<start + needle.count]) == needle {
            position = start
            break
        }
        let index = try #require(position)
        bytes[index] = UInt8(ascii: "9")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let result = try await HeraldProcess.run(["audit", "--data-dir", directory.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("entry hash does not match its contents"), "\(result.stderr)")
    }

    @Test("a missing log: exit 1 saying so")
    func missing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-none-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "x: 1".write(to: directory.appendingPathComponent("policy.yaml"), atomically: true, encoding: .utf8)
        let result = try await HeraldProcess.run(["audit", "--data-dir", directory.path, "--policy", "Policies/strict-endpoints.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no membership log here"))
    }
}
