import Foundation
@testable import HeraldAgent
import Testing

/// The status page as a pure function of a ``StatusReport``: what it shows, and that it escapes.
@Suite("status page rendering")
struct StatusPageRenderingTests {
    static let hostile = "<script>alert(1)</script>"
    static let a = String(repeating: "a1", count: 32), b = String(repeating: "b2", count: 32)
    static let c = String(repeating: "c3", count: 32), d = String(repeating: "d4", count: 32)
    static let announcement = String(repeating: "e5", count: 32)

    /// A report with a member named like a script, one pending join, and one delivery of each state.
    static func report(cluster: ClusterInfo? = nil) -> StatusReport {
        let me = StatusReport.Node(node: a, name: "val-1", organisation: "O1")
        let evil = StatusReport.Node(node: b, name: hostile, organisation: "Org \"quoted\" & <b>bold</b>")
        let third = StatusReport.Node(node: c, name: "val-3", organisation: "O3")
        let joiner = StatusReport.Node(node: d)
        return StatusReport(
            generatedAt: 1_800_000_100,
            agent: .init(identity: me, enode: "enode://\(a)@127.0.0.1:30303?x=\"><script>", policyHash: "0x" + c,
                         logEntries: 3, logHead: "0x" + d, digest: "0x" + b, startedAt: 1_800_000_000, uptimeSeconds: 100,
                         logVerifiedAt: 1_800_000_000, logVerifiedEntries: 2, unacknowledgedDeliveries: 2, heldLateEntries: 0),
            members: [
                .init(identity: me, roles: ["validator"], enode: "enode://\(a)@127.0.0.1:30303", sinceLogIndex: nil, sinceAnnouncement: nil),
                .init(identity: evil, roles: ["validator", "<i>admin</i>"], enode: "enode://\(b)@127.0.0.1:30304",
                      sinceLogIndex: 1, sinceAnnouncement: announcement),
                .init(identity: third, roles: ["validator"], enode: "enode://\(c)@127.0.0.1:30305", sinceLogIndex: nil, sinceAnnouncement: nil),
            ],
            pending: [.init(id: announcement, kind: "join", subject: joiner, announcer: me, issuedAt: 1_800_000_040,
                            expiresAt: 1_800_003_640, ageSeconds: 60, approvalsHeld: 1, approvalsNeeded: 2,
                            approverRoles: ["validator"], approvedBy: [me])],
            deliveries: .init(columns: [evil, third, joiner], rows: [.init(
                id: announcement, kind: "join", subject: joiner, decision: "pending: needs 2 approvals", createdAt: 1_800_000_040,
                cells: [.init(node: b, state: .acked, decision: "pending", attempts: 1, lastError: nil),
                        .init(node: c, state: .pending, decision: nil, attempts: 3, lastError: "not connected <err>"),
                        .init(node: d, state: .gaveUp, decision: nil, attempts: 9, lastError: nil)])]),
            peers: [.init(identity: evil, direction: "outbound", address: "127.0.0.1:40000", client: "Herald/0.1 <x>",
                          connectedAt: 1_800_000_010, lastMessageAt: 1_800_000_090)],
            notConnected: [third],
            adapters: [AdapterStatus(adapter: "exec", state: .failing, attempts: 4, consecutiveFailures: 2,
                                     lastError: "exec: exit 1: <node says no>", lastFailureAt: 1_800_000_080,
                                     lastSuccessAt: nil, nextRetryAt: 1_800_000_110)],
            cluster: cluster)
    }

    @Test("escaping replaces the five HTML metacharacters and keeps everything else")
    func escaping() {
        #expect(HTMLEscaping.escape(Self.hostile) == "&lt;script&gt;alert(1)&lt;/script&gt;")
        #expect(HTMLEscaping.escape("a & \"b\" 'c'") == "a &amp; &quot;b&quot; &#39;c&#39;")
        #expect(HTMLEscaping.escape("Zürich ✓ …") == "Zürich ✓ …")
    }

