import HeraldCrypto

/// geth's `--config` TOML, `[Node.P2P] StaticNodes` and `TrustedNodes`
/// (spec §3.1), edited through ``TOMLKeyEditor`` so everything else stays.
package struct GethConfigFile: Sendable {
    /// The table holding the lists.
    package static let table = ["Node", "P2P"]

    /// The file's path.
    package var path: String
    /// The text as read.
    package var text: String
    /// `StaticNodes`, empty when absent.
    package var staticNodes: [String]
    /// `TrustedNodes`, empty when absent.
    package var trustedNodes: [String]

    /// Reads and checks the file; a missing file reads as empty.
    /// - Throws: ``NodeAdapterError/malformedFile(path:line:column:reason:)``.
    package static func read(_ path: String) throws(NodeAdapterError) -> GethConfigFile {
        guard let bytes = try AtomicFileWriter.read(path) else {
            return GethConfigFile(path: path, text: "", staticNodes: [], trustedNodes: [])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformedFile(path: path, line: 1, column: 1, reason: "not UTF-8 text")
        }
        let document = try TOMLKeyEditor.parse(text, path: path)
        let staticNodes = try TOMLKeyEditor.strings(in: document, table: table, key: "StaticNodes", path: path, text: text) ?? []
        let trustedNodes = try TOMLKeyEditor.strings(in: document, table: table, key: "TrustedNodes", path: path, text: text) ?? []
        return GethConfigFile(path: path, text: text, staticNodes: staticNodes, trustedNodes: trustedNodes)
    }

    /// Sets the lists (`trustedNodes` nil leaves `TrustedNodes` alone) and
    /// writes atomically if anything changed.
    /// - Returns: whether the file was written.
    @discardableResult
    package func write(staticNodes newStatic: [String], trustedNodes newTrusted: [String]?) throws(NodeAdapterError) -> Bool {
        var text = self.text
        var changed = false
        if newStatic != staticNodes {
            text = try TOMLKeyEditor.set(newStatic, table: Self.table, key: "StaticNodes", in: text, path: path).text
            changed = true
        }
        if let newTrusted, newTrusted != trustedNodes {
            text = try TOMLKeyEditor.set(newTrusted, table: Self.table, key: "TrustedNodes", in: text, path: path).text
            changed = true
        }
        if changed { try AtomicFileWriter.write(Array(text.utf8), to: path) }
        return changed
    }
}
