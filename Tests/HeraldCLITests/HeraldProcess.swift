import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `herald` binary as a subprocess and captures its output.
struct HeraldProcess {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The `herald` executable beside the test bundle in the build directory.
    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("herald")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "herald")
    }

    /// The repository root (for `Policies/`).
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `program` (default: the built herald) from the repository root and waits
    /// for it without holding a thread: a blocked thread of Swift's cooperative pool,
    /// of which there are as many as cores, stalls every other test meanwhile (CI saw
    /// every test of the first 22 s wait on the CLI tests' commands). Output goes
    /// through files.
    static func run(_ arguments: [String], program: URL = executable, within limit: Duration = .seconds(120),
                    environment: [String: String] = [:]) async throws -> Result {
        let processes = ProcessGroup()
        defer { processes.killAll() }
        let base = "/tmp/herald-command-\(UUID().uuidString.prefix(8))"
        let stdout = base + ".out", stderr = base + ".err"
        defer {
            unlink(stdout)
            unlink(stderr)
        }
        let pid = try processes.spawn(program.path, arguments, stdout: stdout, stderr: stderr, environment: environment,
                                     directory: repository.path)
        let termination = try await processes.wait(pid, within: limit, what: "\(program.path) \(arguments.joined(separator: " "))")
        let status: Int32
        switch termination {
        case .exited(let code): status = code
        case .signalled(let signal): status = 128 + signal
        }
        return Result(status: status, stdout: TextFile.read(stdout) ?? "",
                      stderr: TextFile.read(stderr) ?? "")
    }
}