    @Test("a member named <script> shows as text; no script, external asset or form is on the page")
    func hostileNamesAreText() {
        let html = StatusPageRenderer().render(Self.report())
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<b>bold</b>"))
        #expect(!html.contains("<i>admin</i>"))
        #expect(!html.contains("<err>"))
        #expect(!html.contains("<node says no>"))
        #expect(html.contains("Org &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;"))
        #expect(html.contains("?x=&quot;&gt;&lt;script&gt;"))
        // Self-contained: no external URL, no form, no element that loads anything.
        #expect(!html.contains("http://") && !html.contains("https://"))
        for tag in ["<form", "<img", "<iframe", "<link", "src="] { #expect(!html.contains(tag), "page has \(tag)") }
    }

    @Test("each section shows its content, readable without colour")
    func sections() {
        let html = StatusPageRenderer().render(Self.report())
        for id in ["agent", "members", "pending", "deliveries", "peers", "adapters"] {
            #expect(html.contains("<section id=\"\(id)\">"), "section \(id)")
        }
        #expect(!html.contains("<section id=\"cluster\">"))
        // This agent.
        #expect(html.contains(Self.a))
        #expect(html.contains("1 min 40 s"))
        #expect(html.contains("passed: 2 entries verified"))
        // Members: short ID shown, full ID on hover, since which entry.
        #expect(html.contains("<code title=\"\(Self.b)\">b2b2b2b2…b2b2</code>"))
        #expect(html.contains("log entry 1"))
        #expect(html.contains("genesis"))
        // Pending: held/needed and by whom.
        #expect(html.contains("1 of 2 approvals"))
        #expect(html.contains("1 min 0 s"))
        // Delivery: a symbol and a word per state.
        #expect(html.contains("✓ acked, decided pending"))
        #expect(html.contains("… pending, 3 sends: not connected &lt;err&gt;"))
        #expect(html.contains("✗ gave up after 9 sends"))
        // Peers and the member not connected.
        #expect(html.contains("● up"))
        #expect(html.contains("outbound"))
        #expect(html.contains("10 s ago"))
        #expect(html.contains("✗ down"))
        // Adapters.
        #expect(html.contains("✗ failing</span> (2 in a row)"))
        #expect(html.contains("2027-01-15 08:01:50Z"))
        // Refreshes itself without a script; links the cluster view.
        #expect(html.contains("<meta http-equiv=\"refresh\" content=\"5\">"))
        #expect(html.contains("href=\"/?cluster=1\""))
    }

    @Test("the cluster view marks DIVERGES and the page does not refresh itself")
    func clusterView() {
        let rows = [
            ClusterRow(node: Self.a, name: "val-1", isSelf: true, state: .agrees, digest: "0x01", logEntries: 3, logHead: "0x0a",
                       memberCount: 3, policyHash: "0xff", policyDiffers: false),
            ClusterRow(node: Self.b, name: Self.hostile, isSelf: false, state: .agrees, digest: "0x02", logEntries: 2, logHead: "0x0b",
                       memberCount: 3, policyHash: "0xff", policyDiffers: false),
            ClusterRow(node: Self.c, name: "val-3", isSelf: false, state: .agrees, digest: "0x01", logEntries: 3, logHead: "0x0a",
                       memberCount: 3, policyHash: "0xff", policyDiffers: false),
            ClusterRow(node: Self.d, name: nil, isSelf: false, state: .notConnected, policyDiffers: false),
        ]
        let html = StatusPageRenderer().render(Self.report(cluster: ClusterInfo(rows: rows)))
        #expect(html.contains("<section id=\"cluster\">"))
        #expect(html.contains("✗ DIVERGES"))
        #expect(html.components(separatedBy: "✗ DIVERGES").count == 2)
        #expect(html.contains("✗ not connected"))
        #expect(html.contains("1 diverging, 1 without an answer"))
        #expect(!html.contains("http-equiv=\"refresh\""))
        #expect(!html.contains("<script"))
    }

    @Test("status.json round-trips and keeps its keys")
    func json() throws {
        let report = Self.report()
        let data = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(StatusReport.self, from: data) == report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["generatedAt", "agent", "members", "pending", "deliveries", "peers", "notConnected", "adapters"])
        let deliveries = try #require(object["deliveries"] as? [String: Any])
        let rows = try #require(deliveries["rows"] as? [[String: Any]])
        let cells = try #require(rows.first?["cells"] as? [[String: Any]])
        #expect(cells.map { $0["state"] as? String } == ["acked", "pending", "gave up"])
    }
}

/// `/`, `/status.json`, `/healthz` and `/readyz` of running agents, over 127.0.0.1.
@Suite("status page endpoints")
struct StatusEndpointTests {
    static let step: Duration = .seconds(45)

