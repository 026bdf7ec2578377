import ArgumentParser
import HeraldAgent

/// `herald policy reload`: asks the running agent to re-read its policy
/// file, as SIGHUP does, and prints the outcome or the file's error.
struct PolicyReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make the running agent re-read its policy file (as SIGHUP does).",
        discussion: """
            Prints the new policy hash. A file that does not load, or that \
            changes the consortium name or key, is refused: the error is \
            printed as FILE:LINE:COLUMN: what is wrong, the previous policy \
            stays in force, and the exit status is 1. Once the consortium has \
            accepted a policy change, a file that differs from the accepted \
            policy is not put in force: a warning says which policy is, and \
            how to propose the file ('herald policy propose').
            """
    )

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var connection: AgentConnection

    func run() async throws {
        let response = try await connection.send(ControlRequest(command: "reload-policy"), command: "policy reload")
        guard let result = response.policyReload else { fail("policy reload", "the agent returned no result") }
        if json { try printJSON(result); return }
        if let warning = result.warning { warn("policy reload", warning) }
        if result.changed {
            print("policy reloaded from \(result.path): \(result.policyHash) (was \(result.previousPolicyHash))")
        } else {
            print("policy unchanged: \(result.path) is \(result.policyHash)")
        }
        for setting in result.needsRestart {
            print("note: the change to \(setting) takes effect when the agent restarts")
        }
    }
}
