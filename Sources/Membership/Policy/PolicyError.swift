/// Why a policy file was refused. Every case names the file and, where the
/// YAML has one, the line and column (1-based) of the offending node; the
/// description reads `file:line:column: what is wrong`.
public enum PolicyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The YAML itself does not parse.
    case syntax(path: String, line: Int, column: Int, message: String)
    /// A key the schema does not have (keys are never ignored).
    case unknownKey(path: String, line: Int, column: Int, key: String)
    /// A required key is absent from the mapping at `field`.
    case missingKey(path: String, line: Int, column: Int, field: String, key: String)
    /// The node at `field` has the wrong YAML shape or scalar type.
    case wrongType(path: String, line: Int, column: Int, field: String, expected: String)
    /// The value at `field` is well-typed but not allowed.
    case invalidValue(path: String, line: Int, column: Int, field: String, message: String)
    /// A role not among the policy's roles.
    case unknownRole(path: String, line: Int, column: Int, field: String, role: String, known: [String])
    /// A value that must be unique appears twice.
    case duplicate(path: String, line: Int, column: Int, field: String, value: String)

    /// The file the error is in.
    public var path: String {
        switch self {
        case .unreadable(let path, _), .syntax(let path, _, _, _), .unknownKey(let path, _, _, _),
             .missingKey(let path, _, _, _, _), .wrongType(let path, _, _, _, _),
             .invalidValue(let path, _, _, _, _), .unknownRole(let path, _, _, _, _, _),
             .duplicate(let path, _, _, _, _):
            return path
        }
    }

    /// `file:line:column: what is wrong`, e.g.
    /// `policy.yaml:14:3: unknown key 'aprovals' (did you mean 'approvals'?)`.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot read policy: \(reason)"
        case .syntax(let path, let line, let column, let message):
            return "\(path):\(line):\(column): YAML syntax error: \(message)"
        case .unknownKey(let path, let line, let column, let key):
            var text = "\(path):\(line):\(column): unknown key '\(key)'"
            if let suggestion = PolicySchema.suggestion(for: key) { text += " (did you mean '\(suggestion)'?)" }
            return text
        case .missingKey(let path, let line, let column, let field, let key):
            return "\(path):\(line):\(column): \(field): missing required key '\(key)'"
        case .wrongType(let path, let line, let column, let field, let expected):
            return "\(path):\(line):\(column): \(field): expected \(expected)"
        case .invalidValue(let path, let line, let column, let field, let message):
            return "\(path):\(line):\(column): \(field): \(message)"
        case .unknownRole(let path, let line, let column, let field, let role, let known):
            return "\(path):\(line):\(column): \(field): unknown role '\(role)' (known: \(known.joined(separator: ", ")))"
        case .duplicate(let path, let line, let column, let field, let value):
            return "\(path):\(line):\(column): \(field): duplicate \(value)"
        }
    }
}
