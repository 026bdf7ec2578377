import Foundation
import Testing

@Suite("herald init and the control-socket commands")
struct AgentCommandTests {
    @Test("init creates a private data directory, a 0600 key and a config, and prints the enode")
    func initCreatesDataDirectory() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-init-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await HeraldProcess.run([
            "init", "--data-dir", directory.path, "--policy", "Policies/two-of-three-admission.yaml", "--listen", "127.0.0.1:30310",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("enode://"))
        #expect(result.stdout.contains("@127.0.0.1:30310"))
        let attributes = { (path: String) in
            (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
        }
        #expect(attributes(directory.path) == 0o700)
        #expect(attributes(directory.appendingPathComponent("nodekey").path) == 0o600)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("agent.yaml").path))

        let again = try await HeraldProcess.run(["init", "--data-dir", directory.path, "--policy", "Policies/two-of-three-admission.yaml"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("not overwriting"))
    }

    @Test("commands say clearly when no agent is running")
    func agentNotRunning() async throws {
        let result = try await HeraldProcess.run(["members", "--socket", "/nonexistent/herald.sock"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot reach the agent at /nonexistent/herald.sock"))
    }
}
