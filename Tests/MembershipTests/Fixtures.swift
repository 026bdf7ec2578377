import HeraldCrypto
@testable import Membership

/// Deterministic node keys and announcement builders shared by the suites.
enum Fixtures {
    static let consortium = "acme-energy"
    static let now: UInt64 = 1_750_000_000

    /// Node key number `n` (1-based), deterministic.
    static func key(_ n: Int) -> Secp256k1.PrivateKey {
        var raw = [UInt8](repeating: 0, count: 32)
        raw[0] = 0x11
        raw[30] = UInt8(truncatingIfNeeded: n >> 8)
        raw[31] = UInt8(truncatingIfNeeded: n)
        return try! Secp256k1.PrivateKey(rawRepresentation: raw)
    }

    static func node(_ n: Int) -> NodeID { key(n).publicKey.nodeID }

    static func enode(_ n: Int, host: String = "10.0.0.\(1)", port: Int = 30303) -> String {
        "enode://\(Hex.encode(key(n).publicKey.rawRepresentation))@\(host):\(port)"
    }

    static let zeroPolicy = PolicyHash(rawRepresentation: [UInt8](repeating: 0, count: 32))!

    static func announcement(
        _ kind: AnnouncementKind,
        subject: Int,
        by announcer: Int,
        lamport: UInt64 = 1,
        roles: [String] = [],
        approving: AnnouncementID? = nil,
        policy: PolicyHash = zeroPolicy,
        consortium: String = consortium,
        issuedAt: UInt64 = now,
        expiresAt: UInt64 = now + 3600,
        host: String = "10.0.0.1"
    ) -> Announcement {
        Announcement(
            consortium: consortium,
            kind: kind,
            subject: node(subject),
            subjectEnode: kind == .join ? enode(subject, host: host) : "",
            agentEndpoint: kind == .join ? AgentEndpoint(host: host, port: 30304) : nil,
            roles: kind == .join ? roles : [],
            lamportTime: lamport,
            issuedAt: issuedAt,
            expiresAt: expiresAt,
            policyHash: policy,
            approvedID: approving,
            announcer: node(announcer)
        )
    }

    static func signed(_ announcement: Announcement, by n: Int) -> SignedAnnouncement {
        try! SignedAnnouncement.sign(announcement, with: key(n))
    }
}
