import Foundation
import Testing
import FakeNode
import TestSupport
@testable import NodeAdapters

@Suite("geth-admin adapter")
struct GethAdminAdapterTests {
    private func adapter(_ url: String, trusted: Bool = false, configPath: String? = nil) throws -> GethAdminAdapter {
        try GethAdminAdapter(configuration: GethAdminConfiguration(
            rpc: RPCEndpoint(url: url, timeoutSeconds: 5), trusted: trusted, configPath: configPath))
    }

    @Test("join adds the other members (never the local node) and verifies with admin_peers", arguments: ["ipc", "http"])
    func join(transport: String) async throws {
        try await JSONRPCTestServer.withServer { server in
            let geth = try adapter(transport == "ipc" ? server.ipcURL : server.httpURL, trusted: true)
            let report = try await geth.apply(Fixtures.peerSet([1, 2, 3]))
            #expect(Set(report.added) == [Fixtures.enode(2), Fixtures.enode(3)])
            #expect(report.notConnected.isEmpty)
            let calls = server.node.calls.map(\.description)
            #expect(calls.first == "admin_peers()" && calls.last == "admin_peers()")
            #expect(Set(calls.dropFirst().dropLast()) == [
                "admin_addPeer(\(Fixtures.url(2)))", "admin_addTrustedPeer(\(Fixtures.url(2)))",
                "admin_addPeer(\(Fixtures.url(3)))", "admin_addTrustedPeer(\(Fixtures.url(3)))"])
            #expect(!calls.contains { $0.contains(Fixtures.url(1)) })
        }
    }

    @Test("peers not yet connected are reported, not failed")
    func notConnected() async throws {
        try await JSONRPCTestServer.withServer { server in
            server.node.state.withLockedValue { $0.connectOnAdd = false }
            let report = try await adapter(server.ipcURL).apply(Fixtures.peerSet([1, 2]))
            #expect(report.added == [Fixtures.enode(2)] && report.notConnected == [Fixtures.enode(2)])
        }
    }

    @Test("leave removes the member (and its trust)")
    func leave() async throws {
        try await JSONRPCTestServer.withServer { server in
            let geth = try adapter(server.ipcURL, trusted: true)
            _ = try await geth.apply(Fixtures.peerSet([1, 2, 3]))
            server.node.clearCalls()
            let report = try await geth.apply(Fixtures.peerSet([1, 2]))
            #expect(report.removed == [Fixtures.enode(3)])
            #expect(server.node.calls.map(\.description) == [
                "admin_peers()", "admin_removePeer(\(Fixtures.url(3)))", "admin_removeTrustedPeer(\(Fixtures.url(3)))", "admin_peers()"])
            #expect(server.node.state.withLockedValue { $0.peers } == [Fixtures.url(2)])
        }
    }

    @Test("re-applying the same list only reads admin_peers")
    func reapply() async throws {
        try await JSONRPCTestServer.withServer { server in
            let geth = try adapter(server.httpUnixURL)
            _ = try await geth.apply(Fixtures.peerSet([1, 2, 3]))
            server.node.clearCalls()
            let report = try await geth.apply(Fixtures.peerSet([3, 1, 2]))
            #expect(!report.changed && report.unchanged == 2)
            #expect(server.node.methods == ["admin_peers"])
        }
    }

    @Test("a failed add is reported with the call and geth's error; the retry makes only the missing call")
    func partialFailureThenRetry() async throws {
        try await JSONRPCTestServer.withServer { server in
            let geth = try adapter(server.ipcURL)
            _ = try await geth.apply(Fixtures.peerSet([1, 2]))
            server.node.fail("admin_addPeer", skipping: 1, message: "node not started")
            server.node.clearCalls()
            let error = await #expect(throws: NodeAdapterError.self) {
                _ = try await geth.apply(Fixtures.peerSet([1, 2, 3, 4]))
            }
            guard case .callFailed(adapter: "geth-admin", let call, .rpcError(code: -32000, message: "node not started")) = error else {
                Issue.record("unexpected \(String(describing: error))")
                return
            }
            #expect(call.hasPrefix("admin_addPeer(enode://"))
            server.node.clearCalls()
            let report = try await geth.apply(Fixtures.peerSet([1, 2, 3, 4]))
            #expect(report.added.count == 1)
            #expect(server.node.methods == ["admin_peers", "admin_addPeer", "admin_peers"])
            #expect(Set(server.node.state.withLockedValue { $0.peers }) == [Fixtures.url(2), Fixtures.url(3), Fixtures.url(4)])
        }
    }

    static func gethConfig() -> String {
        """
        # geth --config file (from `geth dumpconfig`, edited).
        [Eth]
        NetworkId = 1337
        SyncMode = "full"

        [Node]
        DataDir = "/data/geth"
        HTTPModules = ["net", "web3", "eth"]

        [Node.P2P]
        MaxPeers = 50
        NoDiscovery = true
        BootstrapNodes = []
        # Herald keeps these two in step.
        StaticNodes = []
        TrustedNodes = []
        ListenAddr = ":30303"

        """
    }

    @Test("[Node.P2P] StaticNodes/TrustedNodes are kept in step, the rest of the TOML untouched (golden file)")
    func configFile() async throws {
        try await JSONRPCTestServer.withServer { server in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            try directory.write("config.toml", Self.gethConfig())
            let geth = try adapter(server.ipcURL, trusted: true, configPath: directory.file("config.toml"))
            _ = try await geth.apply(Fixtures.peerSet([1, 2, 3]))
            let text = try directory.read("config.toml")
            #expect(text == (try Fixtures.golden("geth-config.toml", updatingWith: text)))
            #expect(try directory.read("config.toml.prev") == Self.gethConfig())

            // A restarted agent learns what was added from the file: no calls beyond the read.
            server.node.clearCalls()
            let restarted = try adapter(server.ipcURL, trusted: true, configPath: directory.file("config.toml"))
            let report = try await restarted.apply(Fixtures.peerSet([1, 2, 3]))
            #expect(!report.changed)
            #expect(server.node.methods == ["admin_peers"])
        }
    }

    @Test("a malformed config TOML stops the apply before any change")
    func malformedConfig() async throws {
        try await JSONRPCTestServer.withServer { server in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let broken = "[Node.P2P]\nStaticNodes = [\"enode://a\",\n"
            try directory.write("config.toml", broken)
            let error = await #expect(throws: NodeAdapterError.self) {
                _ = try await adapter(server.ipcURL, configPath: directory.file("config.toml")).apply(Fixtures.peerSet([1, 2]))
            }
            guard case .malformedFile(let path, _, _, _) = error else {
                Issue.record("unexpected \(String(describing: error))")
                return
            }
            #expect(path == directory.file("config.toml"))
            #expect(server.node.calls.isEmpty)
            #expect(try directory.read("config.toml") == broken)
        }
    }
}
