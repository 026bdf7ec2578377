import Foundation
import HeraldCrypto
import Testing
import TestSupport

/// `herald init --metrics` and `herald status` against a real `herald run`.
@Suite("herald status of a running agent")
struct StatusCommandTests {
    /// A one-member policy whose only genesis node is not the agent's, so the
    /// agent's goquorum-files adapter refuses the list (it drops the local node).
    static func policy() -> String {
        let other = Hex.encode(Secp256k1.PrivateKey().publicKey.rawRepresentation)
        return """
            version: 1
            consortium: {name: herald-cli-test, key: "file:unused"}
            identities:
              - {name: other, organisation: O, enode: "enode://\(other)@127.0.0.1:30399", roles: [validator], genesis: true}
            rules: {self-join: true, self-leave: true}
            endpoints: {networks: [127.0.0.0/8]}
            """
    }

    @Test("init writes the metrics address; status shows a failing adapter with its error, as text and JSON",
          .timeLimit(.minutes(2)))
    func statusShowsAdapters() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-status-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let policy = root.appendingPathComponent("policy.yaml").path
        try Self.policy().write(toFile: policy, atomically: true, encoding: .utf8)
        let key = root.appendingPathComponent("consortium.key").path
        try String(repeating: "cd", count: 32).writePrivate(toFile: key)
        let directory = root.appendingPathComponent("agent")

        let bad = try await HeraldProcess.run(["init", "--data-dir", directory.path, "--policy", policy, "--metrics", "9464"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--metrics must be host:port"))
        let created = try await HeraldProcess.run([
            "init", "--data-dir", directory.path, "--policy", policy, "--listen", "127.0.0.1:0",
            "--consortium-key", "file:" + key, "--metrics", "127.0.0.1:0",
            "--permissioned-nodes", root.appendingPathComponent("permissioned-nodes.json").path,
        ])
        #expect(created.status == 0, "\(created.stderr)")
        let config = directory.appendingPathComponent("agent.yaml").path
        let yaml = try String(contentsOfFile: config, encoding: .utf8)
        #expect(yaml.contains("metrics:"))

        let processes = ProcessGroup()
        defer { processes.killAll() }
        let agent = try processes.spawn(HeraldProcess.executable.path, ["run", "--config", config], stdout: "/dev/null", stderr: "/dev/null")

        // Poll until the adapter has failed once (the agent applies right after it starts).
        let deadline = ContinuousClock.now + .seconds(30)
        var text = HeraldProcess.Result(status: -1, stdout: "", stderr: "")
        while ContinuousClock.now < deadline {
            text = try await HeraldProcess.run(["status", "--config", config])
            if text.status == 0, text.stdout.contains("goquorum-files: failing") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("adapters:"))
        #expect(text.stdout.contains("goquorum-files: failing, "))
        #expect(text.stdout.contains("next retry in"))
        #expect(text.stdout.contains("last error: goquorum-files: refusing a member list without the local node"))
        #expect(text.stdout.contains("metrics: http://127.0.0.1:"))
        #expect(text.stdout.contains("members: 1 "))

        let json = try await HeraldProcess.run(["status", "--json", "--config", config])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let adapters = try #require(object["adapters"] as? [[String: Any]])
        #expect(adapters.count == 1)
        #expect(adapters.first?["adapter"] as? String == "goquorum-files")
        #expect(adapters.first?["state"] as? String == "failing")
        #expect((adapters.first?["consecutiveFailures"] as? Int ?? 0) >= 1)
        #expect((adapters.first?["lastError"] as? String)?.contains("refusing") == true)
        let metricsURL = try #require(object["metricsURL"] as? String)
        #expect(metricsURL.hasPrefix("http://127.0.0.1:") && metricsURL.hasSuffix("/metrics"))

        processes.signal(agent, SIGTERM)
        #expect(try await processes.wait(agent, within: .seconds(30), what: "herald run") == .exited(0))
    }
}
