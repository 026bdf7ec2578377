import HeraldCrypto

/// A JSON array of enode URL strings: GoQuorum's `permissioned-nodes.json`
/// and `static-nodes.json` (spec §2.1, §2.2).
///
/// Herald writes one entry per line, indented by two spaces, and a final
/// newline; an empty list is `[]` and a newline:
///
/// ```json
/// [
///   "enode://…@10.0.0.1:30303?discport=0&raftport=50401",
///   "enode://…@10.0.0.2:30303"
/// ]
/// ```
package enum EnodeListFile {
    /// One entry read from a file.
    package struct Entry: Hashable, Sendable {
        /// The string as written in the file.
        package var text: String
        /// The parsed enode.
        package var enode: Enode
        /// The `raftport` query value, if any.
        package var raftPort: UInt16?
    }

    /// Renders `entries` in Herald's layout.
    package static func render(_ entries: [String]) -> [UInt8] {
        if entries.isEmpty { return Array("[]\n".utf8) }
        let lines = entries.map { "  \"" + escape($0) + "\"" }
        return Array(("[\n" + lines.joined(separator: ",\n") + "\n]\n").utf8)
    }

    /// Parses a file's bytes; whitespace only counts as an empty list.
    /// - Throws: ``NodeAdapterError/malformedFile(path:line:column:reason:)`` at the first problem.
    package static func parse(_ bytes: [UInt8], path: String) throws(NodeAdapterError) -> [Entry] {
        var scanner = JSONStringArrayScanner(bytes: bytes, path: path)
        let strings = try scanner.scan()
        var entries: [Entry] = []
        for (index, item) in strings.enumerated() {
            do {
                let enode = try Enode(parsing: item.text)
                guard enode.host != nil else {
                    throw EnodeError.invalidHost("")
                }
                entries.append(Entry(text: item.text, enode: enode, raftPort: try raftPort(in: item.text)))
            } catch {
                throw .malformedFile(path: path, line: item.line, column: item.column,
                                     reason: "entry \(index + 1) is not a valid enode URL (\(error))")
            }
        }
        return entries
    }

    /// The `raftport` query value of a GoQuorum enode URL.
    package static func raftPort(in url: String) throws(EnodeError) -> UInt16? {
        guard let mark = url.firstIndex(of: "?") else { return nil }
        for pair in url[url.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0] == "raftport" else { continue }
            guard let port = UInt16(parts[1]) else { throw .invalidPort }
            return port
        }
        return nil
    }

    private static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

/// A strict reader for a JSON array of strings that reports line and column.
struct JSONStringArrayScanner {
    struct Item {
        var text: String
        var line: Int
        var column: Int
    }

    private let bytes: [UInt8]
    private let path: String
    private var index = 0
    private var line = 1
    private var lineStart = 0

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    private var column: Int { index - lineStart + 1 }

    private func error(_ reason: String) -> NodeAdapterError {
        .malformedFile(path: path, line: line, column: column, reason: reason)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
                lineStart = index
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            default:
                return
            }
        }
    }

    private func describeCurrent() -> String {
        guard index < bytes.count else { return "end of file" }
        let byte = bytes[index]
        if byte >= 0x20 && byte < 0x7f { return "'\(Character(UnicodeScalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    mutating func scan() throws(NodeAdapterError) -> [Item] {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        index = start
        lineStart = start
        skipWhitespace()
        if index == bytes.count { return [] }
        guard bytes[index] == UInt8(ascii: "[") else {
            throw error("expected '[' (a JSON array of enode URL strings), found \(describeCurrent())")
        }
        index += 1
        var items: [Item] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw error("expected a string, found \(describeCurrent())")
                }
                let item = Item(text: "", line: line, column: column)
                let text = try scanString()
                items.append(Item(text: text, line: item.line, column: item.column))
                skipWhitespace()
                guard index < bytes.count else { throw error("expected ',' or ']', found end of file") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    break
                }
                throw error("expected ',' or ']', found \(describeCurrent())")
            }
        }
        skipWhitespace()
        guard index == bytes.count else { throw error("unexpected \(describeCurrent()) after the array") }
        return items
    }

    private mutating func scanString() throws(NodeAdapterError) -> String {
        index += 1   // opening quote
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { throw error("unterminated escape") }
                let escaped = bytes[index + 1]
                index += 2
                switch escaped {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count,
                          let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
                          let scalar = UnicodeScalar(value) else {
                        throw error("invalid \\u escape")
                    }
                    index += 4
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    index -= 1
                    throw error("invalid escape '\\\(Character(UnicodeScalar(escaped)))'")
                }
            case UInt8(ascii: "\n"):
                throw error("unterminated string")
            default:
                out.append(byte)
                index += 1
            }
        }
        throw error("unterminated string at end of file")
    }
}
