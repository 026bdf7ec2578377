import Foundation
import Testing
import TestSupport
@testable import NodeAdapters

@Suite("exec adapter")
struct ExecAdapterTests {
    /// A handler script that records stdin, the HERALD_* variables and a run count; fails while `fail` exists.
    private func script(_ directory: TemporaryDirectory) throws -> String {
        let path = directory.file("handler.sh")
        try directory.write("handler.sh", """
            #!/bin/sh
            cd "\(directory.path)"
            echo run >> runs
            cat > stdin.json
            env | grep '^HERALD_' | sort > env.txt
            if [ -e fail ]; then echo "boom: node unreachable" >&2; exit 3; fi
            exit 0

            """)
        chmod(path, 0o755)
        return path
    }

    private func runs(_ directory: TemporaryDirectory) -> Int {
        ((try? directory.read("runs")) ?? "").split(separator: "\n").count
    }

    @Test("join: the member list on stdin, the change in HERALD_* variables")
    func join() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let exec = try ExecAdapter(configuration: ExecConfiguration(command: try script(directory), timeoutSeconds: 10))
        let report = try await exec.apply(Fixtures.peerSet([1, 2]))
        #expect(report.added.count == 2)
        let input = try JSONSerialization.jsonObject(with: Data(directory.read("stdin.json").utf8)) as? [String: Any]
        let members = input?["members"] as? [[String: Any]]
        #expect(members?.count == 2)
        #expect(Set(members?.compactMap { $0["enode"] as? String } ?? []) == [Fixtures.url(1), Fixtures.url(2)])
        #expect(input?["localNodeID"] as? String == Fixtures.key(1).publicKey.nodeID.hex)
        let env = try directory.read("env.txt")
        #expect(env.contains("HERALD_EVENT=apply"))
        #expect(env.contains("HERALD_MEMBER_COUNT=2"))
        #expect(env.contains("HERALD_REMOVED=\n"))
        #expect(env.contains(Fixtures.url(2)))
    }

    @Test("re-applying does not run the command; leave passes HERALD_REMOVED; state survives a restart")
    func reapplyAndLeave() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configuration = ExecConfiguration(command: try script(directory), stateFile: directory.file("state.json"))
        _ = try await ExecAdapter(configuration: configuration).apply(Fixtures.peerSet([1, 2, 3]))
        let restarted = try ExecAdapter(configuration: configuration)
        let same = try await restarted.apply(Fixtures.peerSet([1, 2, 3]))
        #expect(!same.changed && runs(directory) == 1)
        let leave = try await restarted.apply(Fixtures.peerSet([1, 2]))
        #expect(leave.removed == [Fixtures.enode(3)] && runs(directory) == 2)
        #expect(try directory.read("env.txt").contains("HERALD_REMOVED=\(Fixtures.url(3))\n"))
        #expect(try directory.read("env.txt").contains("HERALD_ADDED=\n"))
    }

    @Test("a non-zero exit fails the apply with the command's output; the retry runs it again")
    func failureThenRetry() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let exec = try ExecAdapter(configuration: ExecConfiguration(command: try script(directory)))
        try directory.write("fail", "")
        await #expect(throws: NodeAdapterError.commandFailed(command: try script(directory), status: 3, output: "boom: node unreachable")) {
            _ = try await exec.apply(Fixtures.peerSet([1, 2]))
        }
        try FileManager.default.removeItem(atPath: directory.file("fail"))
        let report = try await exec.apply(Fixtures.peerSet([1, 2]))
        #expect(report.added.count == 2 && runs(directory) == 2)
    }

    @Test("a command that outlives its timeout is killed and the apply fails")
    func timeout() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let command = "echo $$ > \(directory.file("pid")); exec sleep 30"
        let exec = try ExecAdapter(configuration: ExecConfiguration(command: command, timeoutSeconds: 0.3))
        await #expect(throws: NodeAdapterError.commandTimedOut(command: command, seconds: 0.3)) {
            _ = try await exec.apply(Fixtures.peerSet([1, 2]))
        }
        // Killed, not waited for: the sleep (the shell exec'd into it) is gone once the apply has failed.
        let pid = try #require(pid_t(try directory.read("pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "the timed-out command \(pid) is still running")
    }

    @Test("a timed-out command's whole process group is killed: a background child of the shell does not survive it")
    func timeoutKillsGroup() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let command = "sleep 30 & echo $! > \(directory.file("child")); wait"
        let exec = try ExecAdapter(configuration: ExecConfiguration(command: command, timeoutSeconds: 0.5))
        await #expect(throws: NodeAdapterError.commandTimedOut(command: command, seconds: 0.5)) {
            _ = try await exec.apply(Fixtures.peerSet([1, 2]))
        }
        let child = try #require(Int32(try directory.read("child").trimmingCharacters(in: .whitespacesAndNewlines)))
        // Gone, or a zombie left for init to reap (field 3 of /proc/PID/stat is its state).
        var state = "?"
        for _ in 0..<100 {
            guard let stat = TextFile.read("/proc/\(child)/stat") else { state = "gone"; break }
            state = String(stat.split(separator: ")").last?.split(separator: " ").first ?? "?")
            if state == "Z" { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(state == "gone" || state == "Z", "the shell's background child \(child) is still running (state \(state))")
    }

    @Test("the command gets exactly the adapter's environment and no descriptor of the agent's beyond stdin, stdout and stderr")
    func cleanChild() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let command = "ls /proc/$$/fd > \(directory.file("fds")); env > \(directory.file("env")); cat > /dev/null"
        let exec = try ExecAdapter(configuration: ExecConfiguration(command: command, environment: ["ONLY_HERE": "yes"]))
        _ = try await exec.apply(Fixtures.peerSet([1, 2]))
        // 0, 1, 2, and the descriptor ls itself opened to list the directory.
        let descriptors = try directory.read("fds").split(separator: "\n").compactMap { Int($0) }
        #expect(descriptors.filter { $0 > 2 }.count <= 1, "the command inherited descriptors: \(descriptors)")
        let environment = try directory.read("env")
        #expect(environment.contains("ONLY_HERE=yes\n") && environment.contains("HERALD_EVENT=apply\n"))
    }

    @Test("configuration errors are explained")
    func configuration() {
        #expect(throws: NodeAdapterError.invalidConfiguration(adapter: "exec", field: "command", reason: "must not be empty")) {
            try ExecConfiguration(command: "  ").validate()
        }
        #expect(throws: NodeAdapterError.self) { try ExecConfiguration(command: "x", environment: ["HERALD_ADDED": "1"]).validate() }
    }
}
