import ArgumentParser
import Foundation
import HeraldAgent

/// Where the running agent's control socket is: `--socket`, or the
/// `control-socket` of `--config`.
struct AgentConnection: ParsableArguments {
    @Option(help: ArgumentHelp("The agent's config file (its control-socket is used).", valueName: "file"))
    var config: String = "/etc/herald/agent.yaml"

    @Option(help: ArgumentHelp("The agent's control socket (overrides --config).", valueName: "path"))
    var socket: String?

    /// Sends one request; prints the error and exits 1 on failure.
    func send(_ request: ControlRequest, command: String) async throws -> ControlResponse {
        let path: String
        if let socket {
            path = socket
        } else {
            do {
                path = try AgentConfiguration.load(contentsOf: config).controlSocket
            } catch {
                fail(command, "\(error) (give --config or --socket)")
            }
        }
        do {
            return try await ControlClient(path: path).send(request)
        } catch {
            fail(command, error.description)
        }
    }
}

/// Prints `herald COMMAND: message` on standard error and exits 1.
func fail(_ command: String, _ message: String) -> Never {
    FileHandle.standardError.write(Data("herald \(command): \(message)\n".utf8))
    Foundation.exit(1)
}

/// Prints `herald COMMAND: warning: message` on standard error and goes on.
func warn(_ command: String, _ message: String) {
    FileHandle.standardError.write(Data("herald \(command): warning: \(message)\n".utf8))
}

/// Prints `value` as sorted, pretty JSON.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
