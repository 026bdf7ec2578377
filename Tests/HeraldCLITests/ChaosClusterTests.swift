import Foundation
import TestSupport
import HeraldCrypto
import Testing
import TestTurns
#if canImport(Glibc)
import Glibc
#endif

/// Whether this process may make network namespaces (root, and a kernel that lets it).
private func namespacesAvailable() async -> Bool {
    guard getuid() == 0 else { return false }
    let name = "herald-probe-\(getpid())"
    guard let made = try? await HeraldProcess.run(["netns", "add", name], program: URL(fileURLWithPath: "/usr/sbin/ip")), made.status == 0
    else { return false }
    _ = try? await HeraldProcess.run(["netns", "del", name], program: URL(fileURLWithPath: "/usr/sbin/ip"))
    return FileManager.default.isExecutableFile(atPath: "/usr/sbin/nft")
}

/// Herald's promise on separate hosts: eight agents, each in a network
/// namespace of its own (Deploy/cluster/cluster.sh), under packet loss, a
/// partition longer than the give-up time, SIGKILLs and a clean restart.
/// Nothing lost, nothing twice, every agent the same member list.
@Suite("a cluster of eight hosts under loss, partition and crashes", .serialized,
       .enabled("needs root and network namespaces (ip netns add) with nftables: not available here", namespacesAvailable))
struct ChaosClusterTests {
    /// Drives Deploy/cluster/cluster.sh over a state directory of its own.
    final class Cluster: @unchecked Sendable {
        let script = HeraldProcess.repository.appendingPathComponent("Deploy/cluster/cluster.sh")
        let directory: String
        let herald = (try? HeraldProcess.locateExecutable().path) ?? "herald"

        init(directory: String) { self.directory = directory }

        /// Processes started through ProcessGroup (posix_spawn, reaped by waitpid): Foundation's
        /// Process can miss the exit of a script whose children live on.
        let processes = ProcessGroup()
        private let lock = NSLock()
        private var commandNumber = 0

        /// `cluster.sh ARGS`; throws unless it exits 0 (or `allowFailure`).
        @discardableResult
        func run(_ arguments: [String], allowFailure: Bool = false) async throws -> HeraldProcess.Result {
            let number = lock.withLock { commandNumber += 1; return commandNumber }
            let stdout = "/tmp/herald-cluster-command-\(getpid())-\(number).out", stderr = stdout + ".err"
            defer {
                unlink(stdout)
                unlink(stderr)
            }
            let environment = [
                "HERALD_BIN": herald, "HERALD_CLUSTER_DIR": directory,
                "HERALD_CLUSTER_GENESIS": "5", "HERALD_CLUSTER_APPROVALS": "2",
                // Shortened for the test: host 5 stays cut for longer than this.
                "HERALD_CLUSTER_GIVE_UP": "12s", "HERALD_CLUSTER_RETRY": "{base: 1s, max: 2s}",
                "HERALD_CLUSTER_ANTI_ENTROPY_MS": "1500",
            ]
            let pid = try processes.spawn("/bin/bash", [script.path] + arguments, stdout: stdout, stderr: stderr, environment: environment)
            let termination = try await processes.wait(pid, within: .seconds(60), what: "cluster.sh \(arguments.joined(separator: " "))")
            let status: Int32
            switch termination {
            case .exited(let code): status = code
            case .signalled(let signal): status = 128 + signal
            }
            let result = HeraldProcess.Result(status: status,
                                              stdout: TextFile.read(stdout) ?? "",
                                              stderr: TextFile.read(stderr) ?? "")
            guard allowFailure || result.status == 0 else {
                throw AgentProcessCluster.Failure(description: "cluster.sh \(arguments.joined(separator: " ")): \(termination): \(result.stderr)")
            }
            return result
        }

        /// `cluster.sh down`, then whatever this cluster's commands left running killed.
        func down() async {
            _ = try? await run(["down"], allowFailure: true)
            processes.killAll()
        }

        /// `herald ARGS` on host `h`; its standard output.
        func herald(_ h: Int, _ arguments: [String]) async throws -> String { try await run(["herald", "\(h)"] + arguments).stdout }

