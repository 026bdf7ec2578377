// Benchmarks for Membership (issue 5).
//
// The audit of a 100k-entry log runs side by side with 100k bare secp256k1
// public-key recoveries over the same announcements in the same run: a
// recovery per entry is the audit's floor, so the ratio between the two is
// the audit's own overhead (SQLite reads, hash chain, RLP, policy replay).
// Goal: audit ≤ 1.3× the recoveries. Also: recomputing the membership state
// from 10k announcements.
import Benchmark
import Foundation
import HeraldCrypto
import Membership

/// Deterministic keys, a policy, 100k signed announcements and a log holding them.
final class Fixture: @unchecked Sendable {
    static let shared = Fixture()
    static let entryCount = 100_000

    let policy: Policy
    let announcements: [SignedAnnouncement]
    let logPath: String

    private static func key(_ n: Int) -> Secp256k1.PrivateKey {
        var raw = [UInt8](repeating: 0, count: 32)
        raw[0] = 0x33
        raw[30] = UInt8(truncatingIfNeeded: n >> 8)
        raw[31] = UInt8(truncatingIfNeeded: n)
        return try! Secp256k1.PrivateKey(rawRepresentation: raw)
    }

    private static func enode(_ n: Int) -> String {
        "enode://\(Hex.encode(key(n).publicKey.rawRepresentation))@10.0.\(n / 250).\(n % 250 + 1):30303"
    }

    init() {
        // Admins 1–3 (genesis), listed validators 4–53 that join and leave by themselves,
        // unlisted nodes 100–199 admitted by admin 1 with admin 2's approval.
        let listed = (4...53).map { n in
            "  - {name: node-\(n), organisation: O\(n % 4), enode: \"\(Self.enode(n))\", roles: [validator]}"
        }
        let yaml = """
            version: 1
            consortium: {name: bench, key: "file:k"}
            roles: [validator, observer, org-admin]
            identities:
              - {name: admin-1, organisation: O1, enode: "\(Self.enode(1))", roles: [validator, org-admin], genesis: true}
              - {name: admin-2, organisation: O2, enode: "\(Self.enode(2))", roles: [validator, org-admin], genesis: true}
              - {name: admin-3, organisation: O3, enode: "\(Self.enode(3))", roles: [validator, org-admin], genesis: true}
            \(listed.joined(separator: "\n"))
            rules:
              admission: {announcers: [org-admin], approvals: 2, approver-roles: [org-admin]}
            limits: {min-validators: 3}
            """
        policy = try! PolicyLoader.load(yaml: yaml)
        let keys = (0...199).map { Self.key($0) }
        let hash = policy.hash
        let now: UInt64 = 1_750_000_000
        var made: [SignedAnnouncement] = []
        made.reserveCapacity(Self.entryCount)
        var lamport: UInt64 = 0
        var joined = Set<Int>()
        func sign(_ kind: AnnouncementKind, subject n: Int, by a: Int, approving: AnnouncementID? = nil) -> SignedAnnouncement {
            lamport += 1
            let body = Announcement(
                consortium: "bench", kind: kind, subject: keys[n].publicKey.nodeID,
                subjectEnode: kind == .join ? Self.enode(n) : "", roles: kind == .join ? ["validator"] : [],
                lamportTime: lamport, issuedAt: now, expiresAt: now + 86_400, policyHash: hash,
                approvedID: approving, announcer: keys[a].publicKey.nodeID
            )
            return try! SignedAnnouncement.sign(body, with: keys[a])
        }
        var index = 0
        while made.count < Self.entryCount {
            if index % 10 == 9 {
                let subject = 100 + (index / 10) % 100
                let join = sign(.join, subject: subject, by: 1)
                made.append(join)
                made.append(sign(.approve, subject: subject, by: 2, approving: join.id))
            } else {
                let subject = 4 + index % 50
                let kind: AnnouncementKind = joined.contains(subject) ? .leave : .join
                if kind == .join { joined.insert(subject) } else { joined.remove(subject) }
                made.append(sign(kind, subject: subject, by: subject))
            }
            index += 1
        }
        announcements = Array(made.prefix(Self.entryCount))

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-membership")   // one at most, replaced each run
        try? FileManager.default.removeItem(at: directory)
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        logPath = directory.appendingPathComponent(MembershipLog.fileName).path
        let log = try! MembershipLog(path: logPath, policy: policy)
        _ = try! log.append(contentsOf: announcements.map { (bytes: $0.encoded, receivedAt: now + 5) })
        try! log.close()
    }
}

let benchmarks: @Sendable () -> Void = {
    let slow = Benchmark.Configuration(
        metrics: [.wallClock, .peakMemoryResident],
        warmupIterations: 0,
        maxDuration: .seconds(120),
        maxIterations: 3
    )

    Benchmark("Audit of a 100k-entry log", configuration: slow) { benchmark in
        let fixture = Fixture.shared
        benchmark.startMeasurement()
        let report = try! MembershipLog.audit(path: fixture.logPath, policy: fixture.policy)
        benchmark.stopMeasurement()
        precondition(report.passed && report.verifiedEntries == UInt64(Fixture.entryCount), "\(String(describing: report.failure))")
        blackHole(report)
    }

    Benchmark("100k secp256k1 recovers (audit floor)", configuration: slow) { benchmark in
        let fixture = Fixture.shared
        let pairs = fixture.announcements.map { ($0.signature, $0.announcement.signingDigest) }
        benchmark.startMeasurement()
        for (signature, digest) in pairs {
            blackHole(try! signature.recoverPublicKey(forDigest: digest))
        }
        benchmark.stopMeasurement()
    }

    Benchmark("Recompute state for 10k announcements", configuration: .init(
        metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(30), maxIterations: 20
    )) { benchmark in
        let fixture = Fixture.shared
        let set = Array(fixture.announcements.prefix(10_000)).reversed()
        benchmark.startMeasurement()
        let state = MembershipState(policy: fixture.policy, announcements: set)
        benchmark.stopMeasurement()
        blackHole(state.digest)
    }
}
