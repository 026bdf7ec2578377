import Foundation
@testable import HeraldAgent
import Testing

/// What "started" means: once the agent reports its enode URL, control
/// commands reach it; an endpoint it cannot serve stops it with an error
/// that names the setting.
@Suite("agent startup", .serialized)
struct StartupTests {
    typealias F = AgentFixtures

    @Test("once the agent is listening, its control socket already answers", .timeLimit(.minutes(1)))
    func controlSocketBeforeListening() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        try await F.withAgents(1, in: sandbox, shared: shared) { agents in
            let client = ControlClient(path: agents[0].configuration.controlSocket)
            let response = try await client.send(ControlRequest(command: "enode"))
            #expect(response.enode == agents[0].enode)
            let mode = try FileManager.default.attributesOfItem(atPath: agents[0].configuration.controlSocket)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    @Test("a control socket that cannot be created stops the agent with an error naming it", .timeLimit(.minutes(1)))
    func unusableControlSocket() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        var configuration = try sandbox.configuration(1, policy: shared.policy, consortiumKey: shared.key, peers: [])
        configuration.controlSocket = sandbox.root.appendingPathComponent("no-such-directory/herald.sock").path
        let agent = try await HeraldAgent(configuration: configuration)
        let error = await #expect(throws: AgentError.self) { try await agent.run() }
        guard case .configuration(let path, let message) = error else {
            Issue.record("expected a configuration error, got \(String(describing: error))")
            return
        }
        #expect(path == "control-socket")
        #expect(message.contains(configuration.controlSocket))
    }
}
