import ArgumentParser
import HeraldAgent

/// `herald approve ID`: approves a pending announcement.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a pending announcement (by its full ID) on behalf of this agent's node."
    )

    @Argument(help: ArgumentHelp("The announcement ID (64 hex digits).", valueName: "id"))
    var id: String

    @OptionGroup var wait: WaitOptions
    @OptionGroup var connection: AgentConnection

    func run() async throws {
        let response = try await connection.send(ControlRequest(command: "approve", id: id), command: "approve")
        guard let status = response.status else { fail("approve", "the agent returned no status") }
        try await wait.report(status, connection: connection, command: "approve")
    }
}
