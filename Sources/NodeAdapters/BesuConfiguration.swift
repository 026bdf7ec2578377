/// Configuration of the `besu` adapter (Besu local node permissioning, spec §4).
///
/// RPC mode (preferred: Besu persists the change and disconnects removed nodes):
/// ```yaml
/// type: besu
/// mode: rpc
/// rpc: { url: http://127.0.0.1:8545, bearerTokenFile: /etc/herald/besu.jwt }
/// ```
/// File mode (Herald edits `nodes-allowlist`, then asks Besu to reload):
/// ```yaml
/// type: besu
/// mode: file
/// permissionsConfigPath: /data/besu/permissions_config.toml
/// rpc: { url: http://127.0.0.1:8545 }   # optional: perm_reloadPermissionsFromFile
/// ```
/// `ADMIN` and `PERM` must be in Besu's `--rpc-http-api`.
public struct BesuConfiguration: Codable, Hashable, Sendable {
    /// How the allowlist is changed.
    public enum Mode: String, Codable, Hashable, Sendable {
        /// `perm_addNodesToAllowlist` / `perm_removeNodesFromAllowlist`.
        case rpc
        /// Edit `permissions_config.toml`, then `perm_reloadPermissionsFromFile`.
        case file
    }

    /// RPC or file; default RPC.
    public var mode: Mode
    /// The node's JSON-RPC endpoint (required in RPC mode).
    public var rpc: RPCEndpoint?
    /// `permissions_config.toml` (required in file mode).
    public var permissionsConfigPath: String?
    /// Besu runs with `--Xdns-enabled`: DNS names are allowed in enodes.
    public var dnsEnabled: Bool
    /// RPC mode: call `perm_reloadPermissionsFromFile` before writing, so that
    /// unreloaded edits of the file are neither overwritten nor reported out
    /// of sync (spec §6.3). Default true.
    public var reloadBeforeWrite: Bool
    /// Also `admin_addPeer` newly allowed members (allowing does not dial, spec §4.1). Default false.
    public var dialNewMembers: Bool
    /// Refusal checks for member lists that would isolate the node.
    public var safety: PeerSetGuard?

    /// Creates a configuration.
    public init(mode: Mode = .rpc, rpc: RPCEndpoint? = nil, permissionsConfigPath: String? = nil, dnsEnabled: Bool = false,
                reloadBeforeWrite: Bool = true, dialNewMembers: Bool = false, safety: PeerSetGuard? = nil) {
        self.mode = mode
        self.rpc = rpc
        self.permissionsConfigPath = permissionsConfigPath
        self.dnsEnabled = dnsEnabled
        self.reloadBeforeWrite = reloadBeforeWrite
        self.dialNewMembers = dialNewMembers
        self.safety = safety
    }

    private enum CodingKeys: String, CodingKey {
        case mode, rpc, permissionsConfigPath, dnsEnabled, reloadBeforeWrite, dialNewMembers, safety
    }

    /// Decodes; missing keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mode = try container.decodeIfPresent(Mode.self, forKey: .mode) ?? .rpc
        rpc = try container.decodeIfPresent(RPCEndpoint.self, forKey: .rpc)
        permissionsConfigPath = try container.decodeIfPresent(String.self, forKey: .permissionsConfigPath)
        dnsEnabled = try container.decodeIfPresent(Bool.self, forKey: .dnsEnabled) ?? false
        reloadBeforeWrite = try container.decodeIfPresent(Bool.self, forKey: .reloadBeforeWrite) ?? true
        dialNewMembers = try container.decodeIfPresent(Bool.self, forKey: .dialNewMembers) ?? false
        safety = try container.decodeIfPresent(PeerSetGuard.self, forKey: .safety)
    }

    /// Checks that the chosen mode has what it needs.
    /// - Throws: ``NodeAdapterError/invalidConfiguration(adapter:field:reason:)``.
    public func validate() throws(NodeAdapterError) {
        let adapter = BesuAllowlistAdapter.kind
        switch mode {
        case .rpc:
            guard rpc != nil else {
                throw .invalidConfiguration(adapter: adapter, field: "rpc", reason: "RPC mode needs the node's JSON-RPC endpoint")
            }
        case .file:
            guard let permissionsConfigPath, permissionsConfigPath.hasSuffix(".toml") else {
                throw .invalidConfiguration(adapter: adapter, field: "permissionsConfigPath",
                                            reason: "file mode needs the path of permissions_config.toml")
            }
        }
        if dialNewMembers && rpc == nil {
            throw .invalidConfiguration(adapter: adapter, field: "dialNewMembers", reason: "needs an rpc endpoint")
        }
        try rpc?.validate(adapter: adapter)
    }
}
