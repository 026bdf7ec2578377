import TOMLKit

/// Sets one array-of-strings key in a TOML document while keeping the rest of
/// the text — other keys, their order, comments, blank lines — byte for byte.
///
/// TOMLKit (toml++) parses and validates the document, but its serializer
/// drops comments and orders keys alphabetically, so the edit itself is a
/// splice of the value's text: `key = [...]` is replaced in place (the text
/// before `=` is kept as written), or added after the table's last key. The
/// result is parsed again with TOMLKit and must equal the original with only
/// that key changed; if it does not (an unusual layout such as a dotted key
/// or an inline table), the document is re-serialized by TOMLKit instead,
/// which keeps every key and value but loses comments and key order.
///
/// Values are written on one line: `key = ["enode://…", "enode://…"]`, the
/// form in the spec's examples (§3.1, §4.1).
package enum TOMLKeyEditor {
    /// The outcome of an edit.
    package struct Result: Sendable {
        /// The new document.
        package var text: String
        /// True when the splice could not be used and TOMLKit re-serialized the document.
        package var reserialized: Bool
    }

    /// Parses `text` with TOMLKit.
    /// - Throws: ``NodeAdapterError/malformedFile(path:line:column:reason:)`` with TOMLKit's position.
    package static func parse(_ text: String, path: String) throws(NodeAdapterError) -> TOMLTable {
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .malformedFile(path: path, line: error.source.begin.line, column: error.source.begin.column,
                                 reason: "invalid TOML: \(error.description)")
        } catch {
            throw .malformedFile(path: path, line: 1, column: 1, reason: "invalid TOML: \(error)")
        }
    }

    /// Reads `table.key` as an array of strings.
    /// - Returns: nil when the key (or its table) is absent.
    /// - Throws: ``NodeAdapterError/malformedFile(path:line:column:reason:)`` when it has another type.
    package static func strings(in document: TOMLTable, table: [String], key: String, path: String, text: String) throws(NodeAdapterError) -> [String]? {
        var current: TOMLTable = document
        for name in table {
            guard let value = current[name] else { return nil }
            guard let next = value.table else {
                let position = locate(text, table: [], key: name)
                throw .malformedFile(path: path, line: position.line, column: position.column, reason: "'\(name)' is not a table")
            }
            current = next
        }
        guard let value = current[key] else { return nil }
        let position = locate(text, table: table, key: key)
        guard let array = value.array else {
            throw .malformedFile(path: path, line: position.line, column: position.column,
                                 reason: "'\(key)' must be an array of enode URL strings")
        }
        var result: [String] = []
        for element in array {
            guard let string = element.string else {
                throw .malformedFile(path: path, line: position.line, column: position.column,
                                     reason: "'\(key)' must contain only strings")
            }
            result.append(string)
        }
        return result
    }

    /// Sets `table.key = values` in `text`.
    /// - Throws: ``NodeAdapterError/malformedFile(path:line:column:reason:)`` when `text` is not valid TOML.
    package static func set(_ values: [String], table: [String], key: String, in text: String, path: String) throws(NodeAdapterError) -> Result {
        let original = try parse(text, path: path)
        let rendered = "[" + values.map(quote).joined(separator: ", ") + "]"
        let spliced = splice(text, table: table, key: key, value: rendered)

        // The expected document: the original with the key set.
        let expected = try parse(text, path: path)
        assign(values, table: table, key: key, in: expected)
        if let spliced, let reparsed = try? TOMLTable(string: spliced),
           reparsed.convert(to: .json) == expected.convert(to: .json) {
            return Result(text: spliced, reserialized: false)
        }
        assign(values, table: table, key: key, in: original)
        var output = original.convert(to: .toml)
        if !output.hasSuffix("\n") { output += "\n" }
        return Result(text: output, reserialized: true)
    }

    /// `"…"` with TOML basic-string escapes.
    package static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func assign(_ values: [String], table: [String], key: String, in document: TOMLTable) {
        var current = document
        for name in table {
            if current[name]?.table == nil { current[name] = TOMLTable() }
            guard let next = current[name]?.table else { return }
            current = next
        }
        current[key] = TOMLArray(values)
    }

    // MARK: - Text scanning

    /// A key/value statement found in the text.
    private struct Statement {
        var table: [String]
        var key: [String]
        var keyStart: Int
        var valueStart: Int
        var valueEnd: Int
        var lineEnd: Int   // index just past the statement's line (after '\n', or the end)
    }

    private struct Scan {
        var statements: [Statement] = []
        var headers: [(table: [String], lineEnd: Int)] = []
    }

    /// Line and column (1-based) of the statement for `table.key`, or 1:1.
    private static func locate(_ text: String, table: [String], key: String) -> (line: Int, column: Int) {
        let bytes = Array(text.utf8)
        guard let scan = scan(bytes),
              let statement = scan.statements.first(where: { $0.table == table && $0.key == [key] }) else {
            return (1, 1)
        }
        var line = 1
        var lineStart = 0
        for index in 0..<statement.keyStart where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        return (line, statement.keyStart - lineStart + 1)
    }

    private static func splice(_ text: String, table: [String], key: String, value: String) -> String? {
        let bytes = Array(text.utf8)
        guard let scan = scan(bytes) else { return nil }
        if let statement = scan.statements.first(where: { $0.table == table && $0.key == [key] }) {
            var out = Array(bytes[..<statement.valueStart])
            out += Array(value.utf8)
            out += Array(bytes[statement.valueEnd...])
            return String(decoding: out, as: UTF8.self)
        }
        let line = Array("\(bareOrQuoted(key)) = \(value)\n".utf8)
        // After the table's last statement, else right after its header.
        let insertAt: Int?
        if let last = scan.statements.last(where: { $0.table == table }) {
            insertAt = last.lineEnd
        } else if table.isEmpty {
            insertAt = scan.headers.isEmpty ? bytes.count : nil
        } else if let header = scan.headers.first(where: { $0.table == table }) {
            insertAt = header.lineEnd
        } else {
            var out = bytes
            if let last = out.last, last != UInt8(ascii: "\n") { out.append(UInt8(ascii: "\n")) }
            if !out.isEmpty { out.append(UInt8(ascii: "\n")) }
            out += Array("[\(table.map(bareOrQuoted).joined(separator: "."))]\n".utf8) + line
            return String(decoding: out, as: UTF8.self)
        }
        if let insertAt {
            var out = Array(bytes[..<insertAt])
            if let last = out.last, last != UInt8(ascii: "\n") { out.append(UInt8(ascii: "\n")) }
            out += line
            out += Array(bytes[insertAt...])
            return String(decoding: out, as: UTF8.self)
        }
        // Root key in a document that starts with tables: put it first, after leading comments.
        var start = 0
        while start < bytes.count {
            var probe = start
            while probe < bytes.count, bytes[probe] == UInt8(ascii: " ") || bytes[probe] == UInt8(ascii: "\t") { probe += 1 }
            guard probe < bytes.count, bytes[probe] == UInt8(ascii: "#") || bytes[probe] == UInt8(ascii: "\n") || bytes[probe] == UInt8(ascii: "\r") else { break }
            while probe < bytes.count, bytes[probe] != UInt8(ascii: "\n") { probe += 1 }
            start = min(probe + 1, bytes.count)
        }
        var out = Array(bytes[..<start])
        out += line + Array("\n".utf8)
        out += Array(bytes[start...])
        return String(decoding: out, as: UTF8.self)
    }

    private static func bareOrQuoted(_ key: String) -> String {
        let bare = !key.isEmpty && key.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "-" || $0 == "_"
        }
        return bare ? key : quote(key)
    }

    /// Finds top-level statements and table headers; nil if the text uses a
    /// construct this scanner does not follow (the caller then re-serializes).
    private static func scan(_ bytes: [UInt8]) -> Scan? {
        var result = Scan()
        var index = 0
        var table: [String] = []
        let count = bytes.count
        func skipSpaces() {
            while index < count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
        }
        func skipToLineEnd() -> Int {
            while index < count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            if index < count { index += 1 }
            return index
        }
        while index < count {
            skipSpaces()
            guard index < count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "#") {
                _ = skipToLineEnd()
                continue
            }
            if byte == UInt8(ascii: "[") {
                let isArrayTable = index + 1 < count && bytes[index + 1] == UInt8(ascii: "[")
                index += isArrayTable ? 2 : 1
                guard let name = scanKey(bytes, &index, terminator: UInt8(ascii: "]")) else { return nil }
                index += isArrayTable ? 2 : 1
                // Keys under an array of tables never match a plain table path.
                table = isArrayTable ? ["[[" ] + name : name
                result.headers.append((table, skipToLineEnd()))
                continue
            }
            let keyStart = index
            guard let key = scanKey(bytes, &index, terminator: UInt8(ascii: "=")) else { return nil }
            index += 1   // '='
            skipSpaces()
            let valueStart = index
            guard let valueEnd = scanValue(bytes, &index) else { return nil }
            let lineEnd = skipToLineEnd()
            result.statements.append(Statement(table: table, key: key, keyStart: keyStart, valueStart: valueStart,
                                               valueEnd: valueEnd, lineEnd: lineEnd))
        }
        return result
    }

    /// Reads a (possibly dotted, possibly quoted) key up to `terminator`, leaving `index` on it.
    private static func scanKey(_ bytes: [UInt8], _ index: inout Int, terminator: UInt8) -> [String]? {
        var parts: [String] = []
        while index < bytes.count {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                let start = index + 1
                index += 1
                while index < bytes.count, bytes[index] != byte {
                    if byte == UInt8(ascii: "\"") && bytes[index] == UInt8(ascii: "\\") { return nil }  // escapes in keys: not followed
                    if bytes[index] == UInt8(ascii: "\n") { return nil }
                    index += 1
                }
                guard index < bytes.count else { return nil }
                parts.append(String(decoding: bytes[start..<index], as: UTF8.self))
                index += 1
            } else {
                let start = index
                while index < bytes.count, bytes[index] != terminator, bytes[index] != UInt8(ascii: "."),
                      bytes[index] != UInt8(ascii: " "), bytes[index] != UInt8(ascii: "\t"), bytes[index] != UInt8(ascii: "\n") {
                    index += 1
                }
                guard index > start else { return nil }
                parts.append(String(decoding: bytes[start..<index], as: UTF8.self))
            }
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ".") {
                index += 1
                continue
            }
            return bytes[index] == terminator ? parts : nil
        }
        return nil
    }

    /// Skips one value; returns the index just past it (before trailing spaces or a comment).
    private static func scanValue(_ bytes: [UInt8], _ index: inout Int) -> Int? {
        var depth = 0
        var lastSignificant = index
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let triple = index + 2 < bytes.count && bytes[index + 1] == byte && bytes[index + 2] == byte
                if triple {
                    index += 3
                    while true {
                        guard index + 2 < bytes.count else { return nil }
                        if byte == UInt8(ascii: "\"") && bytes[index] == UInt8(ascii: "\\") { index += 2; continue }
                        if bytes[index] == byte && bytes[index + 1] == byte && bytes[index + 2] == byte {
                            index += 3
                            while index < bytes.count, bytes[index] == byte { index += 1 }   // up to two extra quotes belong to the string
                            break
                        }
                        index += 1
                    }
                } else {
                    index += 1
                    while true {
                        guard index < bytes.count, bytes[index] != UInt8(ascii: "\n") else { return nil }
                        if byte == UInt8(ascii: "\"") && bytes[index] == UInt8(ascii: "\\") { index += 2; continue }
                        if bytes[index] == byte { index += 1; break }
                        index += 1
                    }
                }
                lastSignificant = index
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                index += 1
                lastSignificant = index
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
                index += 1
                lastSignificant = index
                if depth < 0 { return nil }
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "\n"):
                if depth == 0 { return lastSignificant }
                index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            default:
                index += 1
                lastSignificant = index
            }
        }
        return depth == 0 ? lastSignificant : nil
    }
}
