import ArgumentParser
import HeraldAgent

/// `herald status [ID]`: one announcement's delivery, or the agent's summary.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show an announcement's decision and per-recipient delivery, or the agent's summary."
    )

    @Argument(help: ArgumentHelp("An announcement ID (64 hex digits).", valueName: "id"))
    var id: String?

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var connection: AgentConnection

    func run() async throws {
        guard let id else {
            let enode = try await connection.send(ControlRequest(command: "enode"), command: "status").enode ?? "?"
            let peers = try await connection.send(ControlRequest(command: "peers"), command: "status").peers ?? []
            let members = try await connection.send(ControlRequest(command: "members"), command: "status").members
            print("enode: \(enode)")
            print("peers: \(peers.count)")
            if let members {
                print("members: \(members.members.count)  digest: \(members.digest)  log: \(members.logEntries) entries")
            }
            return
        }
        let response = try await connection.send(ControlRequest(command: "status", id: id), command: "status")
        guard let status = response.status else { fail("status", "the agent returned no status") }
        if json { try printJSON(status); return }
        print("\(status.id) \(status.decision)")
        print("acks: \(status.acked)/\(status.recipients.count)")
        for recipient in status.recipients {
            let state = recipient.acked ? "acked \(recipient.decision ?? "")" : "waiting"
            let error = recipient.lastError.map { " (\($0))" } ?? ""
            print("  \(recipient.node.prefix(16))… \(state), attempts \(recipient.attempts)\(error)")
        }
    }
}
