import Foundation
import HeraldCrypto
import Membership
import NodeAdapters
import Yams

/// One agent's own settings (the policy is shared; this file is not),
/// read from YAML. Relative paths are resolved against the file's directory.
///
/// ```yaml
/// listen: {host: 0.0.0.0, port: 30310}
/// advertise: 10.0.0.1          # the host other agents reach this one at (its enode URL)
/// data-dir: /var/lib/herald
/// node-key: /var/lib/herald/nodekey
/// policy: /etc/herald/policy.yaml
/// control-socket: /var/lib/herald/herald.sock
/// consortium-key: file:/etc/herald/consortium.key   # overrides the policy's reference
/// peers: ["enode://<id>@10.0.0.2:30310"]             # agent endpoints to dial at start
/// adapters:
///   - {type: goquorum-files, permissionedNodesPath: /data/permissioned-nodes.json}
/// apply-retry: {initialDelaySeconds: 1, maximumDelaySeconds: 300}  # backoff of failed applies
/// metrics: {host: 127.0.0.1, port: 9464}                           # GET /metrics; absent = disabled
/// late-entry-witnesses: 2   # acks needed to take in an entry that expired before it reached us
/// ```
public struct AgentConfiguration: Codable, Sendable {
    /// Where the agent listens for RLPx from other agents.
    public struct Listen: Codable, Sendable, Hashable {
        /// IP address to bind.
        public var host: String
        /// TCP port (0 picks a free one; for tests).
        public var port: UInt16

        public init(host: String, port: UInt16) {
            self.host = host
            self.port = port
        }
    }

    /// RLPx listen address.
    public var listen: Listen
    /// The host (IP address or DNS name) in this agent's enode URL, when it differs
    /// from `listen.host`: an agent bound to 0.0.0.0 is reached at one of its addresses.
    public var advertise: String?
    /// Holds the membership log, the agent store and (by default) the control socket.
    public var dataDirectory: String
    /// The node key file (geth format); the agent's identity is the node's.
    public var nodeKey: String
    /// The consortium policy file.
    public var policy: String
    /// The control socket path.
    public var controlSocket: String
    /// Overrides the policy's consortium key reference (`file:PATH` or `env:NAME`).
    public var consortiumKey: String?
    /// Agent enode URLs to dial besides the members' announced endpoints.
    public var peers: [String]
    /// Node adapters the member list is applied through.
    public var adapters: [NodeAdapterConfiguration]
    /// Backoff of a failed apply, per adapter; nil: ``RetryPolicy``'s defaults.
    public var applyRetry: RetryPolicy?
    /// Where to serve `GET /metrics` (Prometheus text format); nil: no metrics endpoint.
    public var metrics: Listen?
    /// Milliseconds between log summaries sent to every peer (anti-entropy).
    public var antiEntropyIntervalMilliseconds: Int
    /// Log level: trace, debug, info, notice, warning, error, critical.
    public var logLevel: String
    /// How many members' signed acks must back an anti-entropy entry that
    /// had expired before it reached this agent, unless its own announcer
    /// sends it, before it is decided as received in time (see `LateEntry`).
    public var lateEntryWitnesses: Int
    /// Inbound RLPx connections in their handshake at once (default 64); more are closed on accept.
    public var maxPendingHandshakes: Int?
    /// Inbound RLPx connections open at once from one IP address (default 32); more are closed on accept.
    public var maxConnectionsPerAddress: Int?
    /// Envelopes one peer may send per second (bursts of twice as many); more are dropped unopened.
    public var maxEnvelopesPerSecond: Int

    enum CodingKeys: String, CodingKey {
        case listen, advertise, policy, peers, adapters, metrics
        case applyRetry = "apply-retry"
        case dataDirectory = "data-dir"
        case nodeKey = "node-key"
        case controlSocket = "control-socket"
        case consortiumKey = "consortium-key"
        case antiEntropyIntervalMilliseconds = "anti-entropy-interval-ms"
        case logLevel = "log-level"
        case lateEntryWitnesses = "late-entry-witnesses"
        case maxPendingHandshakes = "max-pending-handshakes"
        case maxConnectionsPerAddress = "max-connections-per-address"
        case maxEnvelopesPerSecond = "max-envelopes-per-second"
    }

