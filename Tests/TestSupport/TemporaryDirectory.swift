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

    /// Writes `text` to `name`, through a close-on-exec descriptor: a process that another test
    /// spawns meanwhile must not keep the file open for writing, or running it as a script
    /// fails with "Text file busy".
    package func write(_ name: String, _ text: String) throws {
        let descriptor = open(file(name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw CocoaError(.fileWriteUnknown) }
            offset += written
        }
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
