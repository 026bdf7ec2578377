import Foundation
import HeraldCrypto
@testable import HeraldAgent
import Membership
import Testing

@Suite("policy reload", .serialized)
struct PolicyReloadTests {
    typealias F = AgentFixtures

    /// Runs `body` with one agent under a two-validator policy and the path of
    /// that policy's file, for `body` to rewrite before a reload (a restart in
    /// `body` replaces `agents[0]`, and the restarted agent is stopped too).
    private func withOneAgent(_ body: (_ agents: inout [F.Running], _ policyPath: String) async throws -> Void) async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        try await F.withAgents(1, in: sandbox, shared: shared) { agents in try await body(&agents, shared.policy) }
    }

    @Test("a valid changed policy takes effect and stays in force across a restart", .timeLimit(.minutes(2)))
    func validReload() async throws {
        try await withOneAgent { agents, policyPath in
            let agent = agents[0].agent
            let third = F.key(3).publicKey.nodeID
            #expect(await !agent.allowlist.contains(third))
            // A join under the first policy: pending, it needs two approvals.
            let join = try await agent.announce(AnnounceRequest(kind: "join", enode: F.nodeEnode(5), roles: ["observer"]))
            #expect(join.decision.hasPrefix("pending"))
            let before = await agent.policy.hash

            // Node 3 becomes a listed genesis validator; announcements now give up after two hours.
            try F.policy(genesis: 3, giveUpAfter: "2h").write(toFile: policyPath, atomically: true, encoding: .utf8)
            let result = try await agent.reloadPolicy()
            #expect(result.changed)
            #expect(result.previousPolicyHash == before.description)
            let after = await agent.policy
            #expect(result.policyHash == after.hash.description)
            #expect(after.delivery.giveUpAfter == 7200)
            #expect(await agent.log.policy.hash == after.hash)
            #expect(await agent.allowlist.contains(third))
            #expect(await agent.members().members.map(\.node).contains(third.hex))
            // The earlier join is still judged under the policy it was made under.
            #expect(try await agent.status(join.id).decision.hasPrefix("pending"))
            let entries = await agent.members().logEntries
            // Reloading the same file again changes nothing.
            #expect(try await agent.reloadPolicy().changed == false)

            // Restarted, the agent opens its log (decided under two policies) and keeps the new one.
            await agents[0].stop()
            agents[0] = try await F.start(agents[0].configuration)
            let restarted = agents[0].agent
            #expect(await restarted.policy.hash == after.hash)
            #expect(await restarted.members().logEntries == entries)
            #expect(await restarted.members().members.map(\.node).contains(third.hex))
            #expect(try await restarted.status(join.id).decision.hasPrefix("pending"))
            #expect(await restarted.allowlist.contains(third))
        }
    }

    @Test("a malformed policy is refused with file:line:column and the old policy stays in force", .timeLimit(.minutes(2)))
    func malformedReload() async throws {
        try await withOneAgent { agents, policyPath in
            let agent = agents[0].agent
            let before = await agent.policy
            let text = F.policy(genesis: 3) + "\nsurprise: 1\n"
            try text.write(toFile: policyPath, atomically: true, encoding: .utf8)
            let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("surprise") }! + 1

            // Through the control socket, as `herald policy reload` asks.
            let client = ControlClient(path: agents[0].configuration.controlSocket)
            let failure = await #expect(throws: ControlClient.Failure.self) {
                try await client.send(ControlRequest(command: "reload-policy"))
            }
            guard case .agent(let message) = failure else {
                Issue.record("expected the agent's refusal, got \(String(describing: failure))")
                return
            }
            #expect(message.contains("\(policyPath):\(line):1: unknown key 'surprise'"))
            #expect(message.contains("the previous policy stays in force"))
            #expect(await agent.policy == before)
            #expect(await agent.log.policy == before)
            #expect(await !agent.allowlist.contains(F.key(3).publicKey.nodeID))
            #expect(await agent.members().members.count == 2)
        }
    }

    @Test("a reload may not change the consortium name or key", .timeLimit(.minutes(2)))
    func consortiumChangeRefused() async throws {
        try await withOneAgent { agents, policyPath in
            let agent = agents[0].agent
            let before = await agent.policy
            let original = F.policy(genesis: 2)
            for (changed, expected) in [
                (original.replacingOccurrences(of: "name: herald-test", with: "name: other-consortium"), "consortium name changes"),
                (original.replacingOccurrences(of: "file:unused", with: "file:other"), "consortium key changes"),
            ] {
                #expect(changed != original)
                try changed.write(toFile: policyPath, atomically: true, encoding: .utf8)
                let error = await #expect(throws: AgentError.self) { try await agent.reloadPolicy() }
                guard case .policyReload(let path, let reason) = error else {
                    Issue.record("expected a refused reload, got \(String(describing: error))")
                    return
                }
                #expect(path == policyPath)
                #expect(reason.contains(expected))
                #expect(await agent.policy == before)
                #expect(await agent.log.policy == before)
            }
        }
    }
}
