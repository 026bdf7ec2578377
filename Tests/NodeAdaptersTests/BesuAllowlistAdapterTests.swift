import Foundation
import Testing
import FakeNode
import TestSupport
@testable import NodeAdapters

@Suite("besu adapter, RPC mode")
struct BesuRPCModeTests {
    private func adapter(_ server: JSONRPCTestServer, reload: Bool = false, dns: Bool = false) throws -> BesuAllowlistAdapter {
        try BesuAllowlistAdapter(configuration: BesuConfiguration(
            mode: .rpc, rpc: RPCEndpoint(url: server.httpURL, timeoutSeconds: 5), dnsEnabled: dns, reloadBeforeWrite: reload))
    }

    @Test("join adds only the new node with perm_addNodesToAllowlist")
    func join() async throws {
        try await JSONRPCTestServer.withServer { server in
            server.node.state.withLockedValue { $0.allowlist = [Fixtures.url(1), Fixtures.url(2)] }
            let report = try await adapter(server).apply(Fixtures.peerSet([1, 2, 3]))
            #expect(report.added == [Fixtures.enode(3)] && report.removed.isEmpty && report.unchanged == 2)
            #expect(server.node.calls.map(\.description) == ["perm_getNodesAllowlist()", "perm_addNodesToAllowlist(\(Fixtures.url(3)))"])
            #expect(server.node.state.withLockedValue { $0.allowlist }.count == 3)
        }
    }

    @Test("leave removes the node with perm_removeNodesFromAllowlist")
    func leave() async throws {
        try await JSONRPCTestServer.withServer { server in
            server.node.state.withLockedValue { $0.allowlist = [Fixtures.url(1), Fixtures.url(2), Fixtures.url(3)] }
            let report = try await adapter(server).apply(Fixtures.peerSet([1, 2]))
            #expect(report.removed == [Fixtures.enode(3)])
            #expect(server.node.calls.map(\.description) == ["perm_getNodesAllowlist()", "perm_removeNodesFromAllowlist(\(Fixtures.url(3)))"])
        }
    }

    @Test("re-applying the same list only reads the allowlist")
    func reapply() async throws {
        try await JSONRPCTestServer.withServer { server in
            let besu = try adapter(server)
            server.node.state.withLockedValue { $0.allowlist = [Fixtures.url(1)] }
            _ = try await besu.apply(Fixtures.peerSet([1, 2, 3]))
            server.node.clearCalls()
            let report = try await besu.apply(Fixtures.peerSet([1, 2, 3]))
            #expect(!report.changed && report.unchanged == 3)
            #expect(server.node.methods == ["perm_getNodesAllowlist"])
        }
    }

