import ArgumentParser

/// `herald policy`: work with policy files (`check`) and the running agent's policy (`reload`).
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Work with consortium policy files.",
        subcommands: [PolicyCheckCommand.self, PolicyReloadCommand.self]
    )
}
