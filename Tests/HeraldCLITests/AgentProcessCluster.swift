import Foundation
import HeraldCrypto
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Herald agents as real processes on 127.0.0.1: agents 1…count, the
/// genesis validators of one policy, each created with `herald init` and
/// run with `herald run`, dialling every other one, in a directory of their
/// own under /tmp. Operator commands run the same `herald` binary against
/// an agent's config. ``tearDown()`` kills and reaps every process started
/// here and removes the directory.
final class AgentProcessCluster: @unchecked Sendable {
    /// What `herald members --json` prints (the fields the tests read).
    struct Members: Decodable {
        struct Member: Decodable {
            let node: String
            let enode: String
        }
        let members: [Member]
        let digest: String
        let logEntries: UInt64
        let logHead: String
    }

    /// What `herald status ID --json` prints.
    struct Status: Decodable {
        struct Recipient: Decodable {
            let node: String
            let acked: Bool
        }
        let id: String
        let decision: String
        let recipients: [Recipient]
    }

    /// What `herald audit --format json` prints.
    struct Audit: Decodable {
        let passed: Bool
        let entries: UInt64
        let digest: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let herald: String
    let root: URL
    let count: Int
    let processes = ProcessGroup()
    private let ports: [UInt16]
    private let lock = NSLock()
    private var running: [Int: pid_t] = [:]
    private var commandNumber = 0

    /// Node key `n` (deterministic; not the keys of the in-process agent tests).
    static func key(_ n: Int) -> Secp256k1.PrivateKey {
        try! Secp256k1.PrivateKey(rawRepresentation: GenesisPolicy.rawNodeKey(n, family: 0x33))
    }

    static func publicKey(_ n: Int) -> String { Hex.encode(key(n).publicKey.rawRepresentation) }

    /// Node `n`'s own (Ethereum) enode URL; nodes 10 and up run no agent.
    static func nodeEnode(_ n: Int) -> String { "enode://\(publicKey(n))@127.0.0.1:\(30300 + n)" }

    /// Node `n`'s ID, as the commands print it.
    static func nodeID(_ n: Int) -> String { key(n).publicKey.nodeID.hex }

