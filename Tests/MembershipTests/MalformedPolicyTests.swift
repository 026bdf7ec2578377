import Testing
@testable import Membership

/// Each malformed policy must be refused with exactly this message.
@Suite("Malformed policies")
struct MalformedPolicyTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let yaml: String
        let message: String
        var testDescription: String { name }
    }

    static let base = PolicyFixtures.minimal
    static let enode = "enode://\(PolicyFixtures.key1)@10.0.0.1:30303"

    static let cases: [Case] = [
        Case(name: "misspelt top-level key",
             yaml: base + "identites: []\n",
             message: "policy.yaml:11:1: unknown key 'identites' (did you mean 'identities'?)"),
        Case(name: "misspelt nested key",
             yaml: base + "rules:\n  admission:\n    aprovals: 2\n",
             message: "policy.yaml:13:5: unknown key 'aprovals' (did you mean 'approvals'?)"),
        Case(name: "unknown key without a close match",
             yaml: base + "colour: blue\n",
             message: "policy.yaml:11:1: unknown key 'colour'"),
        Case(name: "unknown role",
             yaml: base.replacingOccurrences(of: "roles: [validator]", with: "roles: [validatr]"),
             message: "policy.yaml:9:13: identities[0].roles: unknown role 'validatr' (known: validator, observer, bootnode)"),
        Case(name: "missing consortium name",
             yaml: base.replacingOccurrences(of: "  name: test\n", with: ""),
             message: "policy.yaml:3:3: consortium: missing required key 'name'"),
        Case(name: "unsupported version",
             yaml: base.replacingOccurrences(of: "version: 1", with: "version: 2"),
             message: "policy.yaml:1:10: version: unsupported policy version 2 (this agent reads version 1)"),
        Case(name: "genesis not a boolean",
             yaml: base.replacingOccurrences(of: "genesis: true", with: "genesis: yes"),
             message: "policy.yaml:10:14: identities[0].genesis: expected true or false"),
        Case(name: "node ID not hex",
             yaml: base + "  - {name: b, organisation: B, node: 0xzz}\n",
             message: "policy.yaml:11:38: identities[1].node: node ID must be 64 hex digits (keccak256 of the node's public key)"),
        Case(name: "network with host bits",
             yaml: base + "endpoints:\n  networks: [10.0.0.1/8]\n",
             message: "policy.yaml:12:14: endpoints.networks[0]: '10.0.0.1/8': host bits are set after the prefix (did you mean 10.0.0.0/8?)"),
        Case(name: "port out of range",
             yaml: base + "endpoints:\n  ports: [30303, 70000]\n",
             message: "policy.yaml:12:18: endpoints.ports[1]: '70000' is not a port (1-65535) or a range such as 30300-30399"),
        Case(name: "duplicate identity name",
             yaml: base + "  - {name: a, organisation: B, node: \(String(repeating: "ab", count: 32))}\n",
             message: "policy.yaml:11:12: identities[1].name: duplicate identity name 'a'"),
        Case(name: "more approvals than approvers",
             yaml: base + "rules:\n  admission: {approvals: 2, approver-roles: [validator]}\n",
             message: "policy.yaml:12:26: rules.admission.approvals: needs 2 approvals but only 1 identity holds role validator"),
        Case(name: "approvals without approver roles",
             yaml: base + "rules:\n  removal:\n    approvals: 1\n",
             message: "policy.yaml:13:5: rules.removal: missing required key 'approver-roles'"),
        Case(name: "minimum validators above the genesis validators",
             yaml: base + "limits:\n  min-validators: 3\n",
             message: "policy.yaml:12:19: limits.min-validators: 3, but the genesis members include only 1 with role validator"),
        Case(name: "malformed duration",
             yaml: base + "delivery:\n  envelope-ttl: 5 minutes\n",
             message: "policy.yaml:12:17: delivery.envelope-ttl: expected a duration such as 30s, 5m, 1h30m or 2d"),
        Case(name: "retry maximum below base",
             yaml: base + "delivery:\n  retry-backoff: {base: 10s, max: 5s}\n",
             message: "policy.yaml:12:35: delivery.retry-backoff.max: retry maximum is below the base (10s)"),
        Case(name: "identities not a list",
             yaml: "version: 1\nconsortium: {name: t, key: k}\nidentities: none\n",
             message: "policy.yaml:3:13: identities: expected a list"),
        Case(name: "genesis member without an enode",
             yaml: base + "  - {name: b, organisation: B, node: \(String(repeating: "ab", count: 32)), genesis: true}\n",
             message: "policy.yaml:11:5: identities[1]: missing required key 'enode'"),
        Case(name: "malformed enode",
             yaml: base.replacingOccurrences(of: "@10.0.0.1:30303", with: "@10.0.0.1:99999"),
             message: "policy.yaml:8:12: identities[0].enode: malformed enode URL: invalid port"),
        Case(name: "YAML syntax error",
             yaml: base + "rules: [unclosed\n",
             message: "policy.yaml:12:1: YAML syntax error: while parsing a flow sequence, did not find expected ',' or ']'"),
        Case(name: "duplicate key",
             yaml: base + "version: 1\n",
             message: "policy.yaml:11:1: version: duplicate key"),
        Case(name: "no genesis member",
             yaml: base.replacingOccurrences(of: "genesis: true", with: "genesis: false"),
             message: "policy.yaml:6:3: identities: no genesis member: at least one identity needs 'genesis: true'"),
        Case(name: "consortium name with a space",
             yaml: base.replacingOccurrences(of: "name: test", with: "name: my test"),
             message: "policy.yaml:3:9: consortium.name: 'my test' may use only letters, digits, '-', '_' and '.'"),
        Case(name: "empty file",
             yaml: "# nothing here\n",
             message: "policy.yaml:1:1: policy: the file is empty"),
    ]

    @Test("refused with file:line:column and what is wrong", arguments: cases)
    func refused(_ testCase: Case) {
        do {
            let policy = try PolicyLoader.load(yaml: testCase.yaml, path: "policy.yaml")
            Issue.record("accepted: \(policy.consortium.name)")
        } catch {
            #expect(error.description == testCase.message)
        }
    }

    @Test("there are at least 15 malformed cases")
    func enoughCases() {
        #expect(Self.cases.count >= 15)
    }
}
