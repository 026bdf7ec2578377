#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// geth-style `nodekey` files: the private key as 64 hex characters.
///
/// Reading follows geth's `crypto.LoadECDSA`: exactly 64 hex digits (either
/// case, no `0x`), optionally followed by line breaks; the key must be
/// non-zero and below the curve order. geth accepts at most two trailing
/// CR/LF bytes; Herald accepts any number of them and nothing else (no
/// spaces, no second line), so every file geth reads is read here too.
///
/// Writing produces what geth's `SaveECDSA` writes (64 lowercase hex
/// digits, no newline), mode 0600, atomically: a reader sees the old file or
/// the new one, never a partial key, even across a crash.
public enum NodeKeyFile {
    /// Number of hex characters in a key file.
    public static let characterCount = 64
    /// Files larger than this are not read into memory at all.
    private static let maximumFileSize = 4096

    /// Loads the key in the file at `path`.
    /// - Throws: ``NodeKeyFileError``; no case ever includes key material.
    public static func read(from path: String) throws(NodeKeyFileError) -> Secp256k1.PrivateKey {
        var contents = try readContents(path)
        defer { contents.withUnsafeMutableBytes { wipe($0) } }
        var end = contents.count
        while end > 0, contents[end - 1] == UInt8(ascii: "\n") || contents[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        guard end == characterCount else { throw .wrongLength(path: path, found: end) }
        var raw = [UInt8](repeating: 0, count: 32)
        defer { raw.withUnsafeMutableBytes { wipe($0) } }
        for index in 0..<32 {
            guard let high = Hex.nibble(contents[2 * index]) else { throw .invalidHex(path: path, offset: 2 * index) }
            guard let low = Hex.nibble(contents[2 * index + 1]) else { throw .invalidHex(path: path, offset: 2 * index + 1) }
            raw[index] = high << 4 | low
        }
        do {
            return try Secp256k1.PrivateKey(rawRepresentation: raw)
        } catch .zero {
            throw .zeroKey(path: path)
        } catch {
            throw .keyOutOfRange(path: path)
        }
    }

    /// Saves `key` to `path`, replacing any existing file.
    ///
    /// Steps: create `.<name>.tmp-<random>` in the same directory with
    /// `O_CREAT | O_EXCL` and mode 0600 (so the secret is never readable by
    /// others, not even briefly), write, `fsync`, `rename` over `path`, then
    /// `fsync` the directory so the rename itself is durable. On failure the
    /// temporary file is removed and `path` is left as it was.
    /// - Throws: ``NodeKeyFileError/writeFailed(path:reason:)``.
    public static func write(_ key: Secp256k1.PrivateKey, to path: String) throws(NodeKeyFileError) {
        let (directory, name) = split(path)
        let temporary = directory + "/." + name + ".tmp-" + Hex.encode(SecureRandom.bytes(count: 8))
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: "cannot create \(temporary): \(lastError())") }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        do {
            defer { close(fd) }
            // The mode given to open is reduced by the umask; make 0600 exact.
            guard fchmod(fd, 0o600) == 0 else { throw NodeKeyFileError.writeFailed(path: path, reason: "chmod 0600: \(lastError())") }
            var text = Array(Hex.encode(key.rawRepresentation).utf8)
            defer { text.withUnsafeMutableBytes { wipe($0) } }
            try writeAll(fd, text, path: path)
            guard fsync(fd) == 0 else { throw NodeKeyFileError.writeFailed(path: path, reason: "fsync: \(lastError())") }
        }
        guard rename(temporary, path) == 0 else {
            throw .writeFailed(path: path, reason: "rename: \(lastError())")
        }
        renamed = true
        let directoryFD = open(directory, O_RDONLY | O_CLOEXEC)
        guard directoryFD >= 0 else {
            throw .writeFailed(path: path, reason: "open directory \(directory) for fsync: \(lastError())")
        }
        defer { close(directoryFD) }
        guard fsync(directoryFD) == 0 else {
            throw .writeFailed(path: path, reason: "fsync directory \(directory): \(lastError())")
        }
    }

    /// The whole file (at most `maximumFileSize` bytes).
    private static func readContents(_ path: String) throws(NodeKeyFileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw .notFound(path: path) }
            throw .unreadable(path: path, reason: lastError())
        }
        defer { close(fd) }
        var contents = [UInt8](repeating: 0, count: maximumFileSize + 1)
        var total = 0
        while total < contents.count {
            let got = contents.withUnsafeMutableBytes { buffer in
                posixRead(fd, buffer.baseAddress! + total, buffer.count - total)
            }
            if got < 0 {
                if errno == EINTR { continue }
                let reason = lastError()
                contents.withUnsafeMutableBytes { wipe($0) }
                throw .unreadable(path: path, reason: reason)
            }
            if got == 0 { break }
            total += got
        }
        if total > maximumFileSize {
            contents.withUnsafeMutableBytes { wipe($0) }
            var info = stat()
            let size = fstat(fd, &info) == 0 ? Int(info.st_size) : total
            throw .wrongLength(path: path, found: size)
        }
        contents.removeLast(contents.count - total)
        return contents
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(NodeKeyFileError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .writeFailed(path: path, reason: "write: \(lastError())")
            }
            offset += written
        }
    }

    /// Directory and file name of `path` (directory "." for a bare name).
    private static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// `strerror(errno)`, e.g. "Permission denied".
    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}

// `read` and `write` are shadowed inside `NodeKeyFile` by its own methods.
@inline(__always)
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

@inline(__always)
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

/// Why a node key file could not be read or written. Every case names the
/// file; none contains key material (offsets, counts and OS reasons only).
public enum NodeKeyFileError: Error, Equatable, CustomStringConvertible {
    /// No file at this path.
    case notFound(path: String)
    /// The file exists but could not be opened or read (reason from the OS).
    case unreadable(path: String, reason: String)
    /// The file does not hold 64 characters (after removing trailing line
    /// breaks); `found` is how many it holds.
    case wrongLength(path: String, found: Int)
    /// The character at this offset (0-based) is not a hex digit.
    case invalidHex(path: String, offset: Int)
    /// The key is zero, which is not a valid private key.
    case zeroKey(path: String)
    /// The key is not below the secp256k1 curve order.
    case keyOutOfRange(path: String)
    /// Saving failed (reason from the OS); the previous file, if any, is unchanged.
    case writeFailed(path: String, reason: String)

    /// A sentence for logs and users: names the file and the problem, never the key.
    public var description: String {
        switch self {
        case .notFound(let path):
            return "node key file \(path) does not exist"
        case .unreadable(let path, let reason):
            return "cannot read node key file \(path): \(reason)"
        case .wrongLength(let path, let found):
            return "node key file \(path) holds \(found) characters, want \(NodeKeyFile.characterCount) hex characters"
        case .invalidHex(let path, let offset):
            return "node key file \(path) has a non-hex character at offset \(offset)"
        case .zeroKey(let path):
            return "node key file \(path) holds the zero key, which is not a valid private key"
        case .keyOutOfRange(let path):
            return "node key file \(path) holds a key that is not below the secp256k1 curve order"
        case .writeFailed(let path, let reason):
            return "cannot write node key file \(path): \(reason)"
        }
    }
}
