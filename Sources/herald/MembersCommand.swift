import ArgumentParser
import HeraldAgent

/// `herald members [--json] [--digest]`: the running agent's member list.
struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "Print the current member list (or only its digest, to compare agents)."
    )

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Print only the member list digest.")
    var digest = false

    @OptionGroup var connection: AgentConnection

    func run() async throws {
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
}
