// Benchmarks for agent delivery (issue 6): N in-process agents on 127.0.0.1,
// full mesh, each in its own temporary data directory.
//
// - One sample = one announcement by agent 1, from the `announce` call until
//   the last of the N − 1 other agents' acks has been recorded in agent 1's
//   outbox. Agent 1 alternates a self-leave and a self-join, both free under
//   the policy (no approvals), so every receiver accepts and acks at once.
// - Completion is observed without polling: agent 1 gets a `LogHandler` that
//   sees its "ack for …" line, written right after `recordAck` stores a new
//   ack, and resumes the waiting benchmark task on the N − 1st ack.
// - Envelopes: every agent counts what it queues for its peers
//   (`HeraldAgent.wireCounters`); per sample the custom metrics give the
//   announcement + ack envelopes and the bytes of their `shh` packets (before
//   RLPx framing), and separately the anti-entropy envelopes (summaries every
//   30 s, the default, and the entry batches they trigger) that fell into it.
// - CPU: the process's CPU time (all agents, user + system) per sample, to
//   tell a CPU-bound result (near 2 cores × wall clock here) from waiting.
// - Agents run without node adapters, so the figures are delivery alone.
import Benchmark
import BenchmarkSupport
import Foundation
import HeraldAgent
import HeraldCrypto
import Logging

// MARK: - Acks as agent 1 records them

/// Acks recorded by the announcer, by announcement-ID prefix, and the one announcement being waited for.
final class AckWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [Substring: Int] = [:]
    private var waiter: (key: Substring, needed: Int, continuation: CheckedContinuation<Bool, Never>)?

    /// Forgets earlier announcements' acks (their IDs are only known by a 4-digit prefix), before the next `announce`.
    func reset() { lock.withLock { counts = [:] } }

    /// Called from the announcer's log handler for each newly recorded ack.
    func record(_ key: Substring) {
        let continuation: CheckedContinuation<Bool, Never>? = lock.withLock {
            counts[key, default: 0] += 1
            guard let waiter, waiter.key == key, counts[key, default: 0] >= waiter.needed else { return nil }
            self.waiter = nil
            return waiter.continuation
        }
        continuation?.resume(returning: true)
    }

    /// Waits until `needed` acks of announcement `key` have been recorded; false after `limit`.
    func wait(for key: Substring, needed: Int, within limit: Duration) async -> Bool {
        let timer = Task {
            try await Task.sleep(for: limit)
            self.expire(key)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let done: Bool = lock.withLock {
                if counts[key, default: 0] >= needed { return true }
                waiter = (key, needed, continuation)
                return false
            }
            if done { continuation.resume(returning: true) }
        }
    }

    private func expire(_ key: Substring) {
        let continuation: CheckedContinuation<Bool, Never>? = lock.withLock {
            guard let waiter, waiter.key == key else { return nil }
            self.waiter = nil
            return waiter.continuation
        }
        continuation?.resume(returning: false)
    }
}

/// Passes the announcer's "ack for 0xabcd… from …" lines to an ``AckWatch``; prints warnings and errors to stderr.
struct AckTap: LogHandler {
    let watch: AckWatch?
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        if event.level >= .warning {
            FileHandle.standardError.write(Data("[\(event.level)] \(event.message)\n".utf8))
            return
        }
        guard let watch else { return }
        let text = event.message.description
        let prefix = "ack for 0x"
        guard text.hasPrefix(prefix) else { return }
        let start = text.index(text.startIndex, offsetBy: prefix.count)
        guard let end = text.index(start, offsetBy: 4, limitedBy: text.endIndex) else { return }
        watch.record(text[start..<end])
    }
}

// MARK: - The mesh

/// N running agents, full mesh; agent 1 (index 0) announces.
final class Mesh: @unchecked Sendable {
    let agents: [HeraldAgent]
    let tasks: [Task<Void, any Error>]
    let root: URL
    let watch: AckWatch
    var announcements = 0

    /// Node keys of their own: those of AgentMemory start with 0x33.
    static let nodes = BenchmarkNodes(family: 0x22)

