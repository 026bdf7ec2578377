import Foundation
import Membership

/// Why the agent could not start or could not do what it was asked.
public enum AgentError: Error, Sendable, CustomStringConvertible {
    /// The agent configuration file is missing, unreadable or invalid.
    case configuration(path: String, message: String)
    /// The agent configuration file is not valid YAML: `FILE:LINE:COLUMN: what is wrong`.
    case configurationSyntax(PolicyError)
    /// The consortium key reference cannot be resolved.
    case consortiumKey(reference: String, message: String)
    /// The agent's own database failed.
    case store(path: String, message: String)
    /// A request to the agent is malformed or not allowed.
    case invalidRequest(String)
    /// The announcement or ID is unknown to this agent.
    case unknownAnnouncement(String)
    /// The policy file at `path` was not put in force (malformed, or a change
    /// a reload may not make); the previous policy stays in force.
    case policyReload(path: String, reason: String)
    /// A secret file (node key, consortium key) is readable or writable by group or others.
    case secretFileExposed(path: String, what: String, mode: mode_t)

    public var description: String {
        switch self {
        case .configuration(let path, let message): return "\(path): \(message)"
        case .configurationSyntax(let error): return error.description
        case .consortiumKey(let reference, let message): return "consortium key \(reference): \(message)"
        case .store(let path, let message): return "agent store \(path): \(message)"
        case .invalidRequest(let message): return message
        case .unknownAnnouncement(let id): return "no announcement \(id) in this agent's log"
        case .policyReload(let path, let reason):
            return "policy \(path) not reloaded: \(reason); the previous policy stays in force"
        case .secretFileExposed(let path, let what, let mode):
            return "\(what) \(path) is accessible by group or others (mode \(String(format: "%04o", mode))); "
                + "it must be private to its owner: chmod 600 \(path)"
        }
    }
}
