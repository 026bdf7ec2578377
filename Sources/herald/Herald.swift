import ArgumentParser

/// `herald`: the command-line tool of the Herald membership agent.
///
/// Each subcommand is its own type in its own file. `policy check` and
/// `audit` work on files alone, without a running agent.
@main
struct Herald: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "Keep the peer sets of a permissioned Ethereum network in step.",
        discussion: """
            A herald agent runs beside every node. Operators announce joins and \
            leaves; announcements are signed, checked against the consortium's \
            YAML policy, logged in a hash-chained membership log and applied to \
            the node's peer set.
            """,
        subcommands: [
            InitCommand.self, RunCommand.self, AnnounceCommand.self, ApproveCommand.self, MembersCommand.self,
            StatusCommand.self, PeersCommand.self, PolicyCommand.self, AuditCommand.self,
        ]
    )
}
