import FakeNode
import Foundation
import HeraldCrypto
@testable import HeraldAgent
import Membership
import NIOCore
import NIOHTTP1
import NIOPosix
import NodeAdapters
import Testing

/// The metrics endpoint of running agents, scraped over 127.0.0.1.
@Suite("agent metrics endpoint")
struct MetricsTests {
    static let step: Duration = .seconds(45)

    @Test("after an acked announcement, counters agree with WireCounters, the log and the status",
          .timeLimit(.minutes(2)))
    func countersAreConsistent() async throws {
        let sandbox = try AgentFixtures.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        var agents: [AgentFixtures.Running] = []
        do {
            for n in 1...2 {
                var configuration = try sandbox.configuration(n, policy: shared.policy, consortiumKey: shared.key,
                                                              peers: agents.map(\.enode))
                configuration.metrics = .init(host: "127.0.0.1", port: 0)
                agents.append(try await AgentFixtures.start(configuration))
            }
            let (first, second) = (agents[0].agent, agents[1].agent)
            try await AgentFixtures.until("agents connected", within: Self.step) {
                let (a, b) = await (first.peers().count, second.peers().count)
                return a == 1 && b == 1
            }
            let port = try #require(await first.metricsPort)
            let secondPort = try #require(await second.metricsPort)
            #expect(port != secondPort)

            // A join of node 3 needs two approvals: pending on both agents; agent 2 acks it.
            let announced = try await first.announce(AnnounceRequest(kind: "join", enode: AgentFixtures.nodeEnode(3)))
            try await AgentFixtures.until("agent 2 acked", within: Self.step) {
                (try? await first.status(announced.id))?.recipients.first { $0.node == second.nodeID.hex }?.acked == true
            }

            // Counters only grow: a scrape before and after reading WireCounters brackets them.
            let before = try await MetricsFixtures.scrape(port: port)
            let wire = await first.wireCounters
            let after = try await MetricsFixtures.scrape(port: port)
            let sent = "herald_envelopes_sent_total", bytes = "herald_bytes_sent_total"
            let delivery = ["announcement", "ack"], antiEntropy = ["summary", "entries"]
            #expect(before.sum(sent, kinds: delivery) <= Double(wire.deliveryEnvelopes))
            #expect(Double(wire.deliveryEnvelopes) <= after.sum(sent, kinds: delivery))
            #expect(before.sum(bytes, kinds: delivery) <= Double(wire.deliveryBytes))
            #expect(Double(wire.deliveryBytes) <= after.sum(bytes, kinds: delivery))
            #expect(before.sum(sent, kinds: antiEntropy) <= Double(wire.antiEntropyEnvelopes))
            #expect(Double(wire.antiEntropyEnvelopes) <= after.sum(sent, kinds: antiEntropy))
            #expect(after[sent, [("kind", "announcement")]] >= 1)
            #expect(after[sent, [("kind", "summary")]] >= 1)

            // Logged by decision: one pending announcement, matching the log-entries gauge.
            let logged = "herald_announcements_logged_total"
            #expect(after[logged, [("decision", "pending")]] == 1)
            #expect(after[logged, [("decision", "accepted")]] == 0)
            #expect(after[logged, [("decision", "rejected")]] == 0)
            #expect(after["herald_log_entries"] == Double(await first.members().logEntries))
            #expect(after["herald_log_entries"] == 1)
            #expect(after["herald_acks_received_total"] >= 1)
            #expect(after["herald_connected_peers"] == 1)
            // The subject, node 3, has no agent: its delivery stays unacknowledged.
            #expect(after["herald_unacknowledged_deliveries"] == 1)
            #expect(await first.summary().unacknowledgedDeliveries == 1)
            #expect(after["herald_apply_attempts_total", [("adapter", "goquorum-files")]] >= 1)
            #expect(after["herald_apply_failures_total", [("adapter", "goquorum-files")]] == 0)
            #expect(after["herald_apply_failing", [("adapter", "goquorum-files")]] == 0)
            #expect(after.has("herald_apply_duration_seconds_bucket"))

            // The receiver: envelopes in, the same announcement logged as pending, an ack sent.
            let received = try await MetricsFixtures.scrape(port: secondPort)
            #expect(received["herald_envelopes_received_total"] >= 1)
            #expect(received[logged, [("decision", "pending")]] == 1)
            #expect(received[sent, [("kind", "ack")]] >= 1)
            let summary = await second.summary()
            #expect(summary.metricsURL == "http://127.0.0.1:\(secondPort)/metrics")
        } catch {
            for running in agents { await running.stop() }
            throw error
        }
        for running in agents { await running.stop() }
    }