    @Test("a moved node is removed at its old address and added at the new one")
    func moved() async throws {
        try await JSONRPCTestServer.withServer { server in
            let old = Fixtures.enode(3, host: "10.9.9.9").description
            server.node.state.withLockedValue { $0.allowlist = [Fixtures.url(1), Fixtures.url(2), old] }
            _ = try await adapter(server).apply(Fixtures.peerSet([1, 2, 3]))
            #expect(server.node.calls.map(\.description).suffix(2) == [
                "perm_addNodesToAllowlist(\(Fixtures.url(3)))", "perm_removeNodesFromAllowlist(\(old))"])
        }
    }

    @Test("a fixed node cannot be removed: reported with Besu's text, the addition kept, the retry only removes")
    func partialFailureThenRetry() async throws {
        try await JSONRPCTestServer.withServer { server in
            server.node.state.withLockedValue {
                $0.allowlist = [Fixtures.url(1), Fixtures.url(2), Fixtures.url(3)]
                $0.fixed = [Fixtures.url(3)]
            }
            let besu = try adapter(server)
            let error = await #expect(throws: NodeAdapterError.self) {
                _ = try await besu.apply(Fixtures.peerSet([1, 2, 4]))
            }
            #expect(error == .callFailed(adapter: "besu", call: "perm_removeNodesFromAllowlist", failure: .rpcError(
                code: -32000, message: "Cannot remove a fixed node (bootnode or static node) from allowlist")))
            #expect(server.node.state.withLockedValue { $0.allowlist }.contains(Fixtures.url(4)))

            server.node.state.withLockedValue { $0.fixed = [] }
            server.node.clearCalls()
            let report = try await besu.apply(Fixtures.peerSet([1, 2, 4]))
            #expect(report.added.isEmpty && report.removed == [Fixtures.enode(3)])
            #expect(server.node.methods == ["perm_getNodesAllowlist", "perm_removeNodesFromAllowlist"])
        }
    }

    @Test("reloadBeforeWrite reloads the file and re-reads before writing (spec §6.3)")
    func reloadBeforeWrite() async throws {
        try await JSONRPCTestServer.withServer { server in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            // The file was edited by hand (node 2 added) but never reloaded.
            try directory.write("permissions_config.toml", "nodes-allowlist = [\"\(Fixtures.url(1))\", \"\(Fixtures.url(2))\"]\n")
            server.node.state.withLockedValue {
                $0.allowlist = [Fixtures.url(1)]
                $0.permissionsFile = directory.file("permissions_config.toml")
            }
            let report = try await adapter(server, reload: true).apply(Fixtures.peerSet([1, 2, 3]))
            #expect(report.added == [Fixtures.enode(3)])
            #expect(server.node.methods == ["perm_getNodesAllowlist", "perm_reloadPermissionsFromFile",
                                            "perm_getNodesAllowlist", "perm_addNodesToAllowlist"])
        }
    }

    @Test("DNS names are refused unless dnsEnabled, before any call")
    func dnsNames() async throws {
        try await JSONRPCTestServer.withServer { server in
            let local = Fixtures.key(1).publicKey.nodeID
            let set = DesiredPeerSet(members: [Fixtures.member(1), PeerSetMember(enode: Fixtures.enode(2, host: "node2.example"))],
                                     localNodeID: local)
            await #expect {
                _ = try await adapter(server).apply(set)
            } throws: { error in
                guard case NodeAdapterError.unsupportedEnode(adapter: "besu", _, _) = error else { return false }
                return true
            }
            #expect(server.node.calls.isEmpty)
            _ = try await adapter(server, dns: true).apply(set)
            #expect(server.node.methods.last == "perm_addNodesToAllowlist")
        }
    }
}

@Suite("besu adapter, file mode")
struct BesuFileModeTests {
    static func original() -> String {
        """
        # Besu local permissioning: managed by Herald (nodes) and by hand (accounts).
        accounts-allowlist = ["0xb9b81ee349c3807e46bc71aa2632203c5b462032", "0xb9b81ee349c3807e46bc71aa2632203c5b462034"]

        # Nodes allowed to connect to this node.
        nodes-allowlist=["\(Fixtures.url(1))","\(Fixtures.url(2))"] # kept in step by Herald

        # An unknown key Besu ignores must survive too.
        x-operator-note = "rack 4"

        """
    }

    private func adapter(_ directory: TemporaryDirectory, rpc: String?) throws -> BesuAllowlistAdapter {
        try BesuAllowlistAdapter(configuration: BesuConfiguration(
            mode: .file, rpc: rpc.map { RPCEndpoint(url: $0, timeoutSeconds: 5) },
            permissionsConfigPath: directory.file("permissions_config.toml")))
    }

    @Test("join edits nodes-allowlist only: other keys and comments survive, golden file, reload called")
    func join() async throws {
        try await JSONRPCTestServer.withServer { server in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            try directory.write("permissions_config.toml", Self.original())
            server.node.state.withLockedValue {
                $0.permissionsFile = directory.file("permissions_config.toml")
                $0.allowlist = [Fixtures.url(1), Fixtures.url(2)]
            }
            let report = try await adapter(directory, rpc: server.httpURL).apply(Fixtures.peerSet([1, 2, 3]))
            #expect(report.added == [Fixtures.enode(3)])
            let text = try directory.read("permissions_config.toml")
            #expect(text == (try Fixtures.golden("permissions_config.toml", updatingWith: text)))
            #expect(text.contains("# Besu local permissioning") && text.contains("# kept in step by Herald"))
            #expect(text.contains("accounts-allowlist = [\"0xb9b81ee349c3807e46bc71aa2632203c5b462032\", \"0xb9b81ee349c3807e46bc71aa2632203c5b462034\"]"))
            #expect(text.contains("x-operator-note = \"rack 4\""))
            #expect(try directory.read("permissions_config.toml.prev") == Self.original())
            #expect(server.node.methods == ["perm_getNodesAllowlist", "perm_reloadPermissionsFromFile"])
            #expect(server.node.state.withLockedValue { $0.allowlist }.count == 3)
        }
    }

