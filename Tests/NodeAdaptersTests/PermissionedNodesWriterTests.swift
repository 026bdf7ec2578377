import Foundation
import Testing
import FakeNode
import TestSupport
@testable import NodeAdapters

@Suite("goquorum-files adapter")
struct PermissionedNodesWriterTests {
    private func adapter(_ directory: TemporaryDirectory, rpc: String? = nil, staticNodes: Bool = false,
                         raftPort: UInt16? = nil) throws -> PermissionedNodesWriter {
        try PermissionedNodesWriter(configuration: GoQuorumFilesConfiguration(
            permissionedNodesPath: directory.file("permissioned-nodes.json"),
            staticNodesPath: staticNodes ? directory.file("static-nodes.json") : nil,
            defaultRaftPort: raftPort,
            rpc: rpc.map { RPCEndpoint(url: $0, timeoutSeconds: 5) }))
    }

    @Test("join writes the list atomically, keeps .prev, and matches the golden file")
    func join() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try adapter(directory, staticNodes: true)
        let first = try await writer.apply(Fixtures.peerSet([1, 2]))
        #expect(first.added.count == 2 && first.removed.isEmpty)
        #expect(!directory.exists("permissioned-nodes.json.prev"))

        let report = try await writer.apply(Fixtures.peerSet([1, 2, 3]))
        #expect(report.added == [Fixtures.enode(3)])
        #expect(report.unchanged == 2)
        let expected = try Fixtures.golden("permissioned-nodes.json", updatingWith: directory.read("permissioned-nodes.json"))
        #expect(try directory.read("permissioned-nodes.json") == expected)
        #expect(try directory.read("static-nodes.json") == expected)
        #expect(try directory.read("permissioned-nodes.json.prev").contains(Fixtures.url(2)))
        #expect(try !directory.read("permissioned-nodes.json.prev").contains(Fixtures.url(3)))
        // No temporary file is left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test("GoQuorum form: discport then raftport, as in the GoQuorum docs")
    func raftForm() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try adapter(directory, raftPort: 50401)
        let local = Fixtures.key(1).publicKey.nodeID
        let members = [UInt8(1), 2].map { index in
            PeerSetMember(enode: try! .init(parsing: "enode://\(Fixtures.enode(index).publicKey.rawRepresentation.map { String(format: "%02x", $0) }.joined())@127.0.0.1:2100\(index)?discport=0"))
        }
        _ = try await writer.apply(DesiredPeerSet(members: members, localNodeID: local))
        let text = try directory.read("permissioned-nodes.json")
        #expect(text.contains("@127.0.0.1:21001?discport=0&raftport=50401\""))
        #expect(text.contains("@127.0.0.1:21002?discport=0&raftport=50401\""))
    }

    @Test("leave rewrites the file and disconnects the member over IPC")
    func leave() async throws {
        try await JSONRPCTestServer.withServer { server in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            server.node.state.withLockedValue { $0.peers = [Fixtures.url(2), Fixtures.url(3)] }
            let writer = try adapter(directory, rpc: server.ipcURL)
            _ = try await writer.apply(Fixtures.peerSet([1, 2, 3]))
            #expect(server.node.methods == ["admin_peers"])
            server.node.clearCalls()

            let report = try await writer.apply(Fixtures.peerSet([1, 2]))
            #expect(report.removed == [Fixtures.enode(3)])
            #expect(try !directory.read("permissioned-nodes.json").contains(Fixtures.url(3)))
            #expect(server.node.calls.map(\.description) == ["admin_peers()", "admin_removePeer(\(Fixtures.url(3)))"])
        }
    }

    @Test("re-applying the same list writes nothing and only reads admin_peers")
    func reapply() async throws {
        try await JSONRPCTestServer.withServer { server in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let writer = try adapter(directory, rpc: server.httpURL, staticNodes: true)
            _ = try await writer.apply(Fixtures.peerSet([1, 2, 3]))
            let inode = directory.inode("permissioned-nodes.json")
            let staticInode = directory.inode("static-nodes.json")
            server.node.clearCalls()

            let report = try await writer.apply(Fixtures.peerSet([3, 2, 1]))
            #expect(!report.changed)
            #expect(report.unchanged == 3)
            #expect(directory.inode("permissioned-nodes.json") == inode)
            #expect(directory.inode("static-nodes.json") == staticInode)
            #expect(server.node.methods == ["admin_peers"])
        }
    }

    @Test("a failed disconnect is reported with adapter, call and node error, and the retry finishes it")
    func partialFailureThenRetry() async throws {
        try await JSONRPCTestServer.withServer { server in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            server.node.state.withLockedValue { $0.peers = [Fixtures.url(2), Fixtures.url(3)] }
            let writer = try adapter(directory, rpc: server.ipcURL)
            _ = try await writer.apply(Fixtures.peerSet([1, 2, 3]))
            server.node.fail("admin_removePeer", message: "node stopped")

            let error = await #expect(throws: NodeAdapterError.self) {
                _ = try await writer.apply(Fixtures.peerSet([1, 2]))
            }
            #expect(error == .callFailed(adapter: "goquorum-files", call: "admin_removePeer(\(Fixtures.url(3)))",
                                         failure: .rpcError(code: -32000, message: "node stopped")))
            #expect(String(describing: error!) == "goquorum-files: admin_removePeer(\(Fixtures.url(3))) failed: node returned error -32000: node stopped")
            // The file change was kept; the retry only disconnects.
            #expect(try !directory.read("permissioned-nodes.json").contains(Fixtures.url(3)))
            server.node.clearCalls()
            _ = try await writer.apply(Fixtures.peerSet([1, 2]))
            #expect(server.node.calls.map(\.description) == ["admin_peers()", "admin_removePeer(\(Fixtures.url(3)))"])
            #expect(server.node.state.withLockedValue { $0.peers } == [Fixtures.url(2)])
        }
    }

    @Test("a malformed file is reported with its position and left untouched",
          arguments: [("[\n  \"enode://abc@1.2.3.4:30303\"\n]\n", 2, 3), ("[\n  \"a\",\n", 3, 1), ("[\n  \"x\" \"y\"\n]", 2, 7), ("{}", 1, 1)])
    func malformed(text: String, line: Int, column: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("permissioned-nodes.json", text)
        let writer = try adapter(directory)
        let error = await #expect(throws: NodeAdapterError.self) {
            _ = try await writer.apply(Fixtures.peerSet([1, 2]))
        }
        guard case .malformedFile(let path, let gotLine, let gotColumn, _) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(path == directory.file("permissioned-nodes.json"))
        #expect(gotLine == line && gotColumn == column)
        #expect(String(describing: error!).hasPrefix("\(path):\(line):\(column): "))
        #expect(try directory.read("permissioned-nodes.json") == text)
        #expect(!directory.exists("permissioned-nodes.json.prev"))
    }

    @Test("a list without the local node, or with no other member, is refused unless allowed")
    func safety() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try adapter(directory)
        await #expect(throws: NodeAdapterError.dropsLocalNode(adapter: "goquorum-files", nodeID: Fixtures.key(1).publicKey.nodeID.hex)) {
            _ = try await writer.apply(Fixtures.peerSet([2, 3]))
        }
        await #expect(throws: NodeAdapterError.noPeersLeft(adapter: "goquorum-files")) {
            _ = try await writer.apply(Fixtures.peerSet([1]))
        }
        #expect(!directory.exists("permissioned-nodes.json"))

        let permissive = try PermissionedNodesWriter(configuration: GoQuorumFilesConfiguration(
            permissionedNodesPath: directory.file("permissioned-nodes.json"),
            safety: PeerSetGuard(allowNoPeers: true)))
        _ = try await permissive.apply(Fixtures.peerSet([1]))
        #expect(try directory.read("permissioned-nodes.json") == "[\n  \"\(Fixtures.url(1))\"\n]\n")
    }
}