    @Test("a failing adapter shows in the status and the metrics, and recovers once the node is fixed",
          .timeLimit(.minutes(2)))
    func failingAdapterRecovers() async throws {
        let sandbox = try AgentFixtures.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        let server = try await JSONRPCTestServer.start()
        var running: AgentFixtures.Running?
        do {
            // Every admin_peers fails until the node is "fixed" below.
            server.node.fail("admin_peers", times: 10_000, message: "node is still syncing")
            var configuration = try sandbox.configuration(1, policy: shared.policy, consortiumKey: shared.key, peers: [])
            configuration.adapters.append(.gethAdmin(GethAdminConfiguration(rpc: RPCEndpoint(url: server.httpURL))))
            configuration.applyRetry = RetryPolicy(initialDelaySeconds: 0.1, multiplier: 2, maximumDelaySeconds: 0.5, jitter: 0)
            configuration.metrics = .init(host: "127.0.0.1", port: 0)
            let started = try await AgentFixtures.start(configuration)
            running = started
            let agent = started.agent
            let port = try #require(await agent.metricsPort)
            let client = ControlClient(path: configuration.controlSocket)

            // Failing, retried with backoff: seen through the control socket as `herald status` sees it.
            let failing = try await AgentFixtures.eventually("geth-admin failing twice", within: Self.step) {
                () async throws -> AdapterStatus? in
                guard let summary = try? await client.send(ControlRequest(command: "agent-status")).summary,
                      let status = summary.adapters.first(where: { $0.adapter == "geth-admin" }),
                      status.state == .failing, status.consecutiveFailures >= 2 else { return nil }
                return status
            }
            #expect(failing.attempts >= 1)
            let lastError = try #require(failing.lastError)
            #expect(lastError.contains("geth-admin"))
            #expect(lastError.contains("admin_peers"))
            #expect(lastError.contains("node is still syncing"))
            #expect(failing.nextRetryAt != nil)
            #expect(failing.lastSuccessAt == nil)
            let summary = await agent.summary()
            #expect(summary.adapters.first { $0.adapter == "goquorum-files" }?.state == .ok)
            let (applied, current) = await (agent.appliedDigest, agent.log.digest)
            #expect(applied != current)

            let failingSamples = try await MetricsFixtures.scrape(port: port)
            let geth = [("adapter", "geth-admin")]
            #expect(failingSamples["herald_apply_failures_total", geth] >= 2)
            #expect(failingSamples["herald_apply_attempts_total", geth] >= failingSamples["herald_apply_failures_total", geth])
            #expect(failingSamples["herald_apply_failing", geth] == 1)
            #expect(failingSamples["herald_apply_failing", [("adapter", "goquorum-files")]] == 0)

            // Fix the node: the next retry succeeds and the state is ok again.
            server.node.state.withLockedValue { $0.failures = [:] }
            try await AgentFixtures.until("geth-admin ok", within: Self.step) {
                await agent.summary().adapters.first { $0.adapter == "geth-admin" }?.state == .ok
            }
            let recovered = try #require(await agent.summary().adapters.first { $0.adapter == "geth-admin" })
            #expect(recovered.consecutiveFailures == 0)
            #expect(recovered.lastSuccessAt != nil)
            #expect(recovered.nextRetryAt == nil)
            #expect(server.node.calls.contains { $0.method == "admin_addPeer" && $0.params == [AgentFixtures.nodeEnode(2)] })
            try await AgentFixtures.settled(agent)
            let okSamples = try await MetricsFixtures.scrape(port: port)
            #expect(okSamples["herald_apply_failing", geth] == 0)
            #expect(okSamples["herald_apply_failures_total", geth] >= failingSamples["herald_apply_failures_total", geth])
            #expect(okSamples["herald_apply_attempts_total", geth] > okSamples["herald_apply_failures_total", geth])
        } catch {
            await running?.stop()
            try? await server.shutdown()
            throw error
        }
        await running?.stop()
        try? await server.shutdown()
    }
}

