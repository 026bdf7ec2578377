import ArgumentParser
import Foundation
import HeraldAgent
import Membership

/// `herald policy propose FILE`: asks the running agent to announce a
/// consortium policy change to the policy in FILE.
struct PolicyProposeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "propose",
        abstract: "Propose a new consortium policy to every member, for approval.",
        discussion: """
            FILE is checked as 'herald policy check' does; a file that does not \
            load is refused with FILE:LINE:COLUMN: what is wrong. The change may \
            not rename the consortium or change its key. Prints the announcement \
            ID: other members approve it with 'herald approve ID', as the \
            policy-change rule of the policy in force says (without one, a \
            majority of the validators). Once approved it is in force on every \
            agent from the same place in the order, and each agent writes it to \
            its policy file, keeping the previous one as FILE.prev.
            """
    )

    @Argument(help: ArgumentHelp("The proposed policy file.", valueName: "file"))
    var file: String

    @OptionGroup var wait: WaitOptions
    @OptionGroup var connection: AgentConnection

    func run() async throws {
        let text: String
        do {
            text = try PolicyLoader.loadWithSource(contentsOf: file).source
        } catch {
            fail("policy propose", "\(error)")
        }
        let response = try await connection.send(ControlRequest(command: "propose-policy", policyText: text), command: "policy propose")
        guard let status = response.status else { fail("policy propose", "the agent returned no status") }
        try await wait.report(status, connection: connection, command: "policy propose")
    }
}
