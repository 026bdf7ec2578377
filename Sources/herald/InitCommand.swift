import ArgumentParser
import Foundation
import HeraldAgent
import HeraldCrypto
import Membership
import NodeAdapters

/// `herald init --data-dir D --policy P`: prepares an agent's data directory.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an agent's data directory, node key and config file; print its enode URL.",
        discussion: """
            Creates DIR (mode 0700), a node key DIR/nodekey (0600) unless --nodekey \
            names an existing geth key file, a copy of the policy as DIR/policy.yaml \
            and the agent config DIR/agent.yaml. Refuses to overwrite an existing config, and a \
            node key or consortium key file that group or others can read. \
            An agent listening on every interface (0.0.0.0, the default) is reached at one of its \
            addresses: give it with --advertise, so that the enode URL printed and announced is one \
            other hosts can dial. \
            The Prometheus metrics endpoint is off unless --metrics gives an address \
            (127.0.0.1:9464 is Herald's usual one; several agents on one host need one port each).
            """
    )

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The agent's data directory.", valueName: "dir"))
    var dataDirectory: String

    @Option(help: ArgumentHelp("The consortium policy file.", valueName: "file"))
    var policy: String

    @Option(name: .customLong("nodekey"), help: ArgumentHelp("Use this geth node key file instead of creating one.", valueName: "file"))
    var nodeKey: String?

    @Option(help: ArgumentHelp("RLPx listen address for other agents.", valueName: "host:port"))
    var listen: String = "0.0.0.0:30310"

    @Option(help: ArgumentHelp("The host other agents dial this one at (IP address or DNS name), when --listen is 0.0.0.0 or another address they cannot reach.", valueName: "host"))
    var advertise: String?

    @Option(name: .customLong("consortium-key"), help: ArgumentHelp("Consortium key reference (file:PATH or env:NAME); default: the policy's.", valueName: "ref"))
    var consortiumKey: String?

    @Option(name: .customLong("peer"), help: ArgumentHelp("An agent enode URL to dial at start (repeatable).", valueName: "url"))
    var peers: [String] = []

    @Option(help: ArgumentHelp("Serve GET /metrics (Prometheus), the status page (GET /, /status.json) and /healthz, /readyz on this address, "
                               + "unauthenticated: keep it off the internet (e.g. 127.0.0.1:9464); default: none of them.",
                               valueName: "host:port"))
    var metrics: String?

    @Option(name: .customLong("permissioned-nodes"), help: ArgumentHelp("Write the member list to this GoQuorum permissioned-nodes.json.", valueName: "file"))
    var permissionedNodes: String?

    func validate() throws {
        guard AgentEndpoint(listen) != nil else { throw ValidationError("--listen must be host:port, e.g. 0.0.0.0:30310") }
        if let advertise, !AgentConfiguration.isAdvertisable(advertise) {
            throw ValidationError("--advertise \(advertise): not a host other agents can dial (an IP address or DNS name, without a port; not 0.0.0.0 or ::)")
        }
        if let metrics, AgentEndpoint(metrics) == nil {
            throw ValidationError("--metrics must be host:port, e.g. 127.0.0.1:9464")
        }
        for peer in peers {
            let enode: Enode
            do {
                enode = try Enode(parsing: peer)
            } catch {
                throw ValidationError("--peer \(peer): \(error)")
            }
            guard enode.host != nil else { throw ValidationError("--peer \(peer): no host and port to dial") }
        }
    }

    func run() async throws {
        let fileManager = FileManager.default
        let directory = URL(fileURLWithPath: dataDirectory).standardizedFileURL
        let configPath = directory.appendingPathComponent("agent.yaml").path
        guard !fileManager.fileExists(atPath: configPath) else { fail("init", "\(configPath) exists; not overwriting it") }
        do { _ = try PolicyLoader.load(contentsOf: policy) } catch { fail("init", "\(error)") }
        do {
            if let nodeKey { try SecretFile.checkPrivate(nodeKey, what: "node key") }
            if let consortiumKey, consortiumKey.hasPrefix("file:") {
                try SecretFile.checkPrivate(String(consortiumKey.dropFirst(5)), what: "consortium key")
            }
        } catch {
            fail("init", error.description)
        }
        do {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try fileManager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        } catch {
            fail("init", "cannot create \(directory.path): \(error.localizedDescription)")
        }
        let key: Secp256k1.PrivateKey
        let keyPath: String
        do {
            if let nodeKey {
                keyPath = URL(fileURLWithPath: nodeKey).standardizedFileURL.path
                key = try NodeKeyFile.read(from: keyPath)
            } else {
                keyPath = directory.appendingPathComponent("nodekey").path
                key = Secp256k1.PrivateKey()
                try NodeKeyFile.write(key, to: keyPath)
            }
        } catch {
            fail("init", "\(error)")
        }
        let policyCopy = directory.appendingPathComponent("policy.yaml").path
        do {
            if fileManager.fileExists(atPath: policyCopy) { try fileManager.removeItem(atPath: policyCopy) }
            try fileManager.copyItem(atPath: policy, toPath: policyCopy)
        } catch {
            fail("init", "cannot copy the policy: \(error.localizedDescription)")
        }
        let endpoint = AgentEndpoint(listen)!
        var adapters: [NodeAdapterConfiguration] = []
        if let permissionedNodes {
            adapters.append(.goQuorumFiles(GoQuorumFilesConfiguration(
                permissionedNodesPath: URL(fileURLWithPath: permissionedNodes).standardizedFileURL.path)))
        }
        let configuration = AgentConfiguration(
            listen: .init(host: endpoint.host, port: endpoint.port), advertise: advertise, dataDirectory: directory.path, nodeKey: keyPath,
            policy: policyCopy, controlSocket: directory.appendingPathComponent("herald.sock").path,
            consortiumKey: consortiumKey, peers: peers, adapters: adapters,
            metrics: metrics.flatMap(AgentEndpoint.init).map { .init(host: $0.host, port: $0.port) })
        do {
            let yaml = "# Herald agent configuration; see `herald init --help`.\n" + (try configuration.yaml())
            try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        } catch {
            fail("init", "cannot write \(configPath): \(error)")
        }
        let host: Enode.Host?
        if let advertise {
            host = Enode.Host(parsing: advertise)
        } else if AgentConfiguration.isWildcard(endpoint.host) {
            host = .ipv4("127.0.0.1")
            warn("init", "listening on every interface (\(listen)): the enode URL below says 127.0.0.1, "
                + "which only this host can dial. Give the address other agents reach this one at: "
                + "herald init … --advertise <this host's IP or DNS name> (or set 'advertise' in \(configPath))")
        } else {
            host = Enode.Host(parsing: endpoint.host)
        }
        print(Enode(publicKey: key.publicKey, host: host, tcpPort: endpoint.port).description)
    }
}
