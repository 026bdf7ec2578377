import ArgumentParser
import Foundation
import HeraldAgent
import Logging
import ServiceLifecycle
import UnixSignals

/// `herald run --config C`: runs the agent until SIGTERM or SIGINT; SIGHUP reloads the policy.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the agent: listen, dial peers, deliver announcements, serve the control socket.",
        discussion: """
            Stops cleanly on SIGTERM or SIGINT: connections closed, databases checkpointed, socket removed. \
            SIGHUP re-reads the policy file (as `herald policy reload` does); a bad file is refused with \
            its error in the log and the previous policy stays in force.
            """
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
        // SIGHUP: reload the policy; the agent logs the outcome, a refusal included.
        // Trapped before the agent runs, so that an early SIGHUP does not end the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let reloads = Task {
            for await _ in hangups {
                _ = try? await agent.reloadPolicy()
            }
        }
        defer { reloads.cancel() }
        do {
            try await group.run()
        } catch {
            fail("run", "\(error)")
        }
    }
}
