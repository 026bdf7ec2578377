import HeraldCrypto

/// Besu's `permissions_config.toml` (spec §4.1): `nodes-allowlist` read and
/// rewritten through ``TOMLKeyEditor``, every other key (`accounts-allowlist`,
/// anything else) and the comments kept.
package struct BesuPermissionsFile: Sendable {
    /// The file's path.
    package var path: String
    /// The text as read ("" when the file does not exist yet).
    package var text: String
    /// The `nodes-allowlist` entries.
    package var entries: [BesuAllowlistAdapter.Entry]

    /// Reads and checks the file; a missing file reads as empty.
    /// - Throws: ``NodeAdapterError/malformedFile(path:line:column:reason:)`` naming the position.
    package static func read(_ path: String) throws(NodeAdapterError) -> BesuPermissionsFile {
        guard let bytes = try AtomicFileWriter.read(path) else {
            return BesuPermissionsFile(path: path, text: "", entries: [])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformedFile(path: path, line: 1, column: 1, reason: "not UTF-8 text")
        }
        let document = try TOMLKeyEditor.parse(text, path: path)
        let strings = try TOMLKeyEditor.strings(in: document, table: [], key: BesuAllowlistAdapter.allowlistKey,
                                                path: path, text: text) ?? []
        var entries: [BesuAllowlistAdapter.Entry] = []
        for (index, string) in strings.enumerated() {
            do {
                entries.append(.init(text: string, enode: try Enode(parsing: string)))
            } catch {
                let line = Self.line(of: string, in: text)
                throw .malformedFile(path: path, line: line.line, column: line.column,
                                     reason: "\(BesuAllowlistAdapter.allowlistKey) entry \(index + 1) is not a valid enode URL (\(error))")
            }
        }
        return BesuPermissionsFile(path: path, text: text, entries: entries)
    }

    /// Replaces `nodes-allowlist` with `values` and writes the file atomically.
    package func write(_ values: [String]) throws(NodeAdapterError) {
        let edited = try TOMLKeyEditor.set(values, table: [], key: BesuAllowlistAdapter.allowlistKey, in: text, path: path)
        try AtomicFileWriter.write(Array(edited.text.utf8), to: path)
    }

    private static func line(of needle: String, in text: String) -> (line: Int, column: Int) {
        var line = 1
        for content in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let range = content.range(of: needle) {
                return (line, content.distance(from: content.startIndex, to: range.lowerBound) + 1)
            }
            line += 1
        }
        return (1, 1)
    }
}
