import Foundation
import HeraldCrypto

/// The `exec` adapter: runs the operator's command with the member list, as
/// serf runs event handlers (`cmd/serf/command/agent/invoke.go`).
///
/// stdin gets one JSON document:
/// `{"localNodeID":"<64 hex>","members":[{"nodeID":"<64 hex>","enode":"enode://…","name":"…","roles":["…"]}]}`
/// (members sorted by node ID). Environment variables:
/// - `HERALD_EVENT=apply`, `HERALD_ADAPTER=exec`;
/// - `HERALD_LOCAL_NODE_ID`: the local node's ID (64 hex);
/// - `HERALD_MEMBER_COUNT`: the number of members;
/// - `HERALD_ADDED`, `HERALD_REMOVED`: space-separated enode URLs that joined
///   or left since the last successful run (everything is "added" on the first run).
///
/// Exit status 0 is success; anything else, a signal or the timeout is a
/// failed apply, retried later. When the list equals the last one applied,
/// the command is not run.
public actor ExecAdapter: NodeAdapter {
    /// `exec`.
    public static let kind = "exec"
    /// `exec`.
    public nonisolated var kind: String { Self.kind }

    private let configuration: ExecConfiguration
    private var lastApplied: [String]?

    /// Creates the adapter.
    /// - Throws: ``NodeAdapterError/invalidConfiguration(adapter:field:reason:)``.
    public init(configuration: ExecConfiguration) throws(NodeAdapterError) {
        try configuration.validate()
        self.configuration = configuration
    }

    private struct Payload: Encodable {
        struct Member: Encodable {
            var nodeID: String
            var enode: String
            var name: String?
            var roles: [String]
        }
        var localNodeID: String
        var members: [Member]
    }

    private struct State: Codable {
        var enodes: [String]
    }

    public func apply(_ desired: DesiredPeerSet) async throws -> ApplyReport {
        try (configuration.safety ?? PeerSetGuard()).check(desired, adapter: kind)
        let wanted = desired.members.map(\.enode.description)
        let previous = try loadState()
        if let previous, Set(previous) == Set(wanted) {
            return ApplyReport(adapter: kind, unchanged: wanted.count)
        }
        let before = Set(previous ?? [])
        let after = Set(wanted)
        let added = desired.members.map(\.enode).filter { !before.contains($0.description) }
        let removed = (previous ?? []).filter { !after.contains($0) }

        let payload = Payload(
            localNodeID: desired.localNodeID.hex,
            members: desired.members.map { .init(nodeID: $0.nodeID.hex, enode: $0.enode.description, name: $0.name, roles: $0.roles) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let input = try encoder.encode(payload)

        var environment = ProcessInfo.processInfo.environment
        for (key, value) in configuration.environment ?? [:] { environment[key] = value }
        environment["HERALD_EVENT"] = "apply"
        environment["HERALD_ADAPTER"] = kind
        environment["HERALD_LOCAL_NODE_ID"] = desired.localNodeID.hex
        environment["HERALD_MEMBER_COUNT"] = String(desired.members.count)
        environment["HERALD_ADDED"] = added.map(\.description).joined(separator: " ")
        environment["HERALD_REMOVED"] = removed.joined(separator: " ")

        try await CommandRunner.run(configuration.command, input: input, environment: environment,
                                    timeoutSeconds: configuration.timeoutSeconds)
        try saveState(wanted)
        return ApplyReport(adapter: kind, added: added, removed: removed.compactMap { try? Enode(parsing: $0) },
                           unchanged: wanted.count - added.count)
    }

    private func loadState() throws(NodeAdapterError) -> [String]? {
        if let lastApplied { return lastApplied }
        guard let path = configuration.stateFile, let bytes = try AtomicFileWriter.read(path) else { return nil }
        do {
            let state = try JSONDecoder().decode(State.self, from: Data(bytes))
            lastApplied = state.enodes
            return state.enodes
        } catch {
            throw .malformedFile(path: path, line: 1, column: 1, reason: "not an exec state file (\(error))")
        }
    }

    private func saveState(_ enodes: [String]) throws(NodeAdapterError) {
        lastApplied = enodes
        guard let path = configuration.stateFile else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(State(enodes: enodes)) else { return }
        try AtomicFileWriter.write(Array(data) + [UInt8(ascii: "\n")], to: path)
    }
}
