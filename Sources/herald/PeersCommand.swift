import ArgumentParser
import HeraldAgent

/// `herald peers`: the agents this one is connected to.
struct PeersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peers", abstract: "List connected agents.")

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var connection: AgentConnection

    func run() async throws {
        let peers = try await connection.send(ControlRequest(command: "peers"), command: "peers").peers ?? []
        if json { try printJSON(peers); return }
        for peer in peers { print("\(peer.node) \(peer.direction) \(peer.address) \(peer.client)") }
        print("peers: \(peers.count)")
    }
}
