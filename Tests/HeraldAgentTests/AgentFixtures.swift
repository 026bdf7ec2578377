import Foundation
import HeraldCrypto
@testable import HeraldAgent
import NodeAdapters
import Testing

/// In-process agents on 127.0.0.1 in temporary directories; everything a
/// fixture starts it stops and removes.
enum AgentFixtures {
    /// Node key number `n`, deterministic.
    static func key(_ n: Int) -> Secp256k1.PrivateKey {
        var raw = [UInt8](repeating: 0, count: 32)
        raw[0] = 0x22
        raw[31] = UInt8(n)
        return try! Secp256k1.PrivateKey(rawRepresentation: raw)
    }

    static func pub(_ n: Int) -> String { Hex.encode(key(n).publicKey.rawRepresentation) }

    /// The node's (not the agent's) enode URL.
    static func nodeEnode(_ n: Int) -> String { "enode://\(pub(n))@127.0.0.1:\(30300 + n)" }

    /// Nodes 1...genesis are genesis validators; admitting anyone else needs two validator approvals.
    static func policy(genesis: Int, giveUpAfter: String = "1h") -> String {
        var identities = ""
        for n in 1...genesis {
            identities += "  - {name: val-\(n), organisation: O\(n), enode: \"\(nodeEnode(n))\", roles: [validator], genesis: true}\n"
        }
        return """
            version: 1
            consortium: {name: herald-test, key: "file:unused"}
            identities:
            \(identities)rules:
              self-join: true
              self-leave: true
              admission: {approvals: 2, approver-roles: [validator]}
              removal: {approvals: 2, approver-roles: [validator]}
            endpoints: {networks: [127.0.0.0/8]}
            limits: {min-validators: 1}
            delivery:
              retry-backoff: {base: 1s, max: 2s}
              give-up-after: \(giveUpAfter)
            """
    }

    /// A directory removed by `cleanUp()`.
    final class Sandbox: @unchecked Sendable {
        let root: URL

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-agent-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        }

        func cleanUp() { try? FileManager.default.removeItem(at: root) }

        /// Writes the shared policy and consortium key; returns their paths.
        func shared(genesis: Int, giveUpAfter: String = "1h") throws -> (policy: String, key: String) {
            let policy = root.appendingPathComponent("policy.yaml").path
            try AgentFixtures.policy(genesis: genesis, giveUpAfter: giveUpAfter).write(toFile: policy, atomically: true, encoding: .utf8)
            let key = root.appendingPathComponent("consortium.key").path
            try String(repeating: "ab", count: 32).write(toFile: key, atomically: true, encoding: .utf8)
            return (policy, key)
        }


        /// Configuration of agent `n`, dialling `peers`.
        func configuration(_ n: Int, policy: String, consortiumKey: String, peers: [String]) throws -> AgentConfiguration {
            let directory = root.appendingPathComponent("agent-\(n)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let keyPath = directory.appendingPathComponent("nodekey").path
            try NodeKeyFile.write(AgentFixtures.key(n), to: keyPath)
            return AgentConfiguration(
                listen: .init(host: "127.0.0.1", port: 0), dataDirectory: directory.path, nodeKey: keyPath,
                policy: policy, controlSocket: directory.appendingPathComponent("herald.sock").path,
                consortiumKey: "file:" + consortiumKey, peers: peers,
                adapters: [.goQuorumFiles(GoQuorumFilesConfiguration(
                    permissionedNodesPath: directory.appendingPathComponent("permissioned-nodes.json").path))],
                antiEntropyIntervalMilliseconds: 1000, logLevel: "warning")
        }
    }

    /// A running agent and its task.
    struct Running: Sendable {
        let agent: HeraldAgent
        let task: Task<Void, any Error>
        let enode: String
        let configuration: AgentConfiguration

        func stop() async {
            task.cancel()
            _ = try? await task.value
        }
    }

    static func start(_ configuration: AgentConfiguration) async throws -> Running {
        let agent = try await HeraldAgent(configuration: configuration)
        let task = Task { try await agent.run() }
        let enode = try await eventually("agent listening") { await agent.enodeURL() }
        return Running(agent: agent, task: task, enode: enode, configuration: configuration)
    }

    struct Timeout: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting for \(what)" }
    }

    /// Polls `condition` until it yields a value or `limit` passes.
    static func eventually<T: Sendable>(_ what: String, within limit: Duration = .seconds(20),
                                        _ condition: @Sendable () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let value = try await condition() { return value }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Timeout(what: what)
    }

    static func until(_ what: String, within limit: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool) async throws {
        _ = try await eventually(what, within: limit) { try await condition() ? true : nil }
    }
}
