import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Debian's `chromium`, headless, for loading the status page as a browser does.
///
/// It may load only `http://127.0.0.1:` URLs, and runs with the flags that
/// keep it off the network (no first-run, sync, component updates,
/// background requests; every host but 127.0.0.1 fails to resolve). Each call
/// runs under coreutils `timeout` in a process group of its own, with a fresh
/// profile directory; when the call returns the whole group is killed and the
/// profile removed, whether chromium finished, hung or failed.
struct HeadlessChromium: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The executable: `$HERALD_CHROMIUM`, or `chromium` on the PATH.
    let executable: String
    /// The longest one call may take before chromium and its children are killed.
    var limit: Duration = .seconds(60)

    /// Chromium, or why it cannot run here (the browser test skips with that reason).
    static func locate() async -> Result<HeadlessChromium, Failure> {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let override = environment["HERALD_CHROMIUM"], !override.isEmpty { candidates.append(override) }
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            candidates.append("\(directory)/chromium")
        }
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return .failure(Failure(description: "chromium is not installed (Debian package `chromium`: `make deps` installs it)"))
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/timeout") else {
            return .failure(Failure(description: "/usr/bin/timeout (coreutils) is missing: chromium cannot be run with a time limit"))
        }
        let chromium = HeadlessChromium(executable: path, limit: .seconds(30))
        // It must really start (a missing library or a broken install fails here).
        let probe = await chromium.launch(["--dump-dom", "data:text/html,<p>herald-probe</p>"])
        switch probe {
        case .success(let output) where output.contains("herald-probe"):
            return .success(HeadlessChromium(executable: path))
        case .success(let output):
            return .failure(Failure(description: "\(path) --headless --dump-dom printed no page: \(output.prefix(300))"))
        case .failure(let failure):
            return .failure(Failure(description: "\(path) cannot run headless here: \(failure)"))
        }
    }

    /// The DOM of `url` after loading it, as `--dump-dom` serialises it.
    func dumpDOM(_ url: String) async throws -> String {
        try await run(["--dump-dom", try Self.checked(url)])
    }

    /// Loads `url` and writes a PNG of the window (1280 × `height`) to `path`.
    func screenshot(_ url: String, to path: String, height: Int = 1400) async throws {
        try? FileManager.default.removeItem(atPath: path)
        _ = try await run(["--screenshot=\(path)", "--window-size=1280,\(height)", "--hide-scrollbars", try Self.checked(url)])
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure(description: "chromium wrote no screenshot to \(path)")
        }
    }

    /// Refuses anything but a 127.0.0.1 HTTP URL.
    private static func checked(_ url: String) throws -> String {
        guard url.hasPrefix("http://127.0.0.1:") else { throw Failure(description: "chromium may only load http://127.0.0.1 URLs, not \(url)") }
        return url
    }

    private func run(_ arguments: [String]) async throws -> String {
        try await launch(arguments).get()
    }

    /// Runs chromium with `arguments` under `timeout`; returns its standard output.
    private func launch(_ arguments: [String]) async -> Result<String, Failure> {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-chromium-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            return .failure(Failure(description: "cannot create \(directory.path): \(error)"))
        }
        let stdout = directory.appendingPathComponent("stdout"), stderr = directory.appendingPathComponent("stderr")
        guard FileManager.default.createFile(atPath: stdout.path, contents: nil),
              FileManager.default.createFile(atPath: stderr.path, contents: nil) else {
            return .failure(Failure(description: "cannot create chromium's output files in \(directory.path)"))
        }
        let seconds = Int(limit.components.seconds)
        // Spawned through ProcessGroup, not Foundation's Process (which LeakSanitizer finds never
        // freed), in a group of its own that is SIGKILLed afterwards, so that a helper of chromium's
        // that outlived it goes too. timeout signals the group when the time is up.
        let processes = ProcessGroup()
        defer { processes.killAll() }
        let termination: Termination
        do {
            let pid = try processes.spawn("/usr/bin/timeout", ["--kill-after=5", "\(seconds)", executable]
                                              + Self.flags(profile: directory.appendingPathComponent("profile").path) + arguments,
                                          stdout: stdout.path, stderr: stderr.path, environment: ["HOME": directory.path])
            termination = try await processes.wait(pid, within: limit + .seconds(10), what: "chromium")
            kill(-pid, SIGKILL)
        } catch {
            return .failure(Failure(description: "cannot run \(executable): \(error)"))
        }
        let output = TextFile.read(stdout.path) ?? ""
        let errors = TextFile.read(stderr.path) ?? ""
        if termination == .exited(124) || termination == .exited(137) {
            return .failure(Failure(description: "chromium did not finish within \(seconds) s and was killed"))
        }
        guard termination == .exited(0) else {
            return .failure(Failure(description: "chromium ended with \(termination): \(errors.suffix(600))"))
        }
        return .success(output)
    }

    /// Headless, no sandbox (root in a container), no GPU, and nothing that talks to the network by itself.
    static func flags(profile: String) -> [String] {
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps",
            "--disable-breakpad", "--disable-domain-reliability", "--disable-client-side-phishing-detection",
            "--metrics-recording-only", "--no-pings", "--user-data-dir=\(profile)",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        ]
    }
}
