import Foundation
@testable import HeraldAgent
import NodeAdapters
import Testing
import TestTurns

/// The status page in a real browser (headless Chromium) while an admission is stuck, and after it is not.
@Suite("status page in a browser")
struct StatusPageBrowserTests {
    static let step: Duration = .seconds(60)

    @Test("three agents, one stopped: the page shows the pending approval, the unacknowledged member, the down link and the failing adapter; then accepted and acked",
          .takesTurns, .timeLimit(.minutes(8)))
    func stuckAdmissionInBrowser() async throws {
        let chromium: HeadlessChromium
        switch await HeadlessChromium.locate() {
        case .success(let located): chromium = located
        case .failure(let failure): try Test.cancel(Comment(rawValue: "skipped: \(failure)"))
        }
        let sandbox = try AgentFixtures.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 3)
        let stamp = "\(Int(Date().timeIntervalSince1970))-\(UUID().uuidString.prefix(4))"
        let screenshots = ["pending", "accepted"].map { "/tmp/herald-status-page-\(stamp)-\($0).png" }

        try await AgentFixtures.withAgents(3, in: sandbox, shared: shared, configure: { n, configuration in
            guard n == 1 else { return }
            configuration.metrics = .init(host: "127.0.0.1", port: 0)
            // A second adapter whose node refuses every list: the page must say which adapter fails and why.
            configuration.adapters.append(.exec(ExecConfiguration(
                command: "cat >/dev/null; echo 'node refused the list' >&2; exit 3", timeoutSeconds: 10)))
            configuration.applyRetry = RetryPolicy(initialDelaySeconds: 0.2, multiplier: 2, maximumDelaySeconds: 1, jitter: 0)
        }) { agents in
            let (first, second) = (agents[0].agent, agents[1].agent)
            try await AgentFixtures.until("agent 1 linked to 2 and 3", within: Self.step) { await first.peers().count == 2 }
            let url = "http://127.0.0.1:\(try #require(await first.metricsPort))/"
            let third = agents[2].agent.nodeID.hex
            let joiner = AgentFixtures.key(4).publicKey.nodeID.hex

            // Agent 3 stops; agent 1 announces node 4's join, which needs a second validator's approval.
            await agents[2].stop()
            try await AgentFixtures.until("agent 1 sees agent 3 gone", within: Self.step) { await first.peers().count == 1 }
            let announced = try await first.announce(AnnounceRequest(kind: "join", enode: AgentFixtures.nodeEnode(4)))
            try await AgentFixtures.until("agent 2 acked", within: Self.step) {
                (try? await first.status(announced.id))?.recipients.first { $0.node == second.nodeID.hex }?.acked == true
            }

            let stuck = try await chromium.dumpDOM(url)
            // The pending approval: held / needed, by agent 1.
            let pendingRow = try #require(Self.element(in: stuck, startingWith: "<tr class=\"pending\" data-id=\"\(announced.id)\""),
                                          "no pending row for \(announced.id) in:\n\(stuck.prefix(3000))")
            #expect(pendingRow.contains("1 of 2 approvals"))
            #expect(pendingRow.contains("val-1"))
            // The unacknowledged member: agent 3's cell pending, agent 2's acked.
            #expect(stuck.contains("data-node=\"\(third)\" data-state=\"pending\""))
            #expect(stuck.contains("data-node=\"\(second.nodeID.hex)\" data-state=\"acked\""))
            // The down link: agent 3 among the members not connected.
            let downRow = try #require(Self.element(in: stuck, startingWith: "<tr class=\"down\" data-node=\"\(third)\""))
            #expect(downRow.contains("✗ down"))
            #expect(downRow.contains("val-3"))
            #expect(!stuck.contains("<script"))
            // The failing adapter, with the node's error text.
            let adapterRow = try #require(Self.element(in: stuck, startingWith: "<tr data-adapter=\"exec\" data-state=\"failing\""),
                                          "no failing exec adapter row")
            #expect(adapterRow.contains("✗ failing"))
            #expect(adapterRow.contains("node refused the list"))
            #expect(stuck.contains("<tr data-adapter=\"goquorum-files\" data-state=\"ok\""))
            try await chromium.screenshot(url, to: screenshots[0])
            print("status page screenshot (admission stuck): \(screenshots[0])")

            // Agent 2 approves; agent 3 comes back and catches up.
            _ = try await second.approve(announced.id)
            try await AgentFixtures.until("accepted on agent 1", within: Self.step) {
                (try? await first.status(announced.id))?.decision == "accepted"
            }
            agents[2] = try await AgentFixtures.start(agents[2].configuration)
            try await AgentFixtures.until("agent 3 acked", within: Self.step) {
                (try? await first.status(announced.id))?.recipients.first { $0.node == third }?.acked == true
            }
            try await AgentFixtures.until("agent 1 linked to 3 again", within: Self.step) { await first.peers().count == 2 }

            let settled = try await chromium.dumpDOM(url)
            let row = try #require(Self.element(in: settled, startingWith: "<tr data-id=\"\(announced.id)\""),
                                   "no delivery row for \(announced.id) in:\n\(settled.prefix(3000))")
            #expect(row.contains("<td class=\"decision\">accepted</td>"))
            #expect(row.contains("data-node=\"\(third)\" data-state=\"acked\""))
            #expect(row.contains("data-node=\"\(second.nodeID.hex)\" data-state=\"acked\""))
            // Node 4 runs no agent: it stays unacknowledged, and says so.
            #expect(row.contains("data-node=\"\(joiner)\" data-state=\"pending\""))
            #expect(!settled.contains("<tr class=\"pending\""))
            #expect(settled.contains("None waiting for approvals."))
            #expect(!settled.contains("<tr class=\"down\" data-node=\"\(third)\""))
            // Node 4, a member now without an agent, is the one member not connected.
            #expect(settled.contains("<tr class=\"down\" data-node=\"\(joiner)\""))
            #expect(settled.contains("<tr data-node=\"\(third)\"><td><span class=\"badge ok\">● up</span>"))
            // Node 4 is a member, since the log entry that holds the join (agent 1's first).
            #expect(settled.contains("log entry 0 (<code title=\"\(announced.id)\">"))
            try await chromium.screenshot(url, to: screenshots[1])
            print("status page screenshot (accepted and acked): \(screenshots[1])")
        }
    }

    /// The element that begins with `prefix` in `html`, up to the end of its line of markup (`</tr>`).
    static func element(in html: String, startingWith prefix: String) -> String? {
        guard let start = html.range(of: prefix) else { return nil }
        guard let end = html.range(of: "</tr>", range: start.upperBound..<html.endIndex) else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }
}
