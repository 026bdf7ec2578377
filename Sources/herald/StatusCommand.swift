import ArgumentParser
import Foundation
import HeraldAgent

/// `herald status [ID]`: one announcement's delivery, or the agent's summary.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show an announcement's decision and per-recipient delivery, or the agent's summary.",
        discussion: """
            Without an ID: the agent's enode, peers, member list, log, unacknowledged \
            deliveries, metrics endpoint and, per node adapter, whether applying the \
            member list is ok or failing (failures in a row, last error, next retry).
            """
    )

    @Argument(help: ArgumentHelp("An announcement ID (64 hex digits).", valueName: "id"))
    var id: String?

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var connection: AgentConnection

    func run() async throws {
        guard let id else {
            let response = try await connection.send(ControlRequest(command: "agent-status"), command: "status")
            guard let summary = response.summary else { fail("status", "the agent returned no summary") }
            if json { try printJSON(summary); return }
            for line in Self.lines(summary, now: Date()) { print(line) }
            return
        }
        let response = try await connection.send(ControlRequest(command: "status", id: id), command: "status")
        guard let status = response.status else { fail("status", "the agent returned no status") }
        if json { try printJSON(status); return }
        for line in Self.lines(status) { print(line) }
    }

    /// One announcement as text: the decision in force now, then what each recipient
    /// acknowledged (the decision it logged, which may have been "pending" then).
    static func lines(_ status: AnnouncementStatus) -> [String] {
        let members = status.members
        var lines = ["\(status.id) \(status.decision)",
                     "acks: \(members.filter(\.acked).count)/\(members.count) members"]
        if let joiner = status.joiningAgent { lines.append(WaitOptions.describe(joiner)) }
        if status.gaveUp, let giveUpAt = status.giveUpAt {
            lines.append("gave up at \(Self.timestamp(Double(giveUpAt))): no more resends; the others catch up through anti-entropy")
        }
        for recipient in status.recipients {
            let state = recipient.acked ? "acked (logged it as \(recipient.decision ?? "unknown"))" : "not acknowledged yet"
            let error = recipient.lastError.map { " (\($0))" } ?? ""
            let role = recipient.joiner ? " [joining node's agent]" : ""
            lines.append("  \(recipient.node.prefix(16))…\(role) \(state), attempts \(recipient.attempts)\(error)")
        }
        return lines
    }

    /// The summary as text, one fact per line; `now` dates the next retries.
    static func lines(_ summary: AgentSummary, now: Date) -> [String] {
        var lines = [
            "node: \(summary.node)",
            "enode: \(summary.enode ?? "not listening")",
            "peers: \(summary.peers)",
            "members: \(summary.members)  digest: \(summary.digest)  log: \(summary.logEntries) entries",
            "unacknowledged deliveries: \(summary.unacknowledgedDeliveries)",
            "metrics: \(summary.metricsURL ?? "disabled")",
        ]
        if summary.heldLateEntries > 0 {
            lines.insert("held late entries: \(summary.heldLateEntries) (expired before they reached this agent; "
                         + "waiting for members' acks that they were received in time)", at: lines.count - 1)
        }
        lines.append(summary.adapters.isEmpty ? "adapters: none" : "adapters:")
        for adapter in summary.adapters {
            switch adapter.state {
            case .ok:
                let when = adapter.lastSuccessAt.map { " (applied \(timestamp($0)))" } ?? ""
                lines.append("  \(adapter.adapter): ok\(when), attempts \(adapter.attempts)")
            case .pending:
                lines.append("  \(adapter.adapter): not applied yet")
            case .failing:
                let retry: String
                if let next = adapter.nextRetryAt {
                    let seconds = max(0, Int((next - now.timeIntervalSince1970).rounded(.up)))
                    retry = "next retry in \(seconds) s"
                } else {
                    retry = "no more retries until the member list changes"
                }
                lines.append("  \(adapter.adapter): failing, \(adapter.consecutiveFailures) failed attempt(s) in a row, \(retry)")
                lines.append("    last error: \(adapter.lastError ?? "unknown")")
            }
        }
        return lines
    }

    private static func timestamp(_ unixTime: Double) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: unixTime))
    }
}
