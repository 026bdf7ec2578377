import ArgumentParser
import Foundation
import HeraldAgent
import Logging
import ServiceLifecycle

/// `herald run --config C`: runs the agent until SIGTERM or SIGINT.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the agent: listen, dial peers, deliver announcements, serve the control socket.",
        discussion: "Stops cleanly on SIGTERM or SIGINT: connections closed, databases checkpointed, socket removed."
    )

    @Option(help: ArgumentHelp("The agent config file (see `herald init`).", valueName: "file"))
    var config: String

    func run() async throws {
        LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
        let configuration: AgentConfiguration
        let agent: HeraldAgent
        do {
            configuration = try AgentConfiguration.load(contentsOf: config)
            agent = try await HeraldAgent(configuration: configuration)
        } catch {
            fail("run", error.description)
        }
        let logger = Logger(label: "herald")
        let group = ServiceGroup(configuration: .init(
            services: [agent], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            fail("run", "\(error)")
        }
    }
}
