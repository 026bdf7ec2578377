import ArgumentParser
import Foundation
import HeraldAgent

/// `herald announce join|leave --enode URL`: asks the running agent to announce.
struct AnnounceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "announce",
        abstract: "Announce a node's join or leave to every member.",
        discussion: """
            Prints the announcement ID once it is durable in the agent's outbox. \
            With --wait, shows acknowledgements as they arrive and exits 0 once \
            every member has acknowledged (1 on timeout); a joining node's own agent \
            is reported on a line of its own and not waited for, as it often starts \
            only after its admission.
            """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable { case join, leave }

    @Argument(help: "join or leave.")
    var kind: Kind

    @Option(help: ArgumentHelp("The subject node's enode URL.", valueName: "url"))
    var enode: String

    @Option(name: .customLong("role"), help: ArgumentHelp("A role the node takes on joining (repeatable).", valueName: "role"))
    var roles: [String] = []

    @Option(name: .customLong("agent-endpoint"), help: ArgumentHelp("The subject's own Herald agent endpoint, so members can reach it.", valueName: "host:port"))
    var agentEndpoint: String?

    @OptionGroup var wait: WaitOptions
    @OptionGroup var connection: AgentConnection

    func run() async throws {
        let request = AnnounceRequest(kind: kind.rawValue, enode: enode, roles: roles, agentEndpoint: agentEndpoint)
        let response = try await connection.send(ControlRequest(command: "announce", announce: request), command: "announce")
        guard let status = response.status else { fail("announce", "the agent returned no status") }
        try await wait.report(status, connection: connection, command: "announce")
    }
}

/// `--wait [--timeout T]`, shared by announce and approve.
struct WaitOptions: ParsableArguments {
    @Flag(help: "Wait until every member has acknowledged (not the joining node's own agent, which may not run yet).")
    var wait = false

    @Option(help: ArgumentHelp("Seconds to wait with --wait.", valueName: "seconds"))
    var timeout: Double = 60

    /// Prints the ID and decision; with --wait polls until every member acked or the timeout,
    /// then says whether the joining node's agent (if any) has been reached.
    func report(_ status: AnnouncementStatus, connection: AgentConnection, command: String) async throws {
        print("\(status.id) \(status.decision)")
        guard wait else { return }
        let deadline = Date().addingTimeInterval(timeout)
        var shown = -1
        var current = status
        while true {
            let members = current.members
            let acked = members.filter(\.acked).count
            if acked != shown {
                shown = acked
                print("acks: \(acked)/\(members.count) members")
            }
            if acked == members.count {
                print("decision: \(current.decision)")
                if let joiner = current.joiningAgent { print(Self.describe(joiner)) }
                return
            }
            guard Date() < deadline else {
                let missing = members.filter { !$0.acked }.map { String($0.node.prefix(8)) }
                fail(command, "timed out: no ack yet from \(missing.joined(separator: ", "))")
            }
            try await Task.sleep(for: .milliseconds(200))
            let response = try await connection.send(ControlRequest(command: "status", id: status.id), command: command)
            if let next = response.status { current = next }
        }
    }

    /// One line on the joining node's agent: reached, or not yet (it catches up when it starts).
    static func describe(_ joiner: AnnouncementStatus.Recipient) -> String {
        let name = "joining node's agent \(joiner.node.prefix(8))"
        if joiner.acked { return "\(name): reached (acked)" }
        let error = joiner.lastError.map { ", last error: \($0)" } ?? ""
        return "\(name): not reachable yet (\(joiner.attempts) attempt(s)\(error)); it catches up when it starts"
    }
}
