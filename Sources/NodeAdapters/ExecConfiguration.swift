/// Configuration of the `exec` adapter: an operator command that applies the
/// member list itself (like serf's event handlers).
///
/// ```yaml
/// type: exec
/// command: /usr/local/bin/apply-peers --node besu-1
/// timeoutSeconds: 30
/// stateFile: /var/lib/herald/exec-state.json   # remembers the last applied list across restarts
/// ```
/// The command runs under `/bin/sh -c`; it gets the member list as JSON on
/// stdin and the change in `HERALD_*` environment variables (see ``ExecAdapter``).
public struct ExecConfiguration: Codable, Hashable, Sendable {
    /// The command line, run with `/bin/sh -c`.
    public var command: String
    /// Seconds before the command is killed and the apply fails; default 30.
    public var timeoutSeconds: Double
    /// Extra environment variables for the command.
    public var environment: [String: String]?
    /// Where the last successfully applied list is kept (optional).
    public var stateFile: String?
    /// Refusal checks for member lists that would isolate the node.
    public var safety: PeerSetGuard?

    /// Creates a configuration.
    public init(command: String, timeoutSeconds: Double = 30, environment: [String: String]? = nil,
                stateFile: String? = nil, safety: PeerSetGuard? = nil) {
        self.command = command
        self.timeoutSeconds = timeoutSeconds
        self.environment = environment
        self.stateFile = stateFile
        self.safety = safety
    }

    private enum CodingKeys: String, CodingKey {
        case command, timeoutSeconds, environment, stateFile, safety
    }

    /// Decodes; missing keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        command = try container.decode(String.self, forKey: .command)
        timeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 30
        environment = try container.decodeIfPresent([String: String].self, forKey: .environment)
        stateFile = try container.decodeIfPresent(String.self, forKey: .stateFile)
        safety = try container.decodeIfPresent(PeerSetGuard.self, forKey: .safety)
    }

    /// Checks the command and timeout.
    /// - Throws: ``NodeAdapterError/invalidConfiguration(adapter:field:reason:)``.
    public func validate() throws(NodeAdapterError) {
        if command.allSatisfy(\.isWhitespace) {
            throw .invalidConfiguration(adapter: ExecAdapter.kind, field: "command", reason: "must not be empty")
        }
        guard timeoutSeconds > 0 else {
            throw .invalidConfiguration(adapter: ExecAdapter.kind, field: "timeoutSeconds", reason: "must be above 0")
        }
        for key in (environment ?? [:]).keys where key.hasPrefix("HERALD_") || key.isEmpty || key.contains("=") {
            throw .invalidConfiguration(adapter: ExecAdapter.kind, field: "environment",
                                        reason: "'\(key)' is not allowed (HERALD_* variables are set by Herald)")
        }
    }
}
