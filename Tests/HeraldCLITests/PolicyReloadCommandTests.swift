import Foundation
import Testing
import TestSupport

/// A real `herald run` process: SIGHUP, `herald policy reload` and `herald members --cluster` against it.
@Suite("herald run: SIGHUP, policy reload, members --cluster", .serialized)
struct PolicyReloadCommandTests {
    /// A data directory made by `herald init`, and `herald run` on it; `stop()` ends the process and removes the directory.
    final class RunningAgent: @unchecked Sendable {
        let directory: URL
        /// `herald run`, spawned through ProcessGroup (Foundation's Process is never freed: LeakSanitizer).
        private let processes = ProcessGroup()
        private var pid: pid_t = 0
        let logFile: URL

        var config: String { directory.appendingPathComponent("agent/agent.yaml").path }
        var policy: String { directory.appendingPathComponent("agent/policy.yaml").path }
        var socket: String { directory.appendingPathComponent("agent/herald.sock").path }
        var log: String { TextFile.read(logFile.path) ?? "" }

        init() async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-run-\(UUID().uuidString.prefix(8))")
            logFile = FileManager.default.temporaryDirectory.appendingPathComponent("herald-run-\(UUID().uuidString.prefix(8)).log")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let key = directory.appendingPathComponent("consortium.key")
            try String(repeating: "cd", count: 32).writePrivate(toFile: key.path)
            let initialised = try await HeraldProcess.run([
                "init", "--data-dir", directory.appendingPathComponent("agent").path,
                "--policy", "Policies/two-of-three-admission.yaml",
                // Port 0: the kernel picks a free one when the agent binds (a random fixed one can
                // collide with another test's connections).
                "--listen", "127.0.0.1:0", "--consortium-key", "file:" + key.path,
            ])
            guard initialised.status == 0 else { throw Failure(message: "init failed: \(initialised.stderr)") }
            pid = try processes.spawn(HeraldProcess.executable.path, ["run", "--config", config],
                                      stdout: "/dev/null", stderr: logFile.path)
        }

        /// Whether `herald run` is still running (it is reaped once it has ended).
        var isRunning: Bool { processes.poll(pid) == nil }

        /// Sends `signal` to `herald run`.
        func send(_ signal: Int32) { processes.signal(pid, signal) }

        func stop() {
            processes.killAll()
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.removeItem(at: logFile)
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Polls `condition` every 100 ms for up to `seconds`.
    static func until(_ what: String, seconds: Double = 60, _ condition: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(message: "timed out waiting for \(what)")
    }

    @Test("SIGHUP and `herald policy reload` refuse a bad file and put a good one in force; --cluster exits 3 with members away",
          .timeLimit(.minutes(3)))
    func reloadAndCluster() async throws {
        let running = try await RunningAgent()
        defer { running.stop() }
        try await Self.until("the agent's control socket") {
            FileManager.default.fileExists(atPath: running.socket) || !running.isRunning
        }
        #expect(running.isRunning, "\(running.log)")
        let (config, policy) = (running.config, running.policy)

        // No peer connected, three genesis members away: every row but this agent's is "not connected".
        let cluster = try await HeraldProcess.run(["members", "--cluster", "--timeout", "1", "--config", config])
        #expect(cluster.status == 3, "\(cluster.stderr)")
        #expect(cluster.stdout.contains("(this)"))
        #expect(cluster.stdout.components(separatedBy: "not connected").count - 1 >= 3)
        let json = try await HeraldProcess.run(["members", "--cluster", "--json", "--timeout", "1", "--config", config])
        #expect(json.status == 3)
        #expect(json.stdout.contains("\"unanswered\" : 3"))

        // A malformed file: SIGHUP logs the refusal, the agent keeps running, the command prints the error.
        let original = try String(contentsOfFile: policy, encoding: .utf8)
        let broken = original + "\nsurprise: 1\n"
        let line = broken.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("surprise") }! + 1
        try broken.write(toFile: policy, atomically: true, encoding: .utf8)
        running.send(SIGHUP)
        try await Self.until("the refusal in the agent's log") { running.log.contains("policy reload refused") }
        #expect(running.log.contains("\(policy):\(line):1: unknown key 'surprise'"))
        #expect(running.isRunning)
        let refused = try await HeraldProcess.run(["policy", "reload", "--config", config])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("\(policy):\(line):1: unknown key 'surprise'"), "\(refused.stderr)")
        #expect(refused.stderr.contains("the previous policy stays in force"))

        // A valid change: SIGHUP puts it in force; reloading again finds it unchanged.
        try original.replacingOccurrences(of: "self-join: true", with: "self-join: false")
            .write(toFile: policy, atomically: true, encoding: .utf8)
        running.send(SIGHUP)
        try await Self.until("the reload in the agent's log") { running.log.contains("policy reloaded") }
        let unchanged = try await HeraldProcess.run(["policy", "reload", "--config", config])
        #expect(unchanged.status == 0, "\(unchanged.stderr)")
        #expect(unchanged.stdout.hasPrefix("policy unchanged"))
        #expect(running.isRunning)
    }
}