    /// A configuration with defaults for everything but the paths.
    public init(listen: Listen, advertise: String? = nil, dataDirectory: String, nodeKey: String, policy: String, controlSocket: String,
                consortiumKey: String? = nil, peers: [String] = [], adapters: [NodeAdapterConfiguration] = [],
                antiEntropyIntervalMilliseconds: Int = 30_000, logLevel: String = "info",
                applyRetry: RetryPolicy? = nil, metrics: Listen? = nil, lateEntryWitnesses: Int = 2) {
        self.listen = listen
        self.advertise = advertise
        self.dataDirectory = dataDirectory
        self.nodeKey = nodeKey
        self.policy = policy
        self.controlSocket = controlSocket
        self.consortiumKey = consortiumKey
        self.peers = peers
        self.adapters = adapters
        self.antiEntropyIntervalMilliseconds = antiEntropyIntervalMilliseconds
        self.logLevel = logLevel
        self.applyRetry = applyRetry
        self.metrics = metrics
        self.lateEntryWitnesses = lateEntryWitnesses
        maxEnvelopesPerSecond = Self.defaultMaxEnvelopesPerSecond
    }

    /// ``maxEnvelopesPerSecond`` unless the file says otherwise.
    public static let defaultMaxEnvelopesPerSecond = 500

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        listen = try container.decode(Listen.self, forKey: .listen)
        advertise = try container.decodeIfPresent(String.self, forKey: .advertise)
        dataDirectory = try container.decode(String.self, forKey: .dataDirectory)
        nodeKey = try container.decode(String.self, forKey: .nodeKey)
        policy = try container.decode(String.self, forKey: .policy)
        controlSocket = try container.decode(String.self, forKey: .controlSocket)
        consortiumKey = try container.decodeIfPresent(String.self, forKey: .consortiumKey)
        peers = try container.decodeIfPresent([String].self, forKey: .peers) ?? []
        adapters = try container.decodeIfPresent([NodeAdapterConfiguration].self, forKey: .adapters) ?? []
        antiEntropyIntervalMilliseconds = try container.decodeIfPresent(Int.self, forKey: .antiEntropyIntervalMilliseconds) ?? 30_000
        logLevel = try container.decodeIfPresent(String.self, forKey: .logLevel) ?? "info"
        applyRetry = try container.decodeIfPresent(RetryPolicy.self, forKey: .applyRetry)
        metrics = try container.decodeIfPresent(Listen.self, forKey: .metrics)
        lateEntryWitnesses = try container.decodeIfPresent(Int.self, forKey: .lateEntryWitnesses) ?? 2
        maxPendingHandshakes = try container.decodeIfPresent(Int.self, forKey: .maxPendingHandshakes)
        maxConnectionsPerAddress = try container.decodeIfPresent(Int.self, forKey: .maxConnectionsPerAddress)
        maxEnvelopesPerSecond = try container.decodeIfPresent(Int.self, forKey: .maxEnvelopesPerSecond) ?? Self.defaultMaxEnvelopesPerSecond
    }

    /// Reads and validates `path`; relative paths inside are made absolute.
    ///
    /// - Throws: ``AgentError/configuration(path:message:)`` naming the key at fault.
    public static func load(contentsOf path: String) throws(AgentError) -> AgentConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .configuration(path: path, message: "cannot read: \(error.localizedDescription)")
        }
        return try load(yaml: text, path: path)
    }

    /// Reads and validates a configuration given as text; `path` names it in errors
    /// and is the base of relative paths.
    package static func load(yaml text: String, path: String) throws(AgentError) -> AgentConfiguration {
        guard text.utf8.count <= 1 << 20 else { throw .configuration(path: path, message: "larger than 1 MiB") }
        var configuration: AgentConfiguration
        do {
            configuration = try decode(text)
        } catch let error as YamlError {
            throw .configurationSyntax(PolicyLoader.syntaxError(error, path: path, text: text))
        } catch let error as DecodingError {
            throw .configuration(path: path, message: Self.describe(error))
        } catch {
            throw .configuration(path: path, message: "\(error)")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        configuration.resolvePaths(relativeTo: base)
        for (index, peer) in configuration.peers.enumerated() where Enode(peer) == nil {
            throw .configuration(path: path, message: "peers[\(index)]: not an enode URL with host and port: \(peer)")
        }
        if let advertise = configuration.advertise, !Self.isAdvertisable(advertise) {
            throw .configuration(path: path, message: "advertise: '\(advertise)' is not a host other agents can dial (an IP address or DNS name, not 0.0.0.0 or ::)")
        }
        guard (50...3_600_000).contains(configuration.antiEntropyIntervalMilliseconds) else {
            throw .configuration(path: path, message: "anti-entropy-interval-ms must be between 50 and 3600000")
        }
        guard (1...16).contains(configuration.lateEntryWitnesses) else {
            throw .configuration(path: path, message: "late-entry-witnesses must be between 1 and 16")
        }
        for (key, value) in [("max-pending-handshakes", configuration.maxPendingHandshakes),
                             ("max-connections-per-address", configuration.maxConnectionsPerAddress),
                             ("max-envelopes-per-second", configuration.maxEnvelopesPerSecond)] {
            if let value, !(1...65_536).contains(value) {
                throw .configuration(path: path, message: "\(key) must be between 1 and 65536, not \(value)")
            }
        }
        for adapter in configuration.adapters {
            do { try adapter.validate() } catch {
                throw .configuration(path: path, message: "adapters: \(error)")
            }
        }
        if let applyRetry = configuration.applyRetry {
            do { try applyRetry.validate() } catch {
                throw .configuration(path: path, message: "apply-retry: \(error)")
            }
        }
        if let metrics = configuration.metrics, metrics.host.isEmpty {
            throw .configuration(path: path, message: "metrics.host must not be empty (leave out 'metrics' to disable the endpoint)")
        }
        return configuration
    }

    /// The host in this agent's enode URL: `advertise`, else the listen address
    /// (which, when it is a wildcard such as 0.0.0.0, no other host can dial).
    public var advertisedHost: String { advertise ?? listen.host }

    /// Whether `host` is an address or name another host can dial (not a wildcard, no port).
    public static func isAdvertisable(_ host: String) -> Bool {
        !isWildcard(host) && Enode.Host(parsing: host) != nil
    }

    /// Whether binding `host` listens on every interface.
    public static func isWildcard(_ host: String) -> Bool {
        guard let parsed = Enode.Host(parsing: host) else { return host.isEmpty }
        return parsed == .ipv4("0.0.0.0") || parsed == .ipv6("::")
    }

    /// Writes the configuration as YAML.
    public func yaml() throws -> String {
        try YAMLEncoder().encode(self)
    }

    mutating func resolvePaths(relativeTo base: URL) {
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : base.appendingPathComponent(path).standardizedFileURL.path
        }
        dataDirectory = absolute(dataDirectory)
        nodeKey = absolute(nodeKey)
        policy = absolute(policy)
        controlSocket = absolute(controlSocket)
        if let key = consortiumKey, key.hasPrefix("file:"), !key.dropFirst(5).hasPrefix("/") {
            consortiumKey = "file:" + absolute(String(key.dropFirst(5)))
        }
    }

    /// `key.path: what is wrong`, for a decoding error.
    /// Decodes the YAML text. Plain scalars are left untagged (`Resolver.basic`):
    /// the decoder reads each value as the type the field asks for, and the
    /// default resolver's patterns are regular expressions whose ICU engine and
    /// data would stay resident in `herald run` for nothing (about 1.5 MB).
    /// Only a file with a merge key (`<<`) needs the resolver.
    static func decode(_ text: String) throws -> AgentConfiguration {
        // A syntax error is thrown as Yams' `YamlError`, which carries its line and column.
        let root = try Yams.compose(yaml: text, text.contains("<<") ? .default : .basic) ?? ""
        return try YAMLDecoder().decode(AgentConfiguration.self, from: root)
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath)
            return "missing key '\(key.stringValue)'" + (at.isEmpty ? "" : " in \(at)")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let at = path(context.codingPath)
            return (at.isEmpty ? "" : "\(at): ") + context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}