/// The metrics HTTP server on its own: routes, methods, request size.
@Suite("metrics HTTP server")
struct MetricsServerTests {
    @Test("routes", arguments: [
        ("GET", "/metrics", MetricsServer.Route.metrics),
        ("GET", "/metrics?name=herald", .metrics),
        ("GET", "/", .statusPage(cluster: false)),
        ("GET", "/?cluster=1", .statusPage(cluster: true)),
        ("GET", "/?x=2&cluster=1", .statusPage(cluster: true)),
        ("GET", "/?cluster=0", .statusPage(cluster: false)),
        ("GET", "/status.json", .statusJSON(cluster: false)),
        ("GET", "/status.json?cluster=1", .statusJSON(cluster: true)),
        ("GET", "/healthz", .healthz),
        ("GET", "/readyz", .readyz),
        ("POST", "/", .methodNotAllowed),
        ("GET", "/index.html", .notFound),
        ("GET", "/metrics/", .notFound),
        ("POST", "/metrics", .methodNotAllowed),
        ("DELETE", "/metrics", .methodNotAllowed),
        ("POST", "/other", .notFound),
    ])
    func route(method: String, uri: String, expected: MetricsServer.Route) {
        #expect(MetricsServer.Route(method: HTTPMethod(rawValue: method), uri: uri) == expected)
    }

    @Test("a connection that sends no request is closed after the request timeout", .timeLimit(.minutes(1)))
    func idleConnectionIsClosed() async throws {
        let server = try await MetricsServer.bind(host: "127.0.0.1", port: 0)
        let task = Task { try await server.run(requestTimeout: .milliseconds(300)) { _ in .text(.ok, "") } }
        defer { task.cancel() }
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: server.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        // Nothing is sent: the server closes the connection and the stream ends without a byte.
        let received = try await channel.executeThenClose { inbound, _ in
            var count = 0
            for try await buffer in inbound { count += buffer.readableBytes }
            return count
        }
        #expect(received == 0)
        task.cancel()
        _ = try? await task.value
    }

    @Test("serves its routes; 404 elsewhere, 405 for other methods, 413 for a large body", .timeLimit(.minutes(1)))
    func statusCodes() async throws {
        let server = try await MetricsServer.bind(host: "127.0.0.1", port: 0)
        let exposition = "# TYPE herald_log_entries gauge\nherald_log_entries 7\n"
        let task = Task {
            try await server.run { route in
                route == .metrics ? .init(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(exposition.utf8))
                    : .text(.ok, "other route\n")
            }
        }
        do {
            let ok = try await MetricsFixtures.request("GET", "/metrics", port: server.port)
            #expect(ok.status == 200)
            #expect(ok.body == exposition)
            #expect(ok.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(MetricsFixtures.Samples(ok.body)["herald_log_entries"] == 7)

            #expect(try await MetricsFixtures.request("GET", "/", port: server.port).body == "other route\n")
            #expect(try await MetricsFixtures.request("GET", "/nothing", port: server.port).status == 404)
            #expect(try await MetricsFixtures.request("GET", "/metricsx", port: server.port).status == 404)
            let post = try await MetricsFixtures.request("POST", "/metrics", port: server.port, body: Array("x=1".utf8))
            #expect(post.status == 405)
            #expect(post.headers["allow"] == "GET")
            #expect(try await MetricsFixtures.request("PUT", "/metrics", port: server.port).status == 405)
            let large = try await MetricsFixtures.request(
                "POST", "/metrics", port: server.port, body: [UInt8](repeating: 0x61, count: MetricsServer.maxRequestBodyBytes + 100))
            #expect(large.status == 413)
        } catch {
            task.cancel()
            _ = try? await task.value
            throw error
        }
        task.cancel()
        _ = try? await task.value
    }
}

/// The apply retry schedule as a pure function of failures and policy.
@Suite("apply retry schedule")
struct ApplyScheduleTests {
    static let listA = MembershipDigest(members: [])
    static let listB = MembershipDigest(members: [
        Member(node: AgentFixtures.key(1).publicKey.nodeID, enode: AgentFixtures.nodeEnode(1), agentEndpoint: nil,
               roles: ["validator"], since: nil),
    ])

