import AsyncHTTPClient
import HeraldCrypto

/// The `besu` adapter: makes Besu's node allowlist equal to the member list,
/// over the PERM API (RPC mode) or by editing `permissions_config.toml` and
/// reloading it (file mode). Entries are matched as Besu matches them: public
/// key, IP and TCP port (spec §4.1).
///
/// Besu traps handled (spec §4, §6.3): additions go before removals and each
/// is one request (Besu fails a whole request on the first existing/absent
/// entry, so the lists come from a fresh read); in RPC mode the file is
/// reloaded before a write; in file mode the reload follows the edit; DNS
/// names are refused unless `dnsEnabled`. Removing a bootnode or static node
/// fails with Besu's "fixed node" error, reported as is: remove it from
/// `--bootnodes` / `static-nodes.json` too.
public struct BesuAllowlistAdapter: NodeAdapter {
    /// `besu`.
    public static let kind = "besu"
    /// `besu`.
    public var kind: String { Self.kind }

    /// The key `permissions_config.toml` holds the node allowlist under.
    package static let allowlistKey = "nodes-allowlist"

    private let configuration: BesuConfiguration
    private let client: JSONRPCClient?

    /// Creates the adapter.
    /// - Throws: ``NodeAdapterError/invalidConfiguration(adapter:field:reason:)``.
    public init(configuration: BesuConfiguration, httpClient: HTTPClient = .shared) throws(NodeAdapterError) {
        try configuration.validate()
        self.configuration = configuration
        self.client = try configuration.rpc.map { endpoint throws(NodeAdapterError) in
            try JSONRPCClient(endpoint: endpoint, adapter: Self.kind, httpClient: httpClient)
        }
    }

    public func apply(_ desired: DesiredPeerSet) async throws -> ApplyReport {
        try (configuration.safety ?? PeerSetGuard()).check(desired, adapter: kind)
        var wanted: [(key: EnodeForms.EndpointKey, text: String, enode: Enode)] = []
        for member in desired.members {
            let text = try EnodeForms.besu(member.enode, dnsEnabled: configuration.dnsEnabled, adapter: kind)
            wanted.append((EnodeForms.EndpointKey(member.enode), text, member.enode))
        }
        switch configuration.mode {
        case .rpc: return try await applyOverRPC(wanted, local: desired.localNodeID)
        case .file: return try await applyToFile(wanted, local: desired.localNodeID)
        }
    }

    // MARK: - RPC mode

    private func applyOverRPC(_ wanted: [(key: EnodeForms.EndpointKey, text: String, enode: Enode)], local: NodeID) async throws -> ApplyReport {
        guard let client else { throw NodeAdapterError.invalidConfiguration(adapter: kind, field: "rpc", reason: "missing") }
        var current = try await readAllowlist(client)
        var diff = Self.diff(wanted, current)
        if diff.add.isEmpty && diff.remove.isEmpty {
            return ApplyReport(adapter: kind, unchanged: wanted.count)
        }
        if configuration.reloadBeforeWrite {
            try await call(client, "perm_reloadPermissionsFromFile", [])
            current = try await readAllowlist(client)
            diff = Self.diff(wanted, current)
        }
        if !diff.add.isEmpty {
            try await call(client, "perm_addNodesToAllowlist", [.array(diff.add.map { .string($0.text) })])
        }
        if !diff.remove.isEmpty {
            try await call(client, "perm_removeNodesFromAllowlist", [.array(diff.remove.map { .string($0.text) })])
        }
        try await dial(diff.add.map(\.enode), local: local, client: client)
        return ApplyReport(adapter: kind, added: diff.add.map(\.enode), removed: diff.remove.compactMap(\.enode),
                           unchanged: wanted.count - diff.add.count)
    }

    // MARK: - File mode

    private func applyToFile(_ wanted: [(key: EnodeForms.EndpointKey, text: String, enode: Enode)], local: NodeID) async throws -> ApplyReport {
        guard let path = configuration.permissionsConfigPath else {
            throw NodeAdapterError.invalidConfiguration(adapter: kind, field: "permissionsConfigPath", reason: "missing")
        }
        let file = try BesuPermissionsFile.read(path)
        let diff = Self.diff(wanted, file.entries)
        let fileMatches = diff.add.isEmpty && diff.remove.isEmpty
        var memoryMatches = true
        if let client {
            let inMemory = try await readAllowlist(client)
            let memoryDiff = Self.diff(wanted, inMemory)
            memoryMatches = memoryDiff.add.isEmpty && memoryDiff.remove.isEmpty
        }
        if !fileMatches {
            try file.write(wanted.map(\.text))
        }
        if let client, !fileMatches || !memoryMatches {
            try await call(client, "perm_reloadPermissionsFromFile", [])
            try await dial(diff.add.map(\.enode), local: local, client: client)
        }
        return ApplyReport(adapter: kind, added: diff.add.map(\.enode), removed: diff.remove.compactMap(\.enode),
                           unchanged: wanted.count - diff.add.count)
    }

    // MARK: - Shared

    /// An allowlist entry as the node or file has it.
    package struct Entry: Sendable {
        /// The text as given by Besu (used for removal).
        package var text: String
        /// Parsed, or nil if Besu holds something Herald cannot parse.
        package var enode: Enode?
    }

    private static func diff(_ wanted: [(key: EnodeForms.EndpointKey, text: String, enode: Enode)], _ current: [Entry])
        -> (add: [(key: EnodeForms.EndpointKey, text: String, enode: Enode)], remove: [Entry]) {
        let currentKeys = Set(current.compactMap { $0.enode.map(EnodeForms.EndpointKey.init) })
        let wantedKeys = Set(wanted.map(\.key))
        let add = wanted.filter { !currentKeys.contains($0.key) }
        var seen = Set<String>()
        let remove = current.filter { entry in
            guard let enode = entry.enode else { return seen.insert(entry.text).inserted }
            return !wantedKeys.contains(EnodeForms.EndpointKey(enode)) && seen.insert(entry.text).inserted
        }
        return (add, remove)
    }

    private func readAllowlist(_ client: JSONRPCClient) async throws(NodeAdapterError) -> [Entry] {
        let result = try await call(client, "perm_getNodesAllowlist", [])
        guard let items = result.arrayValue else {
            throw .callFailed(adapter: kind, call: "perm_getNodesAllowlist", failure: .unexpectedResponse("result is not an array"))
        }
        return items.compactMap(\.stringValue).map { Entry(text: $0, enode: try? Enode(parsing: $0)) }
    }

    private func dial(_ added: [Enode], local: NodeID, client: JSONRPCClient) async throws(NodeAdapterError) {
        guard configuration.dialNewMembers else { return }
        for enode in added where enode.nodeID != local {
            try await AdminPeers.call(client, "admin_addPeer", enode.description, adapter: kind)
        }
    }

    @discardableResult
    private func call(_ client: JSONRPCClient, _ method: String, _ params: [JSONValue]) async throws(NodeAdapterError) -> JSONValue {
        do {
            return try await client.call(method, params)
        } catch {
            throw .callFailed(adapter: kind, call: method, failure: error)
        }
    }
}
