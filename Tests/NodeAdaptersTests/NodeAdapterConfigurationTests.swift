import Foundation
import Testing
@testable import NodeAdapters

@Suite("Adapter configuration")
struct NodeAdapterConfigurationTests {
    private func decode(_ json: String) throws -> NodeAdapterConfiguration {
        try JSONDecoder().decode(NodeAdapterConfiguration.self, from: Data(json.utf8))
    }

    @Test("each adapter is selected by type, with defaults for missing keys")
    func decodeEach() throws {
        let goQuorum = try decode(#"{"type":"goquorum-files","permissionedNodesPath":"/d/permissioned-nodes.json","defaultRaftPort":50401}"#)
        #expect(goQuorum == .goQuorumFiles(GoQuorumFilesConfiguration(permissionedNodesPath: "/d/permissioned-nodes.json", defaultRaftPort: 50401)))
        let besu = try decode(#"{"type":"besu","rpc":{"url":"http://127.0.0.1:8545","bearerTokenFile":"/etc/t"}}"#)
        #expect(besu == .besu(BesuConfiguration(rpc: RPCEndpoint(url: "http://127.0.0.1:8545", bearerTokenFile: "/etc/t"))))
        let geth = try decode(#"{"type":"geth-admin","rpc":{"url":"ipc:///d/geth.ipc"},"trusted":true,"safety":{"allowNoPeers":true}}"#)
        #expect(geth == .gethAdmin(GethAdminConfiguration(rpc: RPCEndpoint(url: "ipc:///d/geth.ipc"), trusted: true,
                                                          safety: PeerSetGuard(allowNoPeers: true))))
        let exec = try decode(#"{"type":"exec","command":"/bin/true"}"#)
        #expect(exec == .exec(ExecConfiguration(command: "/bin/true")))
        for configuration in [goQuorum, besu, geth, exec] {
            try configuration.validate()
            let again = try JSONDecoder().decode(NodeAdapterConfiguration.self, from: JSONEncoder().encode(configuration))
            #expect(again == configuration)
        }
    }

    @Test("validation names the field and what is wrong")
    func validation() throws {
        #expect(throws: NodeAdapterError.invalidConfiguration(adapter: "besu", field: "rpc", reason: "RPC mode needs the node's JSON-RPC endpoint")) {
            try self.decode(#"{"type":"besu"}"#).validate()
        }
        #expect(throws: NodeAdapterError.self) { try self.decode(#"{"type":"besu","mode":"file"}"#).validate() }
        #expect(throws: NodeAdapterError.self) { try self.decode(#"{"type":"goquorum-files","permissionedNodesPath":"/d/"}"#).validate() }
        #expect(throws: (any Error).self) { try self.decode(#"{"type":"nethermind"}"#) }
        let error = NodeAdapterError.invalidConfiguration(adapter: "besu", field: "rpc", reason: "RPC mode needs the node's JSON-RPC endpoint")
        #expect(error.description == "besu adapter: invalid configuration 'rpc': RPC mode needs the node's JSON-RPC endpoint")
    }

    @Test("the bearer token never shows in a description")
    func tokenRedacted() {
        let endpoint = RPCEndpoint(url: "http://127.0.0.1:8545", bearerToken: "eyJhbGciOi.secret")
        #expect(endpoint.description == "http://127.0.0.1:8545 (bearer token set)")
        #expect(!String(describing: BesuConfiguration(rpc: endpoint).rpc!).contains("secret"))
    }
}
