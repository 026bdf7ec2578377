import Yams

/// A YAML node with its place in the policy: the file, the field path
/// (`identities[2].roles`) and the node's line and column, so that every
/// check can say exactly where it failed.
struct PolicyNode {
    let node: Node
    let field: String
    let file: String

    var line: Int { node.mark?.line ?? 1 }
    var column: Int { node.mark?.column ?? 1 }

    func invalid(_ message: String) -> PolicyError {
        .invalidValue(path: file, line: line, column: column, field: field, message: message)
    }

    func wrongType(_ expected: String) -> PolicyError {
        .wrongType(path: file, line: line, column: column, field: field, expected: expected)
    }

    func child(_ node: Node, field: String) -> PolicyNode {
        PolicyNode(node: node, field: field, file: file)
    }

    /// The mapping's entries, refusing keys outside `allowed` and non-string keys.
    func mapping(allowed: [String]) throws(PolicyError) -> PolicyMapping {
        guard case .mapping(let mapping) = node else { throw wrongType("a mapping") }
        var entries: [String: (key: PolicyNode, value: PolicyNode)] = [:]
        for (keyNode, valueNode) in mapping {
            let keyField = field.isEmpty ? "" : field
            let key = PolicyNode(node: keyNode, field: keyField, file: file)
            guard case .scalar(let scalar) = keyNode else { throw key.wrongType("a plain key") }
            let name = scalar.string
            guard allowed.contains(name) else {
                throw .unknownKey(path: file, line: key.line, column: key.column, key: name)
            }
            guard entries[name] == nil else {
                throw .duplicate(path: file, line: key.line, column: key.column, field: field.isEmpty ? name : "\(field).\(name)", value: "key")
            }
            let childField = field.isEmpty ? name : "\(field).\(name)"
            entries[name] = (key, child(valueNode, field: childField))
        }
        return PolicyMapping(owner: self, entries: entries)
    }

    /// The items of a sequence, each with its `[index]` path.
    func sequence() throws(PolicyError) -> [PolicyNode] {
        guard case .sequence(let sequence) = node else { throw wrongType("a list") }
        return sequence.enumerated().map { index, item in child(item, field: "\(field)[\(index)]") }
    }

    /// A scalar's text; null and non-scalars are refused.
    func string() throws(PolicyError) -> String {
        guard case .scalar(let scalar) = node else { throw wrongType("a string") }
        if scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
            throw wrongType("a string, not null")
        }
        return scalar.string
    }

    /// A non-empty string of at most `maxLength` characters.
    func nonEmptyString(maxLength: Int = 256) throws(PolicyError) -> String {
        let text = try string()
        guard !text.isEmpty else { throw invalid("must not be empty") }
        guard text.count <= maxLength else { throw invalid("longer than \(maxLength) characters") }
        return text
    }

    /// An unquoted decimal integer within `range`.
    func int(in range: ClosedRange<Int>) throws(PolicyError) -> Int {
        guard case .scalar(let scalar) = node, scalar.style == .plain,
              let value = Int(scalar.string), !scalar.string.hasPrefix("+") else {
            throw wrongType("an integer")
        }
        guard range.contains(value) else {
            throw invalid("\(value) is out of range (\(range.lowerBound)…\(range.upperBound))")
        }
        return value
    }

    /// `true` or `false`, unquoted.
    func bool() throws(PolicyError) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { throw wrongType("true or false") }
        switch scalar.string {
        case "true": return true
        case "false": return false
        default: throw wrongType("true or false")
        }
    }

    /// A duration: whole seconds, or numbers with units `s`, `m`, `h`, `d` (e.g. `90s`, `1h30m`).
    func duration(in range: ClosedRange<UInt64> = 0...(10 * 365 * 86_400)) throws(PolicyError) -> UInt64 {
        let text = try string()
        guard let seconds = PolicyValues.duration(text) else {
            throw wrongType("a duration such as 30s, 5m, 1h30m or 2d")
        }
        guard range.contains(seconds) else {
            throw invalid("\(text) is out of range (\(range.lowerBound)s…\(range.upperBound)s)")
        }
        return seconds
    }

    /// A size: bytes, or a number with `KiB` or `MiB`.
    func size(in range: ClosedRange<Int>) throws(PolicyError) -> Int {
        let text = try string()
        guard let bytes = PolicyValues.size(text) else { throw wrongType("a size such as 65536, 64KiB or 1MiB") }
        guard range.contains(bytes) else {
            throw invalid("\(text) is out of range (\(range.lowerBound)…\(range.upperBound) bytes)")
        }
        return bytes
    }
}

/// The entries of a checked mapping.
struct PolicyMapping {
    let owner: PolicyNode
    let entries: [String: (key: PolicyNode, value: PolicyNode)]

    /// The value of `key`, which must be present.
    func required(_ key: String) throws(PolicyError) -> PolicyNode {
        guard let entry = entries[key] else {
            throw .missingKey(path: owner.file, line: owner.line, column: owner.column,
                              field: owner.field.isEmpty ? "policy" : owner.field, key: key)
        }
        return entry.value
    }

    /// The value of `key`, if present.
    func optional(_ key: String) -> PolicyNode? {
        entries[key]?.value
    }
}
