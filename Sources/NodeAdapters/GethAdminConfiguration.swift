/// Configuration of the `geth-admin` adapter (geth and GoQuorum admin API, spec §3).
///
/// ```yaml
/// type: geth-admin
/// rpc: { url: ipc:///data/geth/geth.ipc }   # or http://127.0.0.1:8545 with "admin" in --http.api
/// trusted: true                             # also admin_addTrustedPeer / admin_removeTrustedPeer
/// configPath: /data/geth/config.toml        # optional: keep [Node.P2P] StaticNodes/TrustedNodes
/// ```
/// geth has no allowlist: listed peers are dialled and kept, others are not blocked.
public struct GethAdminConfiguration: Codable, Hashable, Sendable {
    /// The node's JSON-RPC endpoint (IPC serves `admin_*` by default; HTTP only if enabled).
    public var rpc: RPCEndpoint
    /// Also manage the trusted set. Default false.
    public var trusted: Bool
    /// geth's `--config` TOML whose `[Node.P2P]` lists are kept in step, so the
    /// peer set survives a restart (runtime admin changes are not persisted).
    public var configPath: String?
    /// Also disconnect connected peers that are not members. Default false.
    public var disconnectNonMembers: Bool
    /// Refusal checks for member lists that would isolate the node.
    public var safety: PeerSetGuard?

    /// Creates a configuration.
    public init(rpc: RPCEndpoint, trusted: Bool = false, configPath: String? = nil, disconnectNonMembers: Bool = false,
                safety: PeerSetGuard? = nil) {
        self.rpc = rpc
        self.trusted = trusted
        self.configPath = configPath
        self.disconnectNonMembers = disconnectNonMembers
        self.safety = safety
    }

    private enum CodingKeys: String, CodingKey {
        case rpc, trusted, configPath, disconnectNonMembers, safety
    }

    /// Decodes; missing keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rpc = try container.decode(RPCEndpoint.self, forKey: .rpc)
        trusted = try container.decodeIfPresent(Bool.self, forKey: .trusted) ?? false
        configPath = try container.decodeIfPresent(String.self, forKey: .configPath)
        disconnectNonMembers = try container.decodeIfPresent(Bool.self, forKey: .disconnectNonMembers) ?? false
        safety = try container.decodeIfPresent(PeerSetGuard.self, forKey: .safety)
    }

    /// Checks the endpoint and path.
    /// - Throws: ``NodeAdapterError/invalidConfiguration(adapter:field:reason:)``.
    public func validate() throws(NodeAdapterError) {
        try rpc.validate(adapter: GethAdminAdapter.kind)
        if let configPath, !configPath.hasSuffix(".toml") {
            throw .invalidConfiguration(adapter: GethAdminAdapter.kind, field: "configPath",
                                        reason: "'\(configPath)' must name geth's TOML config file")
        }
    }
}
