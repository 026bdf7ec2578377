/// Configuration of the `goquorum-files` adapter (GoQuorum basic network
/// permissioning, spec §2.1–2.3).
///
/// ```yaml
/// type: goquorum-files
/// permissionedNodesPath: /data/quorum/permissioned-nodes.json
/// staticNodesPath: /data/quorum/static-nodes.json   # optional
/// defaultRaftPort: 50401                            # optional, Raft networks
/// rpc: { url: ipc:///data/quorum/geth.ipc }         # optional: disconnect removed members
/// ```
///
/// Do not use it while GoQuorum's enhanced (contract) permissioning is on:
/// GoQuorum then edits `permissioned-nodes.json` itself.
public struct GoQuorumFilesConfiguration: Codable, Hashable, Sendable {
    /// `<datadir>/permissioned-nodes.json` (the top-level `--datadir`).
    public var permissionedNodesPath: String
    /// `static-nodes.json` to keep in step, if the node uses one.
    public var staticNodesPath: String?
    /// `raftport` for members that do not carry their own (Raft networks only).
    public var defaultRaftPort: UInt16?
    /// The node's RPC endpoint; when set, removed members are also disconnected
    /// with `admin_removePeer` (a removal alone does not drop a live connection).
    public var rpc: RPCEndpoint?
    /// Refusal checks for member lists that would isolate the node.
    public var safety: PeerSetGuard?

    /// Creates a configuration.
    public init(permissionedNodesPath: String, staticNodesPath: String? = nil, defaultRaftPort: UInt16? = nil,
                rpc: RPCEndpoint? = nil, safety: PeerSetGuard? = nil) {
        self.permissionedNodesPath = permissionedNodesPath
        self.staticNodesPath = staticNodesPath
        self.defaultRaftPort = defaultRaftPort
        self.rpc = rpc
        self.safety = safety
    }

    /// Checks paths and the endpoint.
    /// - Throws: ``NodeAdapterError/invalidConfiguration(adapter:field:reason:)``.
    public func validate() throws(NodeAdapterError) {
        let adapter = PermissionedNodesWriter.kind
        guard permissionedNodesPath.hasSuffix(".json"), !permissionedNodesPath.hasSuffix("/.json") else {
            throw .invalidConfiguration(adapter: adapter, field: "permissionedNodesPath",
                                        reason: "'\(permissionedNodesPath)' must name a .json file (usually <datadir>/permissioned-nodes.json)")
        }
        if let staticNodesPath {
            guard staticNodesPath.hasSuffix(".json") else {
                throw .invalidConfiguration(adapter: adapter, field: "staticNodesPath", reason: "'\(staticNodesPath)' must name a .json file")
            }
            guard staticNodesPath != permissionedNodesPath else {
                throw .invalidConfiguration(adapter: adapter, field: "staticNodesPath", reason: "must differ from permissionedNodesPath")
            }
        }
        if defaultRaftPort == 0 {
            throw .invalidConfiguration(adapter: adapter, field: "defaultRaftPort", reason: "must be a port between 1 and 65535")
        }
        try rpc?.validate(adapter: adapter)
    }
}
