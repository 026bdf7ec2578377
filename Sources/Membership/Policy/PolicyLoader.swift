import Foundation
import HeraldCrypto
import Yams

/// Loads a ``Policy`` from YAML, checking every key and value and naming
/// the file, line and column of the first problem.
///
/// Uses Yams' node tree (not `Codable`) so that each node keeps its mark.
public enum PolicyLoader {
    /// Largest policy file read, in bytes.
    public static let maxFileSize = 1 << 20

    /// The roles a policy has when it does not list its own.
    public static let defaultRoles = ["validator", "observer", "bootnode"]

    /// Reads and checks the policy at `path`.
    ///
    /// - Throws: ``PolicyError`` with the file, line and column.
    public static func load(contentsOf path: String) throws(PolicyError) -> Policy {
        try loadWithSource(contentsOf: path).policy
    }

    /// Reads and checks the policy at `path`, returning it with the text it
    /// was read from (which a membership log records).
    ///
    /// - Throws: ``PolicyError`` with the file, line and column.
    public static func loadWithSource(contentsOf path: String) throws(PolicyError) -> (policy: Policy, source: String) {
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? Int, size > maxFileSize {
                throw PolicyError.unreadable(path: path, reason: "larger than \(maxFileSize) bytes")
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as PolicyError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path, reason: "not UTF-8 text")
        }
        return (try load(yaml: text, path: path), text)
    }

    /// Checks a policy given as text; `path` names it in errors.
    ///
    /// - Throws: ``PolicyError`` with the file, line and column.
    public static func load(yaml text: String, path: String = "policy.yaml") throws(PolicyError) -> Policy {
        guard text.utf8.count <= maxFileSize else {
            throw .unreadable(path: path, reason: "larger than \(maxFileSize) bytes")
        }
        let root: Node?
        do {
            // Plain scalars stay untagged: PolicyNode reads each one as the type its field asks
            // for, and the default resolver's regular expressions (ICU) would stay resident
            // in `herald run` for nothing.
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw syntaxError(error, path: path, text: text)
        } catch {
            throw .syntax(path: path, line: 1, column: 1, message: "\(error)")
        }
        guard let root else {
            throw .invalidValue(path: path, line: 1, column: 1, field: "policy", message: "the file is empty")
        }
        return try PolicyBuilder(file: path).policy(PolicyNode(node: root, field: "", file: path))
    }

    /// The file, line, column and wording of a YAML syntax error in `text`
    /// (also for the agent's own config file, which is YAML too).
    package static func syntaxError(_ error: YamlError, path: String, text: String) -> PolicyError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let message = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            return .syntax(path: path, line: mark.line, column: mark.column, message: message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.sorted().first ?? "?"
            let (line, column) = secondOccurrence(of: key, mappingAt: context.mark, in: text)
            return .duplicate(path: path, line: line, column: column, field: key, value: "key")
        case .reader(let problem, _, _, _):
            return .syntax(path: path, line: 1, column: 1, message: problem)
        default:
            return .syntax(path: path, line: 1, column: 1, message: "\(error)")
        }
    }

    /// Where `key` appears for the second time among the keys of the block
    /// mapping that starts at `mark` (Yams reports only the mapping); the
    /// mapping's own position when it cannot be found (flow mappings).
    private static func secondOccurrence(of key: String, mappingAt mark: Mark, in text: String) -> (Int, Int) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var seen = 0
        for lineNumber in mark.line...max(mark.line, lines.count) where lineNumber <= lines.count {
            let line = Array(lines[lineNumber - 1])
            let indent = mark.column - 1
            let leading = line.prefix(while: { $0 == " " || $0 == "-" }).count
            if lineNumber > mark.line, leading < indent, line.contains(where: { $0 != " " }) { break }
            guard line.count > indent, leading <= indent || lineNumber == mark.line else { continue }
            let rest = String(line[indent...])
            if rest.hasPrefix(key + ":") || rest.hasPrefix("\"\(key)\":") || rest.hasPrefix("'\(key)':") {
                seen += 1
                if seen == 2 { return (lineNumber, mark.column) }
            }
        }
        return (mark.line, mark.column)
    }
}
