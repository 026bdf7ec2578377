import Foundation

/// Renders a ``StatusReport`` as one self-contained HTML page: inline CSS,
/// no scripts, no external assets, every text from the report escaped with
/// ``HTMLEscaping``. A pure function of the report: the same report gives the same page.
///
/// The page refreshes itself every ``refreshSeconds`` with `<meta http-equiv="refresh">`
/// (no JavaScript); the cluster view (`?cluster=1`) does not, as each load sends queries.
struct StatusPageRenderer: Sendable {
    /// Seconds between automatic reloads of the page without the cluster view.
    static let refreshSeconds = 5

    /// The whole page.
    func render(_ report: StatusReport) -> String {
        let title = "Herald · " + (report.agent.identity.name ?? String(report.agent.identity.node.prefix(8)))
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">

            """
        if report.cluster == nil { html += "<meta http-equiv=\"refresh\" content=\"\(Self.refreshSeconds)\">\n" }
        html += "<title>\(e(title))</title>\n<style>\(Self.css)</style></head><body>\n"
        html += "<h1>\(e(title))</h1>\n"
        html += "<p class=\"meta\">Generated \(e(Self.time(report.generatedAt))) · read-only · "
        html += report.cluster == nil
            ? "refreshes every \(Self.refreshSeconds) s · <a href=\"/?cluster=1\">ask every agent for its digest (cluster view)</a>"
            : "<a href=\"/\">back to the page without the cluster view</a>"
        html += " · <a href=\"/status.json\">status.json</a> · <a href=\"/metrics\">metrics</a></p>\n"
        html += agentSection(report)
        html += membersSection(report)
        html += pendingSection(report)
        html += deliverySection(report)
        html += peersSection(report)
        html += adaptersSection(report)
        if let cluster = report.cluster { html += clusterSection(cluster) }
        html += "</body></html>\n"
        return html
    }

    // MARK: - Sections

    private func agentSection(_ report: StatusReport) -> String {
        let agent = report.agent
        var rows: [(String, String)] = [
            ("Name", e(agent.identity.name ?? "not in the policy")),
            ("Organisation", e(agent.identity.organisation ?? "—")),
            ("Node ID", "<code>\(e(agent.identity.node))</code>"),
            ("Enode", agent.enode.map { "<code>\(e($0))</code>" } ?? "not listening yet"),
            ("Policy hash", "<code>\(e(agent.policyHash))</code>"),
            ("Log", "\(Self.count(agent.logEntries, "entry", "entries")), head <code>\(e(agent.logHead))</code>"),
            ("Member list digest", "<code>\(e(agent.digest))</code>"),
        ]
        rows.append(("Uptime", agent.uptimeSeconds.map { e(Self.duration($0)) + " (since " + e(Self.time(agent.startedAt ?? 0)) + ")" }
                     ?? "not started"))
        rows.append(("Log audit at start", "passed: \(Self.count(agent.logVerifiedEntries, "entry", "entries")) verified (chain, hashes, decisions) at "
                     + e(Self.time(agent.logVerifiedAt))))
        rows.append(("Unacknowledged deliveries", "\(agent.unacknowledgedDeliveries)"))
        if agent.heldLateEntries > 0 { rows.append(("Held late entries", "\(agent.heldLateEntries)")) }
        return section("agent", "This agent", "<table class=\"kv\">"
            + rows.map { "<tr><th>\($0.0)</th><td>\($0.1)</td></tr>" }.joined() + "</table>")
    }

    private func membersSection(_ report: StatusReport) -> String {
        guard !report.members.isEmpty else { return section("members", "Members", "<p>No members.</p>") }
        let rows = report.members.map { member in
            let since = member.sinceLogIndex.map { index in
                "log entry \(index)" + (member.sinceAnnouncement.map { " (<code title=\"\(e($0))\">\(e(Self.short($0)))</code>)" } ?? "")
            } ?? (member.sinceAnnouncement.map { "announcement <code>\(e(Self.short($0)))</code>" } ?? "genesis")
            return "<tr><td>\(name(member.identity))</td><td>\(e(member.identity.organisation ?? "—"))</td>"
                + "<td>\(member.roles.isEmpty ? "—" : e(member.roles.joined(separator: ", ")))</td><td>\(nodeID(member.identity.node))</td><td>\(since)</td></tr>"
        }
        return section("members", "Members (\(report.members.count))",
                       table(["Name", "Organisation", "Roles", "Node ID", "Member since"], rows))
    }

    private func pendingSection(_ report: StatusReport) -> String {
        guard !report.pending.isEmpty else {
            return section("pending", "Pending announcements", "<p>None waiting for approvals.</p>")
        }
        let rows = report.pending.map { pending in
            let approvers = pending.approvedBy.isEmpty ? "nobody yet" : pending.approvedBy.map(name).joined(separator: ", ")
            return "<tr class=\"pending\" data-id=\"\(e(pending.id))\"><td>\(e(pending.kind))</td><td>\(name(pending.subject))</td><td>\(name(pending.announcer))</td>"
                + "<td>\(e(Self.duration(pending.ageSeconds)))</td>"
                + "<td><span class=\"badge warn\">… \(pending.approvalsHeld) of \(pending.approvalsNeeded) approvals</span>"
                + " from role \(e(pending.approverRoles.joined(separator: " or ")))</td><td>\(approvers)</td>"
                + "<td><code title=\"\(e(pending.id))\">\(e(Self.short(pending.id)))</code></td></tr>"
        }
        return section("pending", "Pending announcements (\(report.pending.count))",
                       table(["Kind", "Subject", "Announcer", "Age", "Approvals", "Approved by", "ID"], rows))
    }

    private func deliverySection(_ report: StatusReport) -> String {
        let matrix = report.deliveries
        guard !matrix.rows.isEmpty else {
            return section("deliveries", "Delivery", "<p>This agent has made no announcements.</p>")
        }
        let header = ["Announcement", "Decision here"] + matrix.columns.map { "<span title=\"\(e($0.node))\">\(e($0.name ?? Self.short($0.node)))</span>" }
        let rows = matrix.rows.map { row in
            var cells = "<td>\(e(row.kind)) \(name(row.subject)) <code title=\"\(e(row.id))\">\(e(Self.short(row.id)))</code></td>"
            cells += "<td class=\"decision\">\(e(row.decision))</td>"
            for cell in row.cells { cells += deliveryCell(cell) }
            return "<tr data-id=\"\(e(row.id))\">\(cells)</tr>"
        }
        let legend = "<p class=\"meta\">✓ acked (with the recipient's decision when it received it) · … pending (sends so far, last error) · ✗ gave up resending · — not a recipient. "
            + "Only this agent's own announcements (its last \(StatusReport.DeliveryMatrix.maxRows)), newest first: "
            + "acknowledgements go to the announcer.</p>"
        return section("deliveries", "Delivery of this agent's announcements", legend + table(header, rows, escapeHeader: false))
    }

    private func deliveryCell(_ cell: StatusReport.Delivery) -> String {
        let data = "data-node=\"\(e(cell.node))\" data-state=\"\(e(cell.state.rawValue))\""
        switch cell.state {
        case .acked:
            return "<td class=\"cell acked\" \(data)>✓ acked" + (cell.decision.map { ", decided \(e($0))" } ?? "") + "</td>"
        case .pending:
            var text = "… pending, \(cell.attempts) send\(cell.attempts == 1 ? "" : "s")"
            if let error = cell.lastError { text += ": \(e(error))" }
            return "<td class=\"cell pending\" \(data)>\(text)</td>"
        case .gaveUp:
            return "<td class=\"cell gaveup\" \(data)>✗ gave up after \(cell.attempts) send\(cell.attempts == 1 ? "" : "s")"
                + (cell.lastError.map { ": \(e($0))" } ?? "") + "</td>"
        case .notRecipient:
            return "<td class=\"cell none\" \(data)>—</td>"
        }
    }

    private func peersSection(_ report: StatusReport) -> String {
        var body = ""
        if report.peers.isEmpty {
            body += "<p>No agent connected.</p>"
        } else {
            body += table(["Agent", "Node ID", "Direction", "Address", "Client", "Connected since", "Last message"],
                          report.peers.map { peer in
                "<tr data-node=\"\(e(peer.identity.node))\"><td><span class=\"badge ok\">● up</span> \(name(peer.identity))</td><td>\(nodeID(peer.identity.node))</td>"
                    + "<td>\(e(peer.direction))</td><td>\(e(peer.address))</td><td>\(e(peer.client))</td>"
                    + "<td>\(e(Self.ago(peer.connectedAt, now: report.generatedAt)))</td>"
                    + "<td>\(peer.lastMessageAt.map { e(Self.ago($0, now: report.generatedAt)) } ?? "none yet")</td></tr>"
            })
        }
        if !report.notConnected.isEmpty {
            body += "<h3>Members not connected</h3>" + table(["Member", "Node ID", "Link"], report.notConnected.map {
                "<tr class=\"down\" data-node=\"\(e($0.node))\"><td>\(name($0))</td><td>\(nodeID($0.node))</td><td><span class=\"badge bad\">✗ down</span> not connected</td></tr>"
            })
        }
        return section("peers", "Peers (\(report.peers.count) connected, \(Self.count(report.notConnected.count, "member", "members")) not connected)", body)
    }

    private func adaptersSection(_ report: StatusReport) -> String {
        guard !report.adapters.isEmpty else { return section("adapters", "Node adapters", "<p>No adapters configured.</p>") }
        let rows = report.adapters.map { adapter in
            let badge: String
            switch adapter.state {
            case .ok: badge = "<span class=\"badge ok\">✓ ok</span>"
            case .failing: badge = "<span class=\"badge bad\">✗ failing</span> (\(adapter.consecutiveFailures) in a row)"
            case .pending: badge = "<span class=\"badge warn\">… not applied yet</span>"
            }
            let next = adapter.state == .failing
                ? (adapter.nextRetryAt.map { e(Self.time($0)) } ?? "no more retries") : "—"
            return "<tr data-adapter=\"\(e(adapter.adapter))\" data-state=\"\(adapter.state.rawValue)\"><td>\(e(adapter.adapter))</td><td>\(badge)</td><td>\(adapter.attempts)</td>"
                + "<td>\(adapter.lastError.map(e) ?? "—")</td><td>\(next)</td></tr>"
        }
        return section("adapters", "Node adapters", table(["Adapter", "State", "Attempts", "Last error", "Next retry"], rows))
    }

    private func clusterSection(_ cluster: ClusterInfo) -> String {
        let rows = cluster.rows.map { row in
            let state: String
            switch row.state {
            case .agrees: state = "<span class=\"badge ok\">✓ agrees</span>"
            case .diverges: state = "<span class=\"badge bad\">✗ DIVERGES</span>"
            case .noReply: state = "<span class=\"badge warn\">? no reply</span>"
            case .notConnected: state = "<span class=\"badge bad\">✗ not connected</span>"
            }
            let policy = row.policyDiffers ? " <span class=\"badge warn\">other policy</span>" : ""
            return "<tr\(row.state == .diverges ? " class=\"diverges\"" : "")><td>\(e(row.name ?? Self.short(row.node)))\(row.isSelf ? " (this agent)" : "")</td>"
                + "<td>\(nodeID(row.node))</td><td>\(row.digest.map { "<code>\(e(Self.short($0)))</code>" } ?? "—")</td>"
                + "<td>\(row.logEntries.map(String.init) ?? "—")</td>"
                + "<td>\(row.logHead.map { "<code>\(e(Self.short($0)))</code>" } ?? "—")</td><td>\(state)\(policy)</td></tr>"
        }
        let summary = "<p class=\"meta\">Reference digest <code>\(e(cluster.referenceDigest))</code>: \(cluster.diverging) diverging, "
            + "\(cluster.unanswered) without an answer.</p>"
        return section("cluster", "Cluster view", summary + table(["Agent", "Node ID", "Digest", "Log entries", "Log head", "State"], rows))
    }

    // MARK: - Pieces

    private func e(_ text: String) -> String { HTMLEscaping.escape(text) }

    private func section(_ id: String, _ title: String, _ body: String) -> String {
        "<section id=\"\(id)\"><h2>\(e(title))</h2>\n\(body)\n</section>\n"
    }

    private func table(_ header: [String], _ rows: [String], escapeHeader: Bool = true) -> String {
        "<table><thead><tr>" + header.map { "<th>\(escapeHeader ? e($0) : $0)</th>" }.joined() + "</tr></thead><tbody>"
            + rows.joined(separator: "\n") + "</tbody></table>"
    }

    /// The node's policy name, or its short ID; the full ID on hover.
    private func name(_ node: StatusReport.Node) -> String {
        "<span title=\"\(e(node.node))\">\(e(node.name ?? Self.short(node.node)))</span>"
    }

    private func nodeID(_ hex: String) -> String {
        "<code title=\"\(e(hex))\">\(e(Self.short(hex)))</code>"
    }

    /// The first 8 hex digits and the last 4 (after a `0x`, if any).
    static func short(_ hex: String) -> String {
        let prefix = hex.hasPrefix("0x") ? "0x" : ""
        let digits = hex.dropFirst(prefix.count)
        guard digits.count > 14 else { return hex }
        return prefix + digits.prefix(8) + "…" + digits.suffix(4)
    }

    /// `1 entry`, `2 entries`.
    static func count(_ number: some BinaryInteger, _ one: String, _ many: String) -> String {
        "\(number) \(number == 1 ? one : many)"
    }

    /// `2026-12-07 12:00:05Z`.
    static func time(_ unix: Double) -> String {
        var time = time_t(max(0, min(unix, 253_402_300_799)))
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// `3 s`, `4 min 10 s`, `2 h 5 min`, `3 d 4 h`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(max(0, seconds))
        switch total {
        case ..<60: return "\(total) s"
        case ..<3600: return "\(total / 60) min \(total % 60) s"
        case ..<86_400: return "\(total / 3600) h \(total % 3600 / 60) min"
        default: return "\(total / 86_400) d \(total % 86_400 / 3600) h"
        }
    }

    /// `12 s ago (2026-12-07 12:00:05Z)`.
    static func ago(_ unix: Double, now: Double) -> String {
        "\(duration(now - unix)) ago (\(time(unix)))"
    }

    /// Colours say the state; the symbols and words say it too, without colour.
    static let css = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1d1d1f;background:#fff}
        h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em;border-bottom:1px solid #ccc}
        h3{font-size:1em;margin:.8em 0 .3em}
        table{border-collapse:collapse;margin:.2em 0}th,td{border:1px solid #d0d0d0;padding:.25em .5em;text-align:left;vertical-align:top}
        thead th{background:#f1f1f3}table.kv th{background:#f7f7f9;white-space:nowrap}
        code{font:12px ui-monospace,monospace;word-break:break-all}.meta{color:#555;font-size:.9em}
        .badge{display:inline-block;padding:0 .4em;border-radius:3px;font-weight:600}
        .ok{background:#d8f3dc;color:#1b4332}.bad{background:#ffd6d6;color:#7a0000}.warn{background:#fff1c2;color:#6b4e00}
        .cell.acked{background:#d8f3dc}.cell.pending{background:#fff1c2}.cell.gaveup{background:#ffd6d6}.cell.none{color:#888}
        tr.diverges td{background:#ffd6d6}tr.down td{background:#fff5f5}
        """
}
