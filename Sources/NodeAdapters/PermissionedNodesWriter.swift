import AsyncHTTPClient
import HeraldCrypto

/// The `goquorum-files` adapter: keeps GoQuorum's `permissioned-nodes.json`
/// (and optionally `static-nodes.json`) equal to the member list, and
/// disconnects removed members over RPC when an endpoint is configured.
///
/// Files are written atomically with the previous version kept as `.prev`;
/// GoQuorum re-reads `permissioned-nodes.json` on every connection check, so
/// no restart is needed (spec §2.1). Every member, the local node included,
/// is listed, sorted by node ID, so every node holds the same file.
public struct PermissionedNodesWriter: NodeAdapter {
    /// `goquorum-files`.
    public static let kind = "goquorum-files"
    /// `goquorum-files`.
    public var kind: String { Self.kind }

    private let configuration: GoQuorumFilesConfiguration
    private let client: JSONRPCClient?

    /// Creates the adapter.
    /// - Throws: ``NodeAdapterError/invalidConfiguration(adapter:field:reason:)``.
    public init(configuration: GoQuorumFilesConfiguration, httpClient: HTTPClient = .shared) throws(NodeAdapterError) {
        try configuration.validate()
        self.configuration = configuration
        self.client = try configuration.rpc.map { endpoint throws(NodeAdapterError) in
            try JSONRPCClient(endpoint: endpoint, adapter: Self.kind, httpClient: httpClient)
        }
    }

    public func apply(_ desired: DesiredPeerSet) async throws -> ApplyReport {
        try (configuration.safety ?? PeerSetGuard()).check(desired, adapter: kind)
        var wanted: [String] = []
        for member in desired.members {
            try EnodeForms.requireDialable(member.enode, adapter: kind)
            wanted.append(EnodeForms.goQuorum(member.enode, raftPort: member.raftPort ?? configuration.defaultRaftPort))
        }
        let wantedSet = Set(wanted)
        let wantedKeys = Set(desired.members.map(\.enode.publicKey))

        // Read (and check) every file before writing any.
        let permissioned = try readList(configuration.permissionedNodesPath)
        let staticNodes = try configuration.staticNodesPath.map { path throws(NodeAdapterError) in try readList(path) }

        let current = permissioned.map { EnodeForms.goQuorum($0.enode, raftPort: $0.raftPort) }
        let currentSet = Set(current)
        let addedEntries = desired.members.enumerated().filter { !currentSet.contains(wanted[$0.offset]) }.map(\.element.enode)
        let removedEntries = permissioned.filter { !wantedSet.contains(EnodeForms.goQuorum($0.enode, raftPort: $0.raftPort)) }

        if currentSet != wantedSet || current.count != currentSet.count {
            try AtomicFileWriter.write(EnodeListFile.render(wanted), to: configuration.permissionedNodesPath)
        }
        if let staticNodes, let path = configuration.staticNodesPath {
            let currentStatic = staticNodes.map { EnodeForms.goQuorum($0.enode, raftPort: $0.raftPort) }
            if Set(currentStatic) != wantedSet || currentStatic.count != wanted.count {
                try AtomicFileWriter.write(EnodeListFile.render(wanted), to: path)
            }
        }

        // Removal from the file only blocks the next connection: drop live ones.
        if let client {
            var targets: [Secp256k1.PublicKey: String] = [:]
            for entry in removedEntries where !wantedKeys.contains(entry.enode.publicKey) {
                targets[entry.enode.publicKey] = entry.enode.description
            }
            for peer in try await AdminPeers.read(client, adapter: kind) where !wantedKeys.contains(peer.publicKey) {
                if peer.publicKey.nodeID == desired.localNodeID { continue }
                targets[peer.publicKey] = targets[peer.publicKey] ?? peer.enode
            }
            for url in targets.values.sorted() {
                _ = try await AdminPeers.call(client, "admin_removePeer", url, adapter: kind)
            }
        }
        return ApplyReport(adapter: kind, added: addedEntries, removed: removedEntries.map(\.enode),
                           unchanged: wanted.count - addedEntries.count)
    }

    private func readList(_ path: String) throws(NodeAdapterError) -> [EnodeListFile.Entry] {
        guard let bytes = try AtomicFileWriter.read(path) else { return [] }
        return try EnodeListFile.parse(bytes, path: path)
    }
}