        func enode(_ h: Int) async throws -> String {
            try await run(["enode", "\(h)"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func log(_ h: Int) -> String {
            let text = TextFile.read("\(directory)/host\(h)/agent.log") ?? ""
            return "host \(h):\n" + text.split(separator: "\n").suffix(15).joined(separator: "\n")
        }

        /// Waits for `condition`, polling every 300 ms.
        func until(_ what: String, within seconds: Double, _ condition: () async throws -> Bool) async throws {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if (try? await condition()) == true { return }
                try await Task.sleep(for: .milliseconds(300))
            }
            throw AgentProcessCluster.Failure(description: "timed out after \(Int(seconds)) s waiting for \(what)\n"
                                              + (1...8).map(log).joined(separator: "\n"))
        }

        /// Whether host `h` has logged announcement `id`.
        func holds(_ h: Int, _ id: String) async -> Bool {
            guard let text = try? await herald(h, ["status", id, "--json"]), let data = text.data(using: .utf8),
                  let status = try? JSONDecoder().decode(AgentProcessCluster.Status.self, from: data) else { return false }
            return status.decision != "not in log"
        }

        func announce(on h: Int, _ arguments: [String]) async throws -> String {
            try firstWord(try await herald(h, ["announce"] + arguments))
        }

        /// Approves `id` on `h` once `h` holds it.
        func approve(on h: Int, _ id: String) async throws -> String {
            try await until("host \(h) to hold \(id.prefix(8))", within: 60) { await holds(h, id) }
            return try firstWord(try await herald(h, ["approve", id]))
        }

        private func firstWord(_ output: String) throws -> String {
            guard let word = output.split(separator: " ").first, word.count == 64 else {
                throw AgentProcessCluster.Failure(description: "no announcement ID in \(output)")
            }
            return String(word)
        }
    }

    /// An enode of a node without an agent on this cluster's network.
    static func nodeWithoutAgent(_ n: Int) -> (enode: String, key: Secp256k1.PrivateKey) {
        var raw = [UInt8](repeating: 0, count: 32)
        raw[0] = 0x5c
        raw[31] = UInt8(n)
        let key = try! Secp256k1.PrivateKey(rawRepresentation: raw)
        return ("enode://\(Hex.encode(key.publicKey.rawRepresentation))@10.77.0.\(100 + n):30303", key)
    }

    @Test("40 announcements under 30% loss on two hosts, a long partition, two SIGKILLs and a clean restart: 0 lost, 0 twice, 0 diverged",
          .takesTurns, .timeLimit(.minutes(10)))
    func chaos() async throws {
        // A test runner killed in mid-run cannot clean up: its leftovers go first.
        for stale in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [] where stale.hasPrefix("herald-chaos-") {
            await Cluster(directory: "/tmp/" + stale).down()
        }
        let cluster = Cluster(directory: "/tmp/herald-chaos-\(UUID().uuidString.prefix(8))")
        // Down whichever way the scenario ends (a defer cannot await).
        let outcome: Result<Void, any Error>
        do {
            try await scenario(cluster)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await cluster.down()
        try outcome.get()
    }

    private func scenario(_ cluster: Cluster) async throws {
        let started = Date()
        try await cluster.run(["up", "8"])
        for h in 1...8 {
            try await cluster.until("host \(h) linked to 7 agents", within: 30) { try await cluster.herald(h, ["peers"]).hasSuffix("peers: 7\n") }
        }
        // For the whole run: 30% of the packets into hosts 6 and 7 are dropped.
        try await cluster.run(["loss", "6", "30"])
        try await cluster.run(["loss", "7", "30"])
        var made: [String] = []
        var rng = SystemRandomNumberGenerator()

        // Hosts 6-8 run agents but are not genesis members: each joins itself (self-join needs no approval).
        for h in 6...8 {
            made.append(try await cluster.announce(on: h, ["join", "--enode", try await cluster.enode(h).replacingOccurrences(of: ":30310", with: ":30303"),
                                                     "--role", "validator"]))
        }
        // Joins of nodes without agents, each approved by a second validator.
        var joins: [(node: Int, id: String)] = []
        func admit(_ node: Int, announcer: Int, approver: Int) async throws {
            let id = try await cluster.announce(on: announcer, ["join", "--enode", Self.nodeWithoutAgent(node).enode, "--role", "observer"])
            made.append(id)
            made.append(try await cluster.approve(on: approver, id))
            joins.append((node, id))
        }
        try await admit(1, announcer: 1, approver: 2)
        try await admit(2, announcer: 2, approver: 3)
        try await admit(3, announcer: 6, approver: 4)

        // Host 5, a genesis validator, is cut off for longer than the give-up time (12 s).
        try await cluster.until("host 5 to hold every announcement so far", within: 60) {
            for id in made where !(await cluster.holds(5, id)) { return false }
            return true
        }
        let pending = try await cluster.announce(on: 1, ["join", "--enode", Self.nodeWithoutAgent(4).enode, "--role", "observer"])
        made.append(pending)
        try await cluster.until("host 5 to hold the join it approves across the partition", within: 60) { await cluster.holds(5, pending) }
        try await cluster.run(["cut", "5"])
        let cutAt = Date()
        // Approved on the far side of the partition: the approval reaches the others after the heal.
        made.append(try firstWord(of: try await cluster.herald(5, ["approve", pending])))
        joins.append((4, pending))
        try await admit(5, announcer: 3, approver: 1)
        // A SIGKILL of host 2 while deliveries are under way, and its restart.
        let beforeKill = try await cluster.announce(on: 2, ["join", "--enode", Self.nodeWithoutAgent(6).enode, "--role", "observer"])
        made.append(beforeKill)
        try await Task.sleep(for: .milliseconds(Int.random(in: 0..<400, using: &rng)))
        try await cluster.run(["kill", "2"])
        try await cluster.run(["start", "2"])
        made.append(try await cluster.approve(on: 3, beforeKill))
        joins.append((6, beforeKill))
        try await admit(7, announcer: 4, approver: 2)
        try await admit(8, announcer: 8, approver: 1)
        // Host 4 stops cleanly and starts again; meanwhile two more admissions.
        try await cluster.run(["stop", "4"])
        try await admit(9, announcer: 1, approver: 3)
        try await admit(10, announcer: 7, approver: 2)
        try await cluster.run(["start", "4"])
        // Stay cut past the give-up time, then heal.
        let remaining = 16 - Date().timeIntervalSince(cutAt)
        if remaining > 0 { try await Task.sleep(for: .milliseconds(Int(remaining * 1000))) }
        try await cluster.run(["heal", "5"])
        // Host 5 catches up through anti-entropy: the announcers gave up resending to it.
        let healedAt = Date()
        let beforeHeal = made
        try await cluster.until("host 5 to catch up after the heal", within: 90) {
            for id in beforeHeal where !(await cluster.holds(5, id)) { return false }
            return true
        }
        let caughtUp = Date().timeIntervalSince(healedAt)

        try await admit(11, announcer: 5, approver: 4)
        // Host 7, behind 30% loss, updates its own entry (a self-join needs no approval).
        made.append(try await cluster.announce(on: 7, ["join", "--enode", try await cluster.enode(7).replacingOccurrences(of: ":30310", with: ":30303"),
                                                       "--role", "validator", "--role", "bootnode"]))
        // A SIGKILL of host 3 at a random moment of its own announcement's delivery.
        let racing = try await cluster.announce(on: 3, ["join", "--enode", Self.nodeWithoutAgent(13).enode, "--role", "observer"])
        made.append(racing)
        try await Task.sleep(for: .milliseconds(Int.random(in: 0..<300, using: &rng)))
        try await cluster.run(["kill", "3"])
        try await cluster.run(["start", "3"])
        made.append(try await cluster.approve(on: 1, racing))
        joins.append((13, racing))

        // Leaves of six admitted nodes, each approved by a second validator.
        for (index, join) in joins.prefix(6).enumerated() {
            let announcer = [1, 2, 3, 4, 6, 7][index]
            let id = try await cluster.announce(on: announcer, ["leave", "--enode", Self.nodeWithoutAgent(join.node).enode])
            made.append(id)
            made.append(try await cluster.approve(on: [5, 1, 2, 8, 1, 3][index], id))
        }
        #expect(made.count == 40)
        #expect(Set(made).count == 40)
        let lastAnnounced = Date()

        // Quiescence: every agent holds all 40, once each, with one member list.
        var digests: [Int: String] = [:]
        try await cluster.until("every host to hold all 40 announcements with one digest", within: 180) {
            for h in 1...8 {
                let members = try JSONDecoder().decode(AgentProcessCluster.Members.self, from: Data(try await cluster.herald(h, ["members", "--json"]).utf8))
                guard members.logEntries == 40 else { return false }
                digests[h] = members.digest
            }
            return Set(digests.values).count == 1
        }
        let quiescent = Date().timeIntervalSince(lastAnnounced)
        var lost = 0, duplicated = 0
        for h in 1...8 {
            for id in made where !(await cluster.holds(h, id)) { lost += 1 }
        }
        // `herald audit` reads the log itself (no agent needed): hash chain, signatures, decisions.
        for h in 1...8 {
            let result = try await HeraldProcess.run(["audit", "--data-dir", "\(cluster.directory)/host\(h)", "--format", "json"])
            #expect(result.status == 0, "host \(h) audit: \(result.stdout) \(result.stderr)")
            let audit = try JSONDecoder().decode(AgentProcessCluster.Audit.self, from: Data(result.stdout.utf8))
            #expect(audit.passed)
            duplicated += max(0, Int(audit.entries) - 40)
        }
        let diverged = Set(digests.values).count - 1
        let clusterView = try await cluster.run(["herald", "1", "members", "--cluster"], allowFailure: true)
        #expect(clusterView.stdout.contains(", 0 diverging"), "\(clusterView.stdout)")
        #expect([0, 3].contains(clusterView.status), "\(clusterView.stdout)")
        let files = try (1...8).map { try String(contentsOfFile: "\(cluster.directory)/host\($0)/permissioned-nodes.json", encoding: .utf8) }
        #expect(Set(files).count == 1, "permissioned-nodes.json differs between hosts")
        print("chaos: 40 announcements on 8 hosts: lost \(lost), duplicated \(duplicated), diverged \(diverged); "
              + "host 5 caught up \(String(format: "%.1f", caughtUp)) s after the heal; all agents equal "
              + "\(String(format: "%.1f", quiescent)) s after the last announcement; run \(Int(Date().timeIntervalSince(started))) s")
        #expect(lost == 0 && duplicated == 0 && diverged == 0)
    }

    private func firstWord(of output: String) throws -> String {
        guard let word = output.split(separator: " ").first, word.count == 64 else {
            throw AgentProcessCluster.Failure(description: "no announcement ID in \(output)")
        }
        return String(word)
    }
}
