import ArgumentParser
import HeraldAgent

/// `herald members [--json] [--digest] [--cluster [--timeout S]]`: the
/// running agent's member list, or every connected agent's digest side by side.
struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "Print the current member list (or only its digest, to compare agents).",
        discussion: """
            With --cluster, the agent asks every connected agent for its member \
            digest and log head (a signed query) and prints one row per agent: \
            this one first, then each peer, then members it is not connected to. \
            A row whose digest differs from the one most agents hold is marked \
            DIVERGES. Exit status with --cluster: 0 when every agent replied \
            with the same digest, 2 when any row diverges, 3 when none diverges \
            but some agent did not reply or is not connected, 1 when the agent \
            cannot be asked.
            """
    )

    /// Exit status when a row diverges.
    static let divergesExitCode: Int32 = 2
    /// Exit status when no row diverges but some agent did not answer.
    static let unansweredExitCode: Int32 = 3

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Print only the member list digest.")
    var digest = false

    @Flag(help: "Ask every connected agent for its digest and log head, and mark any that diverge.")
    var cluster = false

    @Option(help: ArgumentHelp("With --cluster: how long to wait for replies.", valueName: "seconds"))
    var timeout: Double = 3

    @OptionGroup var connection: AgentConnection

    func validate() throws {
        if cluster && digest { throw ValidationError("--digest and --cluster cannot be combined.") }
        guard timeout > 0, timeout <= 60 else { throw ValidationError("--timeout must be more than 0 and at most 60 seconds.") }
    }

    func run() async throws {
        if cluster { return try await runCluster() }
        let response = try await connection.send(ControlRequest(command: "members"), command: "members")
        guard let info = response.members else { fail("members", "the agent returned no members") }
        if digest {
            print(info.digest)
        } else if json {
            try printJSON(info)
        } else {
            for member in info.members {
                print("\(member.node) \(member.roles.joined(separator: ",")) \(member.enode)")
            }
            print("members: \(info.members.count)  digest: \(info.digest)  log: \(info.logEntries) entries, head \(info.logHead)")
        }
    }

    private func runCluster() async throws {
        let response = try await connection.send(ControlRequest(command: "cluster", timeout: timeout), command: "members")
        guard let info = response.cluster else { fail("members", "the agent returned no cluster rows") }
        if json {
            try printJSON(info)
        } else {
            for line in Self.table(info) { print(line) }
        }
        if info.diverging > 0 { throw ExitCode(Self.divergesExitCode) }
        if info.unanswered > 0 { throw ExitCode(Self.unansweredExitCode) }
    }

    /// The rows as aligned text columns, then a summary line.
    static func table(_ info: ClusterInfo) -> [String] {
        func short(_ hex: String?) -> String {
            guard let hex else { return "-" }
            return String(hex.hasPrefix("0x") ? hex.dropFirst(2).prefix(12) : hex.prefix(12))
        }
        var lines = [["NAME", "NODE", "DIGEST", "ENTRIES", "HEAD", "POLICY", "STATE"]]
        for row in info.rows {
            var state: String
            switch row.state {
            case .agrees: state = "ok"
            case .diverges: state = "DIVERGES"
            case .noReply: state = "no reply"
            case .notConnected: state = "not connected"
            }
            if row.policyDiffers { state += ", other policy" }
            lines.append([
                (row.name ?? "-") + (row.isSelf ? " (this)" : ""), String(row.node.prefix(12)), short(row.digest),
                row.logEntries.map { "\($0)" } ?? "-", short(row.logHead), short(row.policyHash), state,
            ])
        }
        let widths = (0..<lines[0].count).map { column in lines.map { $0[column].count }.max() ?? 0 }
        var text = lines.map { cells in
            zip(cells, widths).enumerated().map { index, pair in
                index == cells.count - 1 ? pair.0 : pair.0.padding(toLength: pair.1, withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        let problems = info.diverging + info.unanswered
        var summary = problems == 0
            ? "agents: \(info.rows.count), all agree on digest \(short(info.referenceDigest))"
            : "agents: \(info.rows.count), \(info.diverging) diverging, \(info.unanswered) not answering; majority digest \(short(info.referenceDigest))"
        // The asking agent's policy: every row that answered either shares it or is marked.
        let ownPolicy = info.rows.first(where: \.isSelf)?.policyHash
        let otherPolicies = info.rows.filter(\.policyDiffers).count
        summary += otherPolicies == 0
            ? "; policy \(short(ownPolicy)) on every agent that answered"
            : "; policy \(short(ownPolicy)) here, another on \(otherPolicies)"
        text.append(summary)
        return text
    }
}
