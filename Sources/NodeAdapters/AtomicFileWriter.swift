#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file atomically: the content goes to a temporary file in the
/// same directory, which is fsynced and renamed over the target, then the
/// directory is fsynced. The version being replaced is kept as `<file>.prev`
/// (a hard link, so the target never disappears, even for a moment).
///
/// A node reading the file therefore sees either the old or the new version,
/// never a partial one — GoQuorum treats an unreadable
/// `permissioned-nodes.json` as "deny everyone" (spec §2.1).
package enum AtomicFileWriter {
    /// Writes `bytes` to `path`, keeping the previous version as `path.prev`.
    /// The new file keeps the old one's permission bits (0644 for a new file).
    /// - Throws: ``NodeAdapterError/fileAccess(path:operation:reason:)``; the target is unchanged then.
    package static func write(_ bytes: [UInt8], to path: String) throws(NodeAdapterError) {
        let directory = Self.directory(of: path)
        let base = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        let temporary = "\(directory)/.\(base).herald-\(UInt32.random(in: .min ... .max))"

        var existing = stat()
        let exists = stat(path, &existing) == 0
        let mode: mode_t = exists ? (existing.st_mode & 0o7777) : 0o644

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure(temporary, "create") }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            _ = fchmod(fd, mode)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure(temporary, "write")
                }
                offset += written
            }
            guard fsync(fd) == 0 else { throw failure(temporary, "fsync") }
        }
        if exists {
            let previous = path + ".prev"
            unlink(previous)
            if link(path, previous) != 0 {
                // A file system without hard links: copy instead.
                try copy(path, to: previous)
            }
        }
        guard rename(temporary, path) == 0 else { throw failure(path, "rename a temporary file over") }
        ok = true
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw failure(directory, "open the directory") }
        defer { close(directoryFD) }
        guard fsync(directoryFD) == 0 else { throw failure(directory, "fsync the directory") }
    }

    /// Reads a whole file; nil when it does not exist.
    /// - Throws: ``NodeAdapterError/fileAccess(path:operation:reason:)`` for any other error.
    package static func read(_ path: String) throws(NodeAdapterError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw failure(path, "read")
        }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path, "read")
            }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }

    private static func copy(_ source: String, to destination: String) throws(NodeAdapterError) {
        guard let bytes = try read(source) else { return }
        let fd = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure(destination, "create") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure(destination, "write")
            }
            offset += written
        }
        guard fsync(fd) == 0 else { throw failure(destination, "fsync") }
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    private static func failure(_ path: String, _ operation: String) -> NodeAdapterError {
        .fileAccess(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}

/// `write(2)`, outside the enum whose `write` method would shadow it.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}

/// `read(2)`, outside the enum whose `read` method would shadow it.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
