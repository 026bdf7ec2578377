import ArgumentParser

/// `herald policy`: work with policy files (`check`), the running agent's policy (`reload`)
/// and the consortium's (`propose`).
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Work with consortium policy files.",
        subcommands: [PolicyCheckCommand.self, PolicyProposeCommand.self, PolicyReloadCommand.self]
    )
}