    @Test("a pending join shows on the page and in status.json; health checks answer", .timeLimit(.minutes(2)))
    func endpoints() async throws {
        let sandbox = try AgentFixtures.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        try await AgentFixtures.withAgents(2, in: sandbox, shared: shared, configure: { _, configuration in
            configuration.metrics = .init(host: "127.0.0.1", port: 0)
        }) { agents in
            let (first, second) = (agents[0].agent, agents[1].agent)
            try await AgentFixtures.until("agents connected", within: Self.step) {
                let (a, b) = await (first.peers().count, second.peers().count)
                return a == 1 && b == 1
            }
            let port = try #require(await first.metricsPort)
            let announced = try await first.announce(AnnounceRequest(kind: "join", enode: AgentFixtures.nodeEnode(3)))
            try await AgentFixtures.until("agent 2 acked", within: Self.step) {
                (try? await first.status(announced.id))?.recipients.first { $0.node == second.nodeID.hex }?.acked == true
            }

            let health = try await MetricsFixtures.request("GET", "/healthz", port: port)
            #expect(health.status == 200)
            #expect(health.body == "ok\n")
            #expect(health.headers["content-type"] == "text/plain; charset=utf-8")
            let ready = try await MetricsFixtures.request("GET", "/readyz", port: port)
            #expect(ready.status == 200)
            #expect(ready.body.hasPrefix("ready: policy 0x"))

            let page = try await MetricsFixtures.request("GET", "/", port: port)
            #expect(page.status == 200)
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            #expect(page.headers["content-security-policy"]?.contains("default-src 'none'") == true)
            #expect(page.body.hasPrefix("<!DOCTYPE html>"))
            #expect(page.body.contains("val-1"))
            #expect(page.body.contains("1 of 2 approvals"))
            #expect(page.body.contains("✓ acked, decided pending"))
            #expect(page.body.contains("… pending"))
            #expect(page.body.contains(first.nodeID.hex))
            #expect(!page.body.contains("<section id=\"cluster\">"))

            let json = try await MetricsFixtures.request("GET", "/status.json", port: port)
            #expect(json.status == 200)
            #expect(json.headers["content-type"] == "application/json; charset=utf-8")
            let report = try JSONDecoder().decode(StatusReport.self, from: Data(json.body.utf8))
            #expect(report.agent.identity.node == first.nodeID.hex)
            #expect(report.agent.identity.name == "val-1")
            #expect(report.agent.logEntries == 1)
            #expect(report.agent.logVerifiedEntries == 0)
            #expect((report.agent.uptimeSeconds ?? -1) >= 0)
            #expect(report.members.count == 2)
            #expect(report.pending.map(\.id) == [announced.id])
            #expect(report.pending.first?.approvalsHeld == 1)
            #expect(report.pending.first?.approvalsNeeded == 2)
            #expect(report.pending.first?.approvedBy.map(\.node) == [first.nodeID.hex])
            #expect(report.peers.map(\.identity.node) == [second.nodeID.hex])
            #expect(report.peers.first?.lastMessageAt != nil)
            #expect(report.notConnected.isEmpty)
            let row = try #require(report.deliveries.rows.first)
            #expect(row.id == announced.id)
            let cells = Dictionary(uniqueKeysWithValues: zip(report.deliveries.columns.map(\.node), row.cells.map(\.state)))
            #expect(cells[second.nodeID.hex] == .acked)
            #expect(cells[AgentFixtures.key(3).publicKey.nodeID.hex] == .pending)
            #expect(report.adapters.map(\.adapter) == ["goquorum-files"])
            #expect(report.cluster == nil)

            // The cluster view asks agent 2, which agrees.
            let clustered = try await MetricsFixtures.request("GET", "/status.json?cluster=1", port: port)
            let cluster = try #require(try JSONDecoder().decode(StatusReport.self, from: Data(clustered.body.utf8)).cluster)
            #expect(cluster.rows.map(\.state) == [.agrees, .agrees])
            let clusterPage = try await MetricsFixtures.request("GET", "/?cluster=1", port: port)
            #expect(clusterPage.body.contains("<section id=\"cluster\">"))
            #expect(clusterPage.body.contains("✓ agrees"))

            // Read-only: nothing but GET.
            #expect(try await MetricsFixtures.request("POST", "/", port: port).status == 405)
            #expect(try await MetricsFixtures.request("GET", "/approve", port: port).status == 404)
        }
    }

    @Test("readyz says 503 and why before the agent listens")
    func notReady() async throws {
        let sandbox = try AgentFixtures.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        let agent = try await HeraldAgent(configuration: try sandbox.configuration(1, policy: shared.policy,
                                                                                   consortiumKey: shared.key, peers: []))
        let response = await agent.httpResponse(for: .readyz)
        #expect(response.status == .serviceUnavailable)
        #expect(String(decoding: response.body, as: UTF8.self) == "not ready: not listening for agents yet\n")
        #expect(await agent.httpResponse(for: .healthz).status == .ok)
    }
}
