import HeraldCrypto
@testable import Membership

/// A three-admin policy (nodes 1–3 are genesis validators and org admins,
/// node 4 is a listed validator) and announcement builders under it.
enum StateFixtures {
    static func pub(_ n: Int) -> String { Hex.encode(Fixtures.key(n).publicKey.rawRepresentation) }

    static let yaml = """
        version: 1
        consortium: {name: \(Fixtures.consortium), key: "file:k"}
        roles: [validator, observer, bootnode, org-admin]
        identities:
          - {name: admin-1, organisation: O1, enode: "enode://\(pub(1))@10.0.0.1:30303", roles: [validator, org-admin], genesis: true}
          - {name: admin-2, organisation: O2, enode: "enode://\(pub(2))@10.0.0.2:30303", roles: [validator, org-admin], genesis: true}
          - {name: admin-3, organisation: O3, enode: "enode://\(pub(3))@10.0.0.3:30303", roles: [validator, org-admin], genesis: true}
          - {name: val-4, organisation: O1, enode: "enode://\(pub(4))@10.0.0.4:30303", roles: [validator]}
        rules:
          self-join: true
          self-leave: true
          admission: {announcers: [org-admin], approvals: 2, approver-roles: [org-admin]}
          removal: {announcers: [org-admin], approvals: 2, approver-roles: [org-admin]}
        endpoints: {networks: [10.0.0.0/8], ports: [30303-30304]}
        limits: {min-validators: 2, max-members: 8}
        """

    static let policy = try! PolicyLoader.load(yaml: yaml)

    static func make(
        _ kind: AnnouncementKind, subject: Int, by announcer: Int, lamport: UInt64,
        approving: AnnouncementID? = nil, roles: [String] = [], host: String = "10.0.0.9",
        issuedAt: UInt64 = Fixtures.now
    ) -> SignedAnnouncement {
        Fixtures.signed(
            Fixtures.announcement(kind, subject: subject, by: announcer, lamport: lamport, roles: roles,
                                  approving: approving, policy: policy.hash, issuedAt: issuedAt, expiresAt: issuedAt + 3600, host: host),
            by: announcer
        )
    }

    static func short(_ n: Int) -> String { "0x\(Fixtures.node(n).hex.prefix(4))…" }
}
