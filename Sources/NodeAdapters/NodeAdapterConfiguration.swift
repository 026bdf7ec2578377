import AsyncHTTPClient

/// One adapter entry of the agent configuration, selected by `type`:
/// `goquorum-files`, `besu`, `geth-admin` or `exec`, with that adapter's
/// fields beside it (see each configuration type).
public enum NodeAdapterConfiguration: Codable, Hashable, Sendable {
    /// GoQuorum `permissioned-nodes.json` / `static-nodes.json`.
    case goQuorumFiles(GoQuorumFilesConfiguration)
    /// Besu node allowlist over PERM RPC or `permissions_config.toml`.
    case besu(BesuConfiguration)
    /// geth (or GoQuorum) admin API.
    case gethAdmin(GethAdminConfiguration)
    /// Operator command.
    case exec(ExecConfiguration)

    private enum TypeKey: String, CodingKey { case type }

    /// Decodes `type` and the matching configuration.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: TypeKey.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case PermissionedNodesWriter.kind: self = .goQuorumFiles(try GoQuorumFilesConfiguration(from: decoder))
        case BesuAllowlistAdapter.kind: self = .besu(try BesuConfiguration(from: decoder))
        case GethAdminAdapter.kind: self = .gethAdmin(try GethAdminConfiguration(from: decoder))
        case ExecAdapter.kind: self = .exec(try ExecConfiguration(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription: "unknown adapter type '\(type)' (expected goquorum-files, besu, geth-admin or exec)")
        }
    }

    /// Encodes `type` and the configuration's fields.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TypeKey.self)
        try container.encode(kind, forKey: .type)
        switch self {
        case .goQuorumFiles(let configuration): try configuration.encode(to: encoder)
        case .besu(let configuration): try configuration.encode(to: encoder)
        case .gethAdmin(let configuration): try configuration.encode(to: encoder)
        case .exec(let configuration): try configuration.encode(to: encoder)
        }
    }

    /// The adapter's kind.
    public var kind: String {
        switch self {
        case .goQuorumFiles: return PermissionedNodesWriter.kind
        case .besu: return BesuAllowlistAdapter.kind
        case .gethAdmin: return GethAdminAdapter.kind
        case .exec: return ExecAdapter.kind
        }
    }

    /// Checks the configuration.
    /// - Throws: ``NodeAdapterError/invalidConfiguration(adapter:field:reason:)``.
    public func validate() throws(NodeAdapterError) {
        switch self {
        case .goQuorumFiles(let configuration): try configuration.validate()
        case .besu(let configuration): try configuration.validate()
        case .gethAdmin(let configuration): try configuration.validate()
        case .exec(let configuration): try configuration.validate()
        }
    }

    /// Builds the adapter.
    /// - Throws: ``NodeAdapterError/invalidConfiguration(adapter:field:reason:)``.
    public func makeAdapter(httpClient: HTTPClient = .shared) throws(NodeAdapterError) -> any NodeAdapter {
        switch self {
        case .goQuorumFiles(let configuration): return try PermissionedNodesWriter(configuration: configuration, httpClient: httpClient)
        case .besu(let configuration): return try BesuAllowlistAdapter(configuration: configuration, httpClient: httpClient)
        case .gethAdmin(let configuration): return try GethAdminAdapter(configuration: configuration, httpClient: httpClient)
        case .exec(let configuration): return try ExecAdapter(configuration: configuration)
        }
    }
}
