import ArgumentParser

/// `herald policy`: work with policy files.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Work with consortium policy files.",
        subcommands: [PolicyCheckCommand.self]
    )
}