    /// Creates the directory, the node keys, the consortium key and the policy; starts nothing.
    /// `herald` is the binary to run (default: the one this build made).
    init(count: Int, herald: String? = nil) throws {
        self.herald = try herald ?? HeraldProcess.locateExecutable().path
        self.count = count
        root = URL(fileURLWithPath: "/tmp/herald-processes-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        ports = try Self.freePorts(count)
        for n in 1...count {
            try NodeKeyFile.write(Self.key(n), to: root.appendingPathComponent("nodekey-\(n)").path)
        }
        try String(repeating: "cd", count: 32).writePrivate(toFile: root.appendingPathComponent("consortium.key").path)
        let policy = GenesisPolicy.yaml(consortium: "herald-processes", consortiumKey: "file:consortium.key",
                                        enodes: (1...count).map(Self.nodeEnode))
        try policy.write(to: root.appendingPathComponent("policy.yaml"), atomically: true, encoding: .utf8)
    }

    /// Kills and reaps every process started here, then removes the directory.
    func tearDown() {
        processes.killAll()
        try? FileManager.default.removeItem(at: root)
    }

    func dataDirectory(_ n: Int) -> String { root.appendingPathComponent("agent-\(n)").path }
    func config(_ n: Int) -> String { dataDirectory(n) + "/agent.yaml" }
    func agentEnode(_ n: Int) -> String { "enode://\(Self.publicKey(n))@127.0.0.1:\(ports[n - 1])" }

    /// `herald init` for every agent: its node key, the shared policy and consortium key, every other agent as a peer.
    func initialise() async throws {
        for n in 1...count {
            var arguments = [
                "init", "--data-dir", dataDirectory(n), "--policy", root.appendingPathComponent("policy.yaml").path,
                "--nodekey", root.appendingPathComponent("nodekey-\(n)").path, "--listen", "127.0.0.1:\(ports[n - 1])",
                "--consortium-key", "file:" + root.appendingPathComponent("consortium.key").path,
            ]
            for m in 1...count where m != n { arguments += ["--peer", agentEnode(m)] }
            let result = try await run(arguments)
            guard result.status == 0, result.stdout.hasPrefix("enode://\(Self.publicKey(n))@") else {
                throw Failure(description: "herald init of agent \(n) failed: \(result.stderr)")
            }
        }
    }

    /// Starts `herald run` for agent `n`, standard error appended to agent-n.log,
    /// with `environment` added to the test's.
    func start(_ n: Int, environment: [String: String] = [:]) throws {
        let log = root.appendingPathComponent("agent-\(n).log").path
        let pid = try processes.spawn(herald, ["run", "--config", config(n)], stdout: log, stderr: log, environment: environment)
        lock.withLock { running[n] = pid }
    }

    /// SIGKILLs agent `n` (no chance to close anything) and reaps it.
    func kill9(_ n: Int) async throws {
        let pid = try pid(n)
        processes.signal(pid, SIGKILL)
        let termination = try await processes.wait(pid, within: .seconds(10), what: "agent \(n)")
        lock.withLock { running[n] = nil }
        guard termination == .signalled(SIGKILL) else {
            throw Failure(description: "agent \(n) ended with \(termination) before it was killed\n\(logTail(n))")
        }
    }

    /// SIGSTOPs agent `n`: it holds its connections but reads, answers and acknowledges nothing.
    func freeze(_ n: Int) throws { processes.signal(try pid(n), SIGSTOP) }

    /// SIGCONTs agent `n` after ``freeze(_:)``.
    func thaw(_ n: Int) throws { processes.signal(try pid(n), SIGCONT) }

    /// SIGTERMs agent `n` and waits for its clean exit.
    func stop(_ n: Int) async throws {
        let pid = try pid(n)
        processes.signal(pid, SIGTERM)
        let termination = try await processes.wait(pid, within: .seconds(20), what: "agent \(n) after SIGTERM")
        lock.withLock { running[n] = nil }
        guard termination == .exited(0) else {
            throw Failure(description: "agent \(n) stopped with \(termination)\n\(logTail(n))")
        }
    }

    /// Fails when agent `n` is not running (it exited on its own: its log says why).
    private func pid(_ n: Int) throws -> pid_t {
        guard let pid = lock.withLock({ running[n] }) else { throw Failure(description: "agent \(n) is not running") }
        if let termination = processes.poll(pid) {
            lock.withLock { running[n] = nil }
            throw Failure(description: "agent \(n) exited by itself (\(termination))\n\(logTail(n))")
        }
        return pid
    }

    /// The last lines agent `n` logged.
    func logTail(_ n: Int, lines: Int = 30) -> String {
        let text = (try? String(contentsOf: root.appendingPathComponent("agent-\(n).log"), encoding: .utf8)) ?? ""
        return "agent-\(n).log:\n" + text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    // MARK: - Commands

    /// Runs `herald arguments` and returns its status and output; gives up (killing it) after `limit`.
    func run(_ arguments: [String], within limit: Duration = .seconds(30)) async throws -> HeraldProcess.Result {
        let number = lock.withLock { commandNumber += 1; return commandNumber }
        let stdout = root.appendingPathComponent("command-\(number).out").path
        let stderr = root.appendingPathComponent("command-\(number).err").path
        defer {
            unlink(stdout)
            unlink(stderr)
        }
        let pid = try processes.spawn(herald, arguments, stdout: stdout, stderr: stderr)
        let termination = try await processes.wait(pid, within: limit, what: "herald \(arguments.joined(separator: " "))")
        let status: Int32
        switch termination {
        case .exited(let code): status = code
        case .signalled(let signal): status = 128 + signal
        }
        return HeraldProcess.Result(
            status: status,
            stdout: TextFile.read(stdout) ?? "",
            stderr: TextFile.read(stderr) ?? "")
    }

    /// Runs `herald arguments --config <agent n's config>`; throws unless it exits 0.
    @discardableResult
    func command(_ n: Int, _ arguments: [String]) async throws -> String {
        let result = try await run(arguments + ["--config", config(n)])
        guard result.status == 0 else {
            throw Failure(description: "herald \(arguments.joined(separator: " ")) on agent \(n): exit \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// `herald announce join --enode <node m>` on agent `n`; returns the announcement ID.
    func announceJoin(on n: Int, of m: Int) async throws -> String {
        try Self.firstWord(of: try await command(n, ["announce", "join", "--enode", Self.nodeEnode(m)]))
    }

    /// `herald approve ID` on agent `n`; returns the approval's ID.
    func approve(on n: Int, _ id: String) async throws -> String {
        try Self.firstWord(of: try await command(n, ["approve", id]))
    }

    func members(_ n: Int) async throws -> Members {
        try JSONDecoder().decode(Members.self, from: Data(try await command(n, ["members", "--json"]).utf8))
    }

    /// Announcement `id` as agent `n` sees it; nil when it knows nothing of it.
    func status(_ n: Int, _ id: String) async throws -> Status? {
        let result = try await run(["status", id, "--json", "--config", config(n)])
        guard result.status == 0 else {
            if result.stderr.contains("no announcement \(id) in this agent's log") { return nil }
            throw Failure(description: "herald status on agent \(n): exit \(result.status): \(result.stderr)")
        }
        return try JSONDecoder().decode(Status.self, from: Data(result.stdout.utf8))
    }

    /// True when agent `n`'s log holds announcement `id`.
    func holds(_ n: Int, _ id: String) async throws -> Bool {
        guard let status = try await status(n, id) else { return false }
        return status.decision != "not in log"
    }

    /// `herald audit --data-dir` on agent `n`'s directory (the agent should be stopped).
    func audit(_ n: Int) async throws -> (result: HeraldProcess.Result, report: Audit?) {
        let result = try await run(["audit", "--data-dir", dataDirectory(n), "--format", "json"])
        return (result, try? JSONDecoder().decode(Audit.self, from: Data(result.stdout.utf8)))
    }

    /// Polls until agent `n` answers on its control socket and is linked to `peers` agents.
    func untilLinked(_ n: Int, peers: Int, within limit: Duration = .seconds(30)) async throws {
        try await until("agent \(n) linked to \(peers) agents", within: limit) {
            _ = try pid(n)
            let result = try await run(["peers", "--json", "--config", config(n)])
            guard result.status == 0 else { return false }
            let list = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [Any]
            return list?.count == peers
        }
    }

    /// Polls `condition` every 200 ms until it holds; throws after `limit`, with every agent's log tail.
    func until(_ what: String, within limit: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        let logs = (1...count).map { logTail($0, lines: 15) }.joined(separator: "\n")
        throw Failure(description: "timed out waiting for \(what)\n\(logs)")
    }

    /// The announcement ID a command printed first (announce, approve, policy propose).
    static func firstWord(of output: String) throws -> String {
        guard let word = output.split(whereSeparator: \.isWhitespace).first, word.count == 64 else {
            throw Failure(description: "expected an announcement ID, got: \(output)")
        }
        return String(word)
    }

    /// `count` TCP ports that were free on 127.0.0.1 a moment ago (bound together, then released),
    /// below the kernel's ephemeral range (32768 and up): between their release and the agents'
    /// start, no connection another test makes can be given one of them.
    static func freePorts(_ count: Int) throws -> [UInt16] {
        var descriptors: [Int32] = []
        defer { for descriptor in descriptors { close(descriptor) } }
        var ports: [UInt16] = []
        var attempts = 0
        while ports.count < count {
            attempts += 1
            guard attempts <= 1000 else { throw Failure(description: "no free port found in 20000-32767") }
            let candidate = UInt16.random(in: 20_000...32_767)
            guard !ports.contains(candidate) else { continue }
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = candidate.bigEndian
            let bound = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard bound else {
                close(descriptor)
                continue   // in use: try another
            }
            descriptors.append(descriptor)
            ports.append(candidate)
        }
        return ports
    }
}

extension HeraldProcess {
    /// The `herald` executable `swift build --build-tests` puts beside the
    /// test bundle (HeraldCLITests depends on the `herald` target, so `swift
    /// test` builds it too), or `$HERALD_BIN`.
    ///
    /// On Linux the test runner is `.build/<triple>/debug/HeraldPackageTests.xctest`,
    /// so /proc/self/exe, `Bundle.main` and `CommandLine.arguments[0]` all name a
    /// file in the products directory; on macOS the bundle is a directory there.
    static func locateExecutable() throws -> URL {
        let fileManager = FileManager.default
        if let override = ProcessInfo.processInfo.environment["HERALD_BIN"], !override.isEmpty {
            guard fileManager.isExecutableFile(atPath: override) else {
                throw AgentProcessCluster.Failure(description: "HERALD_BIN=\(override) is not an executable file")
            }
            return URL(fileURLWithPath: override)
        }
        var runners: [URL] = []
        if let exe = try? fileManager.destinationOfSymbolicLink(atPath: "/proc/self/exe") { runners.append(URL(fileURLWithPath: exe)) }
        if let main = Bundle.main.executableURL { runners.append(main) }
        runners.append(URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL)
        var searched: [String] = []
        for runner in runners {
            // The runner itself, or the .xctest bundle it sits in (macOS: X.xctest/Contents/MacOS/X).
            var directory = runner.deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("herald")
                if !searched.contains(directory.path) { searched.append(directory.path) }
                if fileManager.isExecutableFile(atPath: candidate.path) { return candidate }
                if directory.pathExtension != "xctest" && !directory.path.contains(".xctest/") { break }
                directory = directory.deletingLastPathComponent()
            }
        }
        throw AgentProcessCluster.Failure(description: """
            the herald executable is not in the products directory (looked in \(searched.joined(separator: ", "))); \
            build it with `swift build --build-tests` (or set HERALD_BIN)
            """)
    }
}