    /// Starts `count` agents (agent n dials agents 1..<n) and waits until every one has `count − 1` peers.
    static func start(_ count: Int) async throws -> Mesh {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let policyPath = root.appendingPathComponent("policy.yaml").path
        try nodes.policy(count).write(toFile: policyPath, atomically: true, encoding: .utf8)
        let keyPath = root.appendingPathComponent("consortium.key").path
        try String(repeating: "ab", count: 32).write(toFile: keyPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)  // agents refuse readable keys

        let watch = AckWatch()
        var agents: [HeraldAgent] = []
        var tasks: [Task<Void, any Error>] = []
        var enodes: [String] = []
        for n in 1...count {
            let directory = root.appendingPathComponent("agent-\(n)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let nodeKey = directory.appendingPathComponent("nodekey").path
            try NodeKeyFile.write(nodes.key(n), to: nodeKey)
            let configuration = AgentConfiguration(
                listen: .init(host: "127.0.0.1", port: 0), dataDirectory: directory.path, nodeKey: nodeKey,
                policy: policyPath, controlSocket: "", consortiumKey: "file:" + keyPath, peers: enodes,
                adapters: [], logLevel: n == 1 ? "info" : "warning")
            let tap = AckTap(watch: n == 1 ? watch : nil)
            let agent = try await HeraldAgent(configuration: configuration, logger: Logger(label: "agent-\(n)") { _ in tap })
            tasks.append(Task { try await agent.run() })
            agents.append(agent)
            enodes.append(try await eventually("agent \(n) listening") { await agent.enodeURL() })
        }
        for (index, agent) in agents.enumerated() {
            _ = try await eventually("agent \(index + 1) fully connected", within: .seconds(120)) {
                await agent.peers().count == count - 1 ? true : nil
            }
        }
        return Mesh(agents: agents, tasks: tasks, root: root, watch: watch)
    }

    private init(agents: [HeraldAgent], tasks: [Task<Void, any Error>], root: URL, watch: AckWatch) {
        self.agents = agents
        self.tasks = tasks
        self.root = root
        self.watch = watch
    }

    /// Sum of every agent's counters.
    func counters() async -> WireCounters {
        var total = WireCounters()
        for agent in agents {
            let counters = await agent.wireCounters
            total.deliveryEnvelopes += counters.deliveryEnvelopes
            total.deliveryBytes += counters.deliveryBytes
            total.antiEntropyEnvelopes += counters.antiEntropyEnvelopes
            total.antiEntropyBytes += counters.antiEntropyBytes
        }
        return total
    }

    /// The next announcement: agent 1 leaves, then joins again, and so on.
    func nextRequest() -> AnnounceRequest {
        defer { announcements += 1 }
        return announcements.isMultiple(of: 2)
            ? AnnounceRequest(kind: "leave", enode: Self.nodes.nodeEnode(1))
            : AnnounceRequest(kind: "join", enode: Self.nodes.nodeEnode(1), roles: ["validator"])
    }

    func stop() async {
        for task in tasks { task.cancel() }
        for task in tasks { _ = try? await task.value }
        try? FileManager.default.removeItem(at: root)
    }
}

/// The mesh of the benchmark running now, for its teardown.
let current = CurrentFixture<Mesh>()

/// CPU time used by this process so far (every agent's threads, user and system), in microseconds.
func processCPUMicroseconds() -> Int {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return time.tv_sec * 1_000_000 + time.tv_nsec / 1_000
}

private let deliveryEnvelopes = BenchmarkMetric.custom("envelopes (announcement + acks)", polarity: .prefersSmaller, useScalingFactor: false)
private let deliveryBytes = BenchmarkMetric.custom("shh bytes (announcement + acks)", polarity: .prefersSmaller, useScalingFactor: false)
private let antiEntropyEnvelopes = BenchmarkMetric.custom("anti-entropy envelopes (all agents)", polarity: .prefersSmaller, useScalingFactor: false)
private let antiEntropyBytes = BenchmarkMetric.custom("anti-entropy shh bytes (all agents)", polarity: .prefersSmaller, useScalingFactor: false)
private let cpuMetric = BenchmarkMetric.custom("process CPU, all agents (μs)", polarity: .prefersSmaller, useScalingFactor: false)
private let lostMetric = BenchmarkMetric.custom("lost (not all acked in 10 s)", polarity: .prefersSmaller, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    for (count, iterations) in [(4, 300), (8, 300), (16, 300), (32, 120)] {
        Benchmark(
            "announce → all acked, N = \(count)",
            configuration: .init(
                metrics: [.wallClock, cpuMetric, deliveryEnvelopes, deliveryBytes, antiEntropyEnvelopes, antiEntropyBytes, lostMetric],
                timeUnits: .microseconds,
                warmupIterations: 5,
                scalingFactor: .one,
                maxDuration: .seconds(60),
                maxIterations: iterations
            ),
            closure: { (benchmark: Benchmark, mesh: Mesh) async throws in
                let before = await mesh.counters()
                let request = mesh.nextRequest()
                mesh.watch.reset()
                let cpuBefore = processCPUMicroseconds()
                benchmark.startMeasurement()
                let announced = try await mesh.agents[0].announce(request)
                let acked = await mesh.watch.wait(for: announced.id.prefix(4), needed: count - 1, within: .seconds(10))
                benchmark.stopMeasurement()
                benchmark.measurement(cpuMetric, processCPUMicroseconds() - cpuBefore)
                let after = await mesh.counters()
                benchmark.measurement(deliveryEnvelopes, after.deliveryEnvelopes - before.deliveryEnvelopes)
                benchmark.measurement(deliveryBytes, after.deliveryBytes - before.deliveryBytes)
                benchmark.measurement(lostMetric, acked ? 0 : 1)
                benchmark.measurement(antiEntropyEnvelopes, after.antiEntropyEnvelopes - before.antiEntropyEnvelopes)
                benchmark.measurement(antiEntropyBytes, after.antiEntropyBytes - before.antiEntropyBytes)
            },
            setup: {
                let mesh = try await Mesh.start(count)
                current.set(mesh)
                return mesh
            },
            teardown: {
                await current.take()?.stop()
            }
        )
    }
}
