import AsyncHTTPClient
import HeraldCrypto

/// The `geth-admin` adapter: `admin_addPeer` / `admin_removePeer` (and the
/// trusted variants) so the node dials exactly the other members, checked
/// against `admin_peers` by public key (spec §3.2, §6.4–5).
///
/// What Herald has added is remembered (and, with `configPath`, written to
/// `[Node.P2P] StaticNodes`/`TrustedNodes`, which also seeds that memory after
/// a restart), so a re-apply of the same list reads `admin_peers` and calls
/// nothing else. Without `configPath`, the first apply after a restart adds
/// every member again, which geth treats as a no-op.
public actor GethAdminAdapter: NodeAdapter {
    /// `geth-admin`.
    public static let kind = "geth-admin"
    /// `geth-admin`.
    public nonisolated var kind: String { Self.kind }

    private let configuration: GethAdminConfiguration
    private let client: JSONRPCClient
    /// Public key → enode URL of each peer Herald has added.
    private var applied: [Secp256k1.PublicKey: String]?

    /// Creates the adapter.
    /// - Throws: ``NodeAdapterError/invalidConfiguration(adapter:field:reason:)``.
    public init(configuration: GethAdminConfiguration, httpClient: HTTPClient = .shared) throws(NodeAdapterError) {
        try configuration.validate()
        self.configuration = configuration
        self.client = try JSONRPCClient(endpoint: configuration.rpc, adapter: Self.kind, httpClient: httpClient)
    }

    public func apply(_ desired: DesiredPeerSet) async throws -> ApplyReport {
        try (configuration.safety ?? PeerSetGuard()).check(desired, adapter: kind)
        var wanted: [Secp256k1.PublicKey: (text: String, enode: Enode)] = [:]
        for member in desired.remoteMembers {
            try EnodeForms.requireDialable(member.enode, adapter: kind)
            wanted[member.enode.publicKey] = (member.enode.description, member.enode)
        }
        let file = try configuration.configPath.map { path throws(NodeAdapterError) in try GethConfigFile.read(path) }
        if applied == nil {
            var seed: [Secp256k1.PublicKey: String] = [:]
            for text in file?.staticNodes ?? [] {
                if let enode = try? Enode(parsing: text) { seed[enode.publicKey] = text }
            }
            applied = seed
        }
        var known = applied ?? [:]

        let connected = try await AdminPeers.read(client, adapter: kind)
        var toRemove: [Secp256k1.PublicKey: String] = known.filter { wanted[$0.key] == nil }
        if configuration.disconnectNonMembers {
            for peer in connected where wanted[peer.publicKey] == nil && peer.publicKey.nodeID != desired.localNodeID {
                toRemove[peer.publicKey] = toRemove[peer.publicKey] ?? peer.enode
            }
        }
        let toAdd = wanted.filter { known[$0.key] != $0.value.text }.sorted { $0.value.text < $1.value.text }

        var added: [Enode] = []
        var removed: [Enode] = []
        defer { applied = known }
        for (key, url) in toRemove.sorted(by: { $0.value < $1.value }) {
            try await AdminPeers.call(client, "admin_removePeer", url, adapter: kind)
            if configuration.trusted {
                try await AdminPeers.call(client, "admin_removeTrustedPeer", url, adapter: kind)
            }
            known[key] = nil
            if let enode = try? Enode(parsing: url) { removed.append(enode) }
        }
        for (key, value) in toAdd {
            if let old = known[key] {
                // Same node, new address: drop the old static entry first.
                try await AdminPeers.call(client, "admin_removePeer", old, adapter: kind)
            }
            try await AdminPeers.call(client, "admin_addPeer", value.text, adapter: kind)
            if configuration.trusted {
                try await AdminPeers.call(client, "admin_addTrustedPeer", value.text, adapter: kind)
            }
            known[key] = value.text
            added.append(value.enode)
        }

        if let file {
            let list = desired.remoteMembers.map(\.enode.description)   // node ID order, as the other adapters
            try file.write(staticNodes: list, trustedNodes: configuration.trusted ? list : nil)
        }

        // Verify: which members are connected now (by public key, spec §6.5).
        let after = added.isEmpty && removed.isEmpty ? connected : try await AdminPeers.read(client, adapter: kind)
        let connectedKeys = Set(after.map(\.publicKey))
        let notConnected = wanted.values.filter { !connectedKeys.contains($0.enode.publicKey) }.map(\.enode)
            .sorted { $0.nodeID < $1.nodeID }
        return ApplyReport(adapter: kind, added: added, removed: removed, unchanged: wanted.count - toAdd.count,
                           notConnected: notConnected)
    }
}
