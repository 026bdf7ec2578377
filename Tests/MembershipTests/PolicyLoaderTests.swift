import Foundation
import HeraldCrypto
import Testing
@testable import Membership

@Suite("Policy loading")
struct PolicyLoaderTests {
    @Test("each example in Policies/ loads", arguments: [
        "four-organisations.yaml", "two-of-three-admission.yaml", "strict-endpoints.yaml",
    ])
    func examplesLoad(name: String) throws {
        let policy = try PolicyLoader.load(contentsOf: PolicyFixtures.example(name))
        #expect(!policy.identities.isEmpty)
        #expect(policy.identities.contains { $0.isGenesis })
    }

    @Test("the examples say what they promise")
    func exampleContents() throws {
        let four = try PolicyLoader.load(contentsOf: PolicyFixtures.example("four-organisations.yaml"))
        #expect(Set(four.identities.filter(\.isGenesis).map(\.organisation)).count == 4)
        let admission = try PolicyLoader.load(contentsOf: PolicyFixtures.example("two-of-three-admission.yaml"))
        #expect(admission.rules.admission.approvals == 2)
        #expect(admission.rules.admission.approverRoles == ["org-admin"])
        #expect(admission.identities.filter { $0.roles.contains("org-admin") }.count == 3)
        #expect(admission.rules.policyChange == Policy.ApprovalRule(announcerRoles: ["org-admin"], approvals: 3, approverRoles: ["org-admin"]))
        #expect(four.rules.policyChange?.approvals == 3)
        let strict = try PolicyLoader.load(contentsOf: PolicyFixtures.example("strict-endpoints.yaml"))
        #expect(strict.limits.minValidators == 4)
        #expect(strict.endpoints.allows(host: "10.20.3.4", port: 30303))
        #expect(!strict.endpoints.allows(host: "10.21.0.1", port: 30303))
        #expect(!strict.endpoints.allows(host: "10.20.0.1", port: 30304))
        #expect(strict.endpoints.allows(host: "fd20::1", port: 30315))
        #expect(strict.transport.minPoW == 0)
    }

    @Test("the minimal policy gets the documented defaults")
    func defaults() throws {
        let policy = try PolicyLoader.load(yaml: PolicyFixtures.minimal)
        #expect(policy.roles == ["bootnode", "observer", "validator"])
        #expect(policy.rules.selfJoin && policy.rules.selfLeave)
        #expect(policy.rules.admission.approvals == 0)
        #expect(policy.rules.policyChange == nil)
        #expect(policy.policyChangeRule(validators: 4) == Policy.ApprovalRule(announcerRoles: [], approvals: 3, approverRoles: ["validator"]))
        #expect(policy.policyChangeRule(validators: 0).approvals == 1)
        #expect(policy.delivery.maxClockSkew == 300)
        #expect(policy.delivery.envelopeTTL == 60)
        #expect(policy.transport.minPoW == 0)
        #expect(policy.limits.maxMembers == nil)
    }

    @Test("two files that mean the same policy hash the same")
    func canonicalHash() throws {
        let a = try PolicyLoader.load(yaml: PolicyFixtures.minimal + """
            endpoints:
              ports: [30303, 30304, 30305-30310]
              networks: [10.0.0.0/8, 10.1.0.0/16]
            delivery:
              envelope-ttl: 1m
              retry-backoff: {base: 1s, max: 300s}
            """)
        let b = try PolicyLoader.load(yaml: """
            # same meaning, other layout, order and spelling
            delivery:
              retry-backoff:
                max: 5m
              envelope-ttl: 60
            endpoints:
              networks: ["10.0.0.0/8"]
              ports: [30303-30310]
            identities:
              - genesis: true
                roles: [validator]
                enode: "enode://\(PolicyFixtures.key1)@10.0.0.1:30303"
                organisation: A
                name: a
            consortium: {key: "file:k", name: test}
            rules: {self-join: true, self-leave: true}
            version: 1
            """)
        #expect(a == b)
        #expect(a.hash == b.hash)
        let c = try PolicyLoader.load(yaml: PolicyFixtures.minimal + "limits: {min-validators: 1}\n")
        #expect(c.hash != a.hash)
    }

    @Test("the example policies hash differently from each other")
    func distinctHashes() throws {
        let hashes = try ["four-organisations.yaml", "two-of-three-admission.yaml", "strict-endpoints.yaml"].map {
            try PolicyLoader.load(contentsOf: PolicyFixtures.example($0)).hash
        }
        #expect(Set(hashes).count == 3)
    }

    @Test("a missing file is unreadable with its path")
    func missingFile() {
        #expect {
            try PolicyLoader.load(contentsOf: "/nonexistent/policy.yaml")
        } throws: { error in
            guard case .unreadable(let path, _) = error as? PolicyError else { return false }
            return path == "/nonexistent/policy.yaml"
        }
    }
}