    @Test("delays double from the initial delay up to the maximum, and start over after a success")
    func backoffGrowsAndResets() throws {
        let policy = RetryPolicy(initialDelaySeconds: 1, multiplier: 2, maximumDelaySeconds: 8, jitter: 0)
        var state = AdapterApplyState(name: "geth-admin")
        var now = 1000.0
        var delays: [Double] = []
        for _ in 1...6 {
            state.failed(Self.listA, error: "geth-admin: admin_peers failed", at: now, policy: policy, random: 0.5)
            let next = try #require(state.nextRetryAt)
            delays.append(next - now)
            #expect(!state.isDue(Self.listA, now: next - 0.01))
            #expect(state.isDue(Self.listA, now: next))
            now = next
        }
        #expect(delays == [1, 2, 4, 8, 8, 8])
        #expect(state.consecutiveFailures == 6)
        #expect(state.attempts == 6)
        #expect(state.status.state == .failing)
        #expect(state.status.lastError == "geth-admin: admin_peers failed")

        state.succeeded(Self.listA, at: now)
        #expect(state.consecutiveFailures == 0)
        #expect(state.nextRetryAt == nil)
        #expect(state.status.state == .ok)
        #expect(state.status.lastSuccessAt == now)
        #expect(!state.isDue(Self.listA, now: now + 1000))
        state.failed(Self.listB, error: "again", at: now, policy: policy, random: 0)
        #expect(state.nextRetryAt == now + 1)
    }

    @Test("jitter shortens a delay by at most its fraction")
    func jitter() {
        let policy = RetryPolicy(initialDelaySeconds: 4, multiplier: 2, maximumDelaySeconds: 60, jitter: 0.5)
        var state = AdapterApplyState(name: "exec")
        state.failed(Self.listA, error: "e", at: 0, policy: policy, random: 1)
        #expect(state.nextRetryAt == 2)
        state.failed(Self.listA, error: "e", at: 0, policy: policy, random: 0)
        #expect(state.nextRetryAt == 8)
    }

    @Test("a new member list is applied at once, even while the old one waits for its retry")
    func newListIsDueAtOnce() {
        var state = AdapterApplyState(name: "besu")
        #expect(state.isDue(Self.listA, now: 0))
        #expect(state.status.state == .pending)
        state.failed(Self.listA, error: "e", at: 0, policy: RetryPolicy(initialDelaySeconds: 100, jitter: 0), random: 0)
        #expect(!state.isDue(Self.listA, now: 50))
        #expect(state.isDue(Self.listB, now: 50))
    }

    @Test("when the policy's attempts run out, the same list is not retried; a new one is")
    func attemptsRunOut() {
        let policy = RetryPolicy(initialDelaySeconds: 1, jitter: 0, maximumAttempts: 2)
        var state = AdapterApplyState(name: "exec")
        state.failed(Self.listA, error: "e", at: 0, policy: policy, random: 0)
        #expect(state.nextRetryAt == 1)
        state.failed(Self.listA, error: "e", at: 1, policy: policy, random: 0)
        #expect(state.nextRetryAt == nil)
        #expect(!state.isDue(Self.listA, now: 1_000_000))
        #expect(state.isDue(Self.listB, now: 2))
        #expect(state.status.state == .failing)
        #expect(state.status.nextRetryAt == nil)
    }

    @Test("adapter names: the kind, numbered from the second of a kind")
    func names() {
        #expect(AdapterApplyState.names(forKinds: ["goquorum-files", "exec", "exec", "geth-admin", "exec"])
                == ["goquorum-files", "exec", "exec#2", "geth-admin", "exec#3"])
    }

    @Test("the failure text always names the adapter")
    func failureText() {
        let call = NodeAdapterError.callFailed(adapter: "geth-admin", call: "admin_addPeer",
                                               failure: .rpcError(code: -32000, message: "too many peers"))
        #expect(HeraldAgent.describeApplyFailure(call, kind: "geth-admin")
                == "geth-admin: admin_addPeer failed: node returned error -32000: too many peers")
        let file = NodeAdapterError.fileAccess(path: "/data/p.json", operation: "write", reason: "read-only file system")
        #expect(HeraldAgent.describeApplyFailure(file, kind: "goquorum-files")
                == "goquorum-files: cannot write /data/p.json: read-only file system")
    }
}
