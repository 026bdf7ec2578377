import Foundation

/// Reads files with read(2) until end of file.
///
/// Foundation's `String(contentsOfFile:)` leaks a 4 KiB buffer on Linux for a file whose size
/// reads as 0 (an empty output file, anything in /proc): `make test-asan`'s LeakSanitizer reported
/// 128 of them from the tests' process-output and /proc/self/status reads.
package enum TextFile {
    /// The file's contents as UTF-8 text, or nil when it cannot be opened or read.
    package static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return String(decoding: bytes, as: UTF8.self) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            bytes += chunk[..<count]
        }
    }
}

/// The test process's resident memory, for bounds on what hostile input may cost.
package enum ResidentMemory {
    /// VmRSS from /proc/self/status, in bytes (0 when unreadable).
    package static func bytes() -> Int {
        let status = TextFile.read("/proc/self/status") ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes * 1024
    }

    /// False under AddressSanitizer (`make test-asan`): its quarantine keeps freed memory resident
    /// (256 MiB by default) and its shadow memory grows with every allocation, so growth there
    /// measures the sanitizer, not the agent. The bounds hold in `make test`.
    package static let isMeasurable: Bool = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") == nil
}