    @Test("leave removes the entry; without RPC the file alone is edited")
    func leave() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("permissions_config.toml", Self.original())
        let report = try await adapter(directory, rpc: nil).apply(Fixtures.peerSet([1, 3]))
        #expect(report.removed == [Fixtures.enode(2)] && report.added == [Fixtures.enode(3)])
        let text = try directory.read("permissions_config.toml")
        #expect(!text.contains(Fixtures.url(2)) && text.contains(Fixtures.url(3)))
        #expect(text.contains("x-operator-note"))
    }

    @Test("re-applying writes nothing and makes no call beyond a read")
    func reapply() async throws {
        try await JSONRPCTestServer.withServer { server in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            try directory.write("permissions_config.toml", Self.original())
            server.node.state.withLockedValue { $0.permissionsFile = directory.file("permissions_config.toml") }
            let besu = try adapter(directory, rpc: server.ipcURL)
            _ = try await besu.apply(Fixtures.peerSet([1, 2, 3]))
            let inode = directory.inode("permissions_config.toml")
            server.node.clearCalls()
            let report = try await besu.apply(Fixtures.peerSet([1, 2, 3]))
            #expect(!report.changed)
            #expect(directory.inode("permissions_config.toml") == inode)
            #expect(server.node.methods == ["perm_getNodesAllowlist"])
        }
    }

    @Test("a failed reload is reported; the retry reloads without rewriting the file")
    func partialFailureThenRetry() async throws {
        try await JSONRPCTestServer.withServer { server in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            try directory.write("permissions_config.toml", Self.original())
            server.node.state.withLockedValue {
                $0.permissionsFile = directory.file("permissions_config.toml")
                $0.allowlist = [Fixtures.url(1), Fixtures.url(2)]
            }
            server.node.fail("perm_reloadPermissionsFromFile", message: "P2P has been disabled. This functionality is not available")
            let besu = try adapter(directory, rpc: server.httpURL)
            let error = await #expect(throws: NodeAdapterError.self) {
                _ = try await besu.apply(Fixtures.peerSet([1, 2, 3]))
            }
            #expect(String(describing: error!) == "besu: perm_reloadPermissionsFromFile failed: node returned error -32000: P2P has been disabled. This functionality is not available")
            let inode = directory.inode("permissions_config.toml")
            server.node.clearCalls()
            _ = try await besu.apply(Fixtures.peerSet([1, 2, 3]))
            #expect(directory.inode("permissions_config.toml") == inode)
            #expect(server.node.methods == ["perm_getNodesAllowlist", "perm_reloadPermissionsFromFile"])
            #expect(server.node.state.withLockedValue { $0.allowlist }.count == 3)
        }
    }

    @Test("malformed TOML is reported with its position and left untouched",
          arguments: [("accounts-allowlist = [\"0x1\"\nnodes-allowlist = []\n", 2), ("nodes-allowlist = \"enode://x\"\n", 1),
                      ("nodes-allowlist = [\"enode://nothex@1.2.3.4:1\"]\n", 1)])
    func malformed(text: String, line: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("permissions_config.toml", text)
        let error = await #expect(throws: NodeAdapterError.self) {
            _ = try await adapter(directory, rpc: nil).apply(Fixtures.peerSet([1, 2]))
        }
        guard case .malformedFile(let path, let gotLine, _, _) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(path == directory.file("permissions_config.toml") && gotLine == line)
        #expect(try directory.read("permissions_config.toml") == text)
        #expect(!directory.exists("permissions_config.toml.prev"))
    }
}
