// Resident memory of one agent with 50 connected peers (issue 6, goal ≤ 30 MB).
//
// - The agent under test is the real `herald run` process (release build:
//   `make bench` builds it and passes its path in HERALD_BIN), so the figure
//   is that process's own memory, read from /proc/PID/status.
// - Its 50 peers are in-process agents in this benchmark process, each
//   dialling the agent under test; the policy lists all 51 as genesis
//   validators, so every link is allowlisted.
// - One sample = the agent under test announces (alternately its own leave
//   and join, free under the policy), every peer logs and acks it, and the
//   agent's resident set (VmRSS), its peak (VmHWM) and its anonymous part
//   (RssAnon: heap, stacks, buffers; VmRSS minus the clean pages of the
//   binary and shared libraries mapped from disk) are read once all 50 acks
//   are in. Wall clock is that announce → 50 acks.
import Benchmark
import BenchmarkSupport
import Foundation
import HeraldAgent
import HeraldCrypto
import Logging

/// The agent under test (a `herald run` child process) and its 50 in-process peers.
final class Cluster: @unchecked Sendable {
    static let peerCount = 50

    let process: Process
    let control: ControlClient
    let peers: [HeraldAgent]
    let tasks: [Task<Void, any Error>]
    let root: URL
    var announcements = 0

    /// Node keys of their own: those of AgentDelivery start with 0x22.
    static let nodes = BenchmarkNodes(family: 0x33)

    /// `HERALD_BIN`, else the `make release` build beside this package.
    static func heraldBinary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["HERALD_BIN"], !path.isEmpty { return path }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = repository.appendingPathComponent(".build/deploy/release/herald").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchmarkFailure(description: "no herald binary at \(path): run `make release` or set HERALD_BIN")
        }
        return path
    }

    static func start() async throws -> Cluster {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-mem-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let policyPath = root.appendingPathComponent("policy.yaml").path
        try nodes.policy(peerCount + 1).write(toFile: policyPath, atomically: true, encoding: .utf8)
        let keyPath = root.appendingPathComponent("consortium.key").path
        try String(repeating: "cd", count: 32).write(toFile: keyPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)  // agents refuse readable keys

        func configuration(_ n: Int, peers: [String], socket: String) throws -> AgentConfiguration {
            let directory = root.appendingPathComponent("agent-\(n)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let nodeKey = directory.appendingPathComponent("nodekey").path
            try NodeKeyFile.write(nodes.key(n), to: nodeKey)
            return AgentConfiguration(
                listen: .init(host: "127.0.0.1", port: 0), dataDirectory: directory.path, nodeKey: nodeKey,
                policy: policyPath, controlSocket: socket, consortiumKey: "file:" + keyPath, peers: peers,
                adapters: [], logLevel: "warning")
        }

        // The agent under test, as its own process.
        let socket = root.appendingPathComponent("agent-1/herald.sock").path
        let configPath = root.appendingPathComponent("agent-1.yaml").path
        try configuration(1, peers: [], socket: socket).yaml().write(toFile: configPath, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try heraldBinary())
        process.arguments = ["run", "--config", configPath]
        // The benchmark tool runs with its malloc interposer preloaded (LD_PRELOAD, a Swift
        // library that maps libswiftCore and friends: 3.5 MB into a static herald); the agent
        // under test runs as deployed, without it.
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = nil
        process.environment = environment
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let control = ControlClient(path: socket)
        let enode: String
        do {
            enode = try await eventually("the agent under test to listen") {
                try? await control.send(ControlRequest(command: "enode")).enode
            }
        } catch {
            process.terminate()
            process.waitUntilExit()
            throw error
        }

        // Its peers, in this process, each dialling it.
        let silent = Logger(label: "peer") { _ in SwiftLogNoOpLogHandler() }
        var peers: [HeraldAgent] = []
        var tasks: [Task<Void, any Error>] = []
        for n in 2...(peerCount + 1) {
            let agent = try await HeraldAgent(configuration: configuration(n, peers: [enode], socket: ""), logger: silent)
            tasks.append(Task { try await agent.run() })
            peers.append(agent)
        }
        let cluster = Cluster(process: process, control: control, peers: peers, tasks: tasks, root: root)
        do {
            _ = try await eventually("\(peerCount) peers connected", within: .seconds(120)) {
                (try? await control.send(ControlRequest(command: "peers")).peers?.count) == peerCount ? true : nil
            }
        } catch {
            await cluster.stop()
            throw error
        }
        return cluster
    }

    private init(process: Process, control: ControlClient, peers: [HeraldAgent], tasks: [Task<Void, any Error>], root: URL) {
        self.process = process
        self.control = control
        self.peers = peers
        self.tasks = tasks
        self.root = root
    }

    /// The agent under test announces its own leave, then its join, and so on; returns once all peers acked.
    func announceAndWait() async throws {
        defer { announcements += 1 }
        let request = announcements.isMultiple(of: 2)
            ? AnnounceRequest(kind: "leave", enode: Self.nodes.nodeEnode(1))
            : AnnounceRequest(kind: "join", enode: Self.nodes.nodeEnode(1), roles: ["validator"])
        guard let id = try await control.send(ControlRequest(command: "announce", announce: request)).status?.id else {
            throw BenchmarkFailure(description: "announce returned no status")
        }
        _ = try await eventually("all acks for \(id.prefix(8))") { [control] in
            let status = try? await control.send(ControlRequest(command: "status", id: id)).status
            return status.map { $0.acked == Self.peerCount } == true ? true : nil
        }
    }

    /// VmRSS, VmHWM and RssAnon of the agent under test, in kB.
    func memory() throws -> (resident: Int, peak: Int, anonymous: Int) {
        let text = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        func field(_ name: String) -> Int? {
            text.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
        }
        guard let resident = field("VmRSS"), let peak = field("VmHWM"), let anonymous = field("RssAnon") else {
            throw BenchmarkFailure(description: "no VmRSS/VmHWM/RssAnon in /proc/\(process.processIdentifier)/status")
        }
        return (resident, peak, anonymous)
    }

    func stop() async {
        process.terminate()
        process.waitUntilExit()
        for task in tasks { task.cancel() }
        for task in tasks { _ = try? await task.value }
        try? FileManager.default.removeItem(at: root)
    }
}

let current = CurrentFixture<Cluster>()

private let residentMetric = BenchmarkMetric.custom("agent RSS with 50 peers (kB)", polarity: .prefersSmaller, useScalingFactor: false)
private let anonymousMetric = BenchmarkMetric.custom("agent anonymous RSS (kB)", polarity: .prefersSmaller, useScalingFactor: false)
private let peakMetric = BenchmarkMetric.custom("agent peak RSS (kB)", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark(
        "agent memory, 50 connected peers",
        configuration: .init(
            metrics: [.wallClock, residentMetric, anonymousMetric, peakMetric],
            timeUnits: .milliseconds,
            warmupIterations: 2,
            scalingFactor: .one,
            maxDuration: .seconds(120),
            maxIterations: 30
        ),
        closure: { (benchmark: Benchmark, cluster: Cluster) async throws in
            benchmark.startMeasurement()
            try await cluster.announceAndWait()
            benchmark.stopMeasurement()
            let memory = try cluster.memory()
            benchmark.measurement(residentMetric, memory.resident)
            benchmark.measurement(peakMetric, memory.peak)
            benchmark.measurement(anonymousMetric, memory.anonymous)
        },
        setup: {
            let cluster = try await Cluster.start()
            current.set(cluster)
            return cluster
        },
        teardown: {
            await current.take()?.stop()
        }
    )
}
