import Foundation
import HeraldCrypto
@testable import HeraldAgent
import NodeAdapters
import Testing
import FakeNode
import TestSupport

/// The agents applying the member list to their nodes: each agent runs two
/// adapters side by side, `goquorum-files` (a `permissioned-nodes.json` in its
/// data directory) and `geth-admin` (its own recording JSON-RPC 2.0 server).
@Suite("agents applying the member list through node adapters")
struct AdapterEndToEndTests {
    /// How long one step may take when several suites share two cores.
    static let step: Duration = .seconds(45)

    /// The enode URLs in `agent`'s `permissioned-nodes.json`; empty until the file exists.
    static func permissionedNodes(_ agent: AgentFixtures.Running) -> [String] {
        let file = URL(fileURLWithPath: agent.configuration.dataDirectory).appendingPathComponent("permissioned-nodes.json")
        guard let data = try? Data(contentsOf: file) else { return [] }
        return (try? JSONDecoder().decode([String].self, from: data)) ?? []
    }

    /// How many times `server` was asked to `admin_addPeer` exactly `enode`.
    static func addPeerCalls(_ server: JSONRPCTestServer, _ enode: String) -> Int {
        server.node.calls.filter { $0.method == "admin_addPeer" && $0.params == [enode] }.count
    }

    /// Stops the agents first (no more calls), then the servers.
    static func shutDown(_ agents: [AgentFixtures.Running], _ servers: [JSONRPCTestServer]) async {
        for running in agents { await running.stop() }
        for server in servers { try? await server.shutdown() }
    }

    @Test("a join announced on one agent ends in every other agent's permissioned-nodes.json and admin_addPeer calls",
          .timeLimit(.minutes(2)))
    func joinIsAppliedThroughEveryAdapter() async throws {
        let sandbox = try AgentFixtures.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 3)
        var servers: [JSONRPCTestServer] = []
        var agents: [AgentFixtures.Running] = []
        do {
            // Genesis agents 1–3 dial those started before them; agent 4 (the joiner's) dials all three.
            // Agent 2 reaches its node over geth's IPC socket, the others over HTTP.
            for n in 1...4 {
                let server = try await JSONRPCTestServer.start()
                servers.append(server)
                var configuration = try sandbox.configuration(n, policy: shared.policy, consortiumKey: shared.key,
                                                              peers: agents.map(\.enode))
                configuration.adapters.append(.gethAdmin(GethAdminConfiguration(
                    rpc: RPCEndpoint(url: n == 2 ? server.ipcURL : server.httpURL))))
                agents.append(try await AgentFixtures.start(configuration))
            }
            let genesis = Array(agents.prefix(3))
            for running in genesis {
                try await AgentFixtures.until("genesis mesh", within: Self.step) { await running.agent.peers().count == 2 }
            }
            // Before the join: each genesis node was given the other two genesis nodes, and not the joiner.
            let joinerEnode = AgentFixtures.nodeEnode(4)
            for (index, running) in genesis.enumerated() {
                let server = servers[index]
                let others = (1...3).filter { $0 != index + 1 }.map(AgentFixtures.nodeEnode)
                try await AgentFixtures.until("genesis peer set applied by agent \(index + 1)", within: Self.step) {
                    let listed = Set(Self.permissionedNodes(running))
                    return others.allSatisfy { Self.addPeerCalls(server, $0) == 1 && listed.contains($0) }
                }
                #expect(Self.addPeerCalls(server, joinerEnode) == 0)
                #expect(!Self.permissionedNodes(running).contains(joinerEnode))
            }

            let joinerPort = try #require(URL(string: agents[3].enode)?.port)
            let announced = try await agents[0].agent.announce(AnnounceRequest(
                kind: "join", enode: joinerEnode, roles: ["observer"], agentEndpoint: "127.0.0.1:\(joinerPort)"))
            #expect(announced.decision.hasPrefix("pending"))
            // Admission needs two validators: the announcer and one approval.
            let second = agents[1].agent
            try await AgentFixtures.until("announcement reaches agent 2", within: Self.step) {
                (try? await second.status(announced.id)) != nil
            }
            _ = try await second.approve(announced.id)

            for (index, running) in genesis.enumerated() {
                let server = servers[index]
                try await AgentFixtures.until("agent \(index + 1) applied the join through both adapters", within: Self.step) {
                    Self.permissionedNodes(running).contains(joinerEnode) && Self.addPeerCalls(server, joinerEnode) > 0
                }
                // geth-admin remembers what it added: later applies do not add the joiner again.
                #expect(Self.addPeerCalls(server, joinerEnode) == 1)
                #expect(Set(Self.permissionedNodes(running)) == Set((1...4).map(AgentFixtures.nodeEnode)))
            }
            #expect(try await agents[0].agent.status(announced.id).decision == "accepted")
        } catch {
            await Self.shutDown(agents, servers)
            throw error
        }
        await Self.shutDown(agents, servers)
    }
}
