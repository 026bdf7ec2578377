import NIOCore
import NIOPosix
import Testing
import FakeNode
import TestSupport
@testable import NodeAdapters

@Suite("JSON-RPC client")
struct JSONRPCClientTests {
    @Test("HTTP, http+unix and IPC all reach the node", arguments: ["http", "http+unix", "ipc"])
    func transports(kind: String) async throws {
        try await JSONRPCTestServer.withServer { server in
            let url = kind == "http" ? server.httpURL : kind == "ipc" ? server.ipcURL : server.httpUnixURL
            let client = try JSONRPCClient(endpoint: RPCEndpoint(url: url, timeoutSeconds: 5), adapter: "test")
            let added = try await client.call("admin_addPeer", [.string(Fixtures.url(2))])
            #expect(added == .bool(true))
            let peers = try await client.call("admin_peers")
            #expect(peers.arrayValue?.first?["enode"] == .string(Fixtures.url(2)))
            #expect(server.node.methods == ["admin_addPeer", "admin_peers"])
        }
    }

    @Test("a JSON-RPC error keeps its code and message")
    func rpcError() async throws {
        try await JSONRPCTestServer.withServer { server in
            let client = try JSONRPCClient(endpoint: RPCEndpoint(url: server.httpURL), adapter: "test")
            await #expect(throws: RPCFailure.rpcError(code: -32601, message: "the method nope_nope does not exist/is not available")) {
                _ = try await client.call("nope_nope")
            }
        }
    }

    @Test("the bearer token is sent, and a wrong one shows as HTTP 401 without the token")
    func bearerToken() async throws {
        try await JSONRPCTestServer.withServer { server in
            server.node.state.withLockedValue { $0.requiredToken = "s3cret-token" }
            let good = try JSONRPCClient(endpoint: RPCEndpoint(url: server.httpURL, bearerToken: "s3cret-token"), adapter: "besu")
            _ = try await good.call("perm_getNodesAllowlist")
            #expect(server.node.state.withLockedValue { $0.authorizationHeaders } == ["Bearer s3cret-token"])

            let endpoint = RPCEndpoint(url: server.httpURL, bearerToken: "wrong-token")
            #expect(!endpoint.description.contains("wrong-token"))
            let adapter = try BesuAllowlistAdapter(configuration: BesuConfiguration(rpc: endpoint))
            let error = await #expect(throws: NodeAdapterError.self) {
                _ = try await adapter.apply(Fixtures.peerSet([1, 2]))
            }
            #expect(error == .callFailed(adapter: "besu", call: "perm_getNodesAllowlist", failure: .httpStatus(401)))
            #expect(!String(describing: error!).contains("wrong-token"))
        }
    }

    @Test("a refused connection is a transport failure naming the call")
    func refused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let client = try JSONRPCClient(endpoint: RPCEndpoint(url: "ipc://" + directory.file("none.ipc"), timeoutSeconds: 2), adapter: "geth-admin")
        await #expect {
            _ = try await client.call("admin_peers")
        } throws: { error in
            guard case RPCFailure.transport = error else { return false }
            return true
        }
    }

    @Test("endpoint URLs are checked", arguments: ["ftp://x", "relative/path.ipc", "http+unix://relative"])
    func badURL(url: String) {
        #expect(throws: NodeAdapterError.self) { try RPCEndpoint(url: url).validate(adapter: "besu") }
    }
}

@Suite("JSON-RPC client timeouts")
struct JSONRPCTimeoutTests {
    @Test("a node that accepts but never answers times out", .timeLimit(.minutes(2)), arguments: ["ipc", "http+unix"])
    func silentNode(kind: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.eventLoop.makeSucceededVoidFuture() }
            .bind(unixDomainSocketPath: directory.file("silent.sock")).get()
        let url = (kind == "ipc" ? "ipc://" : "http+unix://") + directory.file("silent.sock")
        let client = try JSONRPCClient(endpoint: RPCEndpoint(url: url, timeoutSeconds: 0.3), adapter: "geth-admin")
        // Bounded, not hung (a silent node without a timeout never answers: the time limit fails it).
        await #expect {
            _ = try await client.call("admin_peers")
        } throws: { error in
            guard case RPCFailure.transport = error else { return false }
            return true
        }
        try await server.close()
    }
}
