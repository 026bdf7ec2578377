import Foundation

/// A temporary directory removed by `remove()` (tests call it in `defer`).
package struct TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    package let path: String

    /// Creates a fresh directory under /tmp.
    package init() throws {
        var template = Array("/tmp/herald-na-XXXXXX".utf8CString)
        guard let result = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: result)
    }

    /// The path of `name` inside the directory.
    package func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to `name`.
    package func write(_ name: String, _ text: String) throws {
        try text.write(toFile: file(name), atomically: false, encoding: .utf8)
    }

    /// The text of `name`.
    package func read(_ name: String) throws -> String {
        try String(contentsOfFile: file(name), encoding: .utf8)
    }

    /// Whether `name` exists.
    package func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

    /// The inode number, to see whether a file was replaced.
    package func inode(_ name: String) -> UInt64? {
        var info = stat()
        guard stat(file(name), &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }

    /// Removes the directory and everything in it.
    package func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
