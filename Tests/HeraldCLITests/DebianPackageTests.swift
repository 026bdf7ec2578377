import Foundation
import Testing
import TestSupport

/// Where `make deb` put the packages, as `make test` says.
private let builtPackages = ProcessInfo.processInfo.environment["HERALD_DEB_DIR"]

/// The Debian packages `make deb` builds (`make test` builds them first and
/// names their directory in HERALD_DEB_DIR): their contents, control fields
/// and maintainer scripts, the unit as systemd reads it, and the packaged
/// binary running agents.
@Suite("the herald Debian package", .serialized,
       .enabled(if: builtPackages != nil, "no packages: run `make test`, or `make deb` and set HERALD_DEB_DIR=.build/deb"))
struct DebianPackageTests {
    static let directory = builtPackages

    /// The subcommands, each with its own man page (`herald.SUB.1`).
    static let subcommands = ["init", "run", "announce", "approve", "members", "status", "peers",
                              "policy", "policy.check", "policy.reload", "audit"]

    static let version = (try? String(contentsOf: HeraldProcess.repository.appendingPathComponent("VERSION"), encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"

    static func package(_ name: String) throws -> String {
        let directory = try #require(directory)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        let file = try #require(files.first { $0.hasPrefix("\(name)_\(version)_") && $0.hasSuffix(".deb") },
                                "no \(name)_\(version)_*.deb in \(directory): \(files)")
        return directory + "/" + file
    }

    /// Runs a system tool; throws unless it exits 0.
    @discardableResult
    static func tool(_ path: String, _ arguments: [String]) async throws -> String {
        let result = try await HeraldProcess.run(arguments, program: URL(fileURLWithPath: path))
        guard result.status == 0 else {
            throw AgentProcessCluster.Failure(description: "\(path) \(arguments.joined(separator: " ")): exit \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// The package extracted into a fresh directory (removed by the caller).
    static func extract(_ package: String) async throws -> URL {
        let root = URL(fileURLWithPath: "/tmp/herald-deb-\(UUID().uuidString.prefix(8))")
        try await tool("/usr/bin/dpkg-deb", ["-x", package, root.path])
        return root
    }

    @Test("herald: binary, unit, a man page per subcommand, completions for three shells, example policies")
    func contents() async throws {
        let listing = try await Self.tool("/usr/bin/dpkg-deb", ["-c", try Self.package("herald")])
        let paths = Set(listing.split(separator: "\n").compactMap { line in
            line.split(separator: " ", omittingEmptySubsequences: true).last.map { String($0.dropFirst()) }
        })
        var expected = ["/usr/bin/herald", "/lib/systemd/system/herald.service", "/usr/share/man/man1/herald.1.gz",
                        "/usr/share/bash-completion/completions/herald", "/usr/share/zsh/vendor-completions/_herald",
                        "/usr/share/fish/vendor_completions.d/herald.fish", "/usr/share/doc/herald/README.md",
                        "/usr/share/herald/policies/four-organisations.yaml",
                        "/usr/share/herald/policies/two-of-three-admission.yaml",
                        "/usr/share/herald/policies/strict-endpoints.yaml"]
        expected += Self.subcommands.map { "/usr/share/man/man1/herald.\($0).1.gz" }
        for path in expected { #expect(paths.contains(path), "\(path) missing from the package:\n\(listing)") }
        // Data and keys are the operator's: the package ships nothing under /etc or /var.
        #expect(!paths.contains { $0.hasPrefix("/etc/") || $0.hasPrefix("/var/") }, "\(listing)")
        #expect(listing.contains("-rwxr-xr-x root/root"), "\(listing)")
        #expect(!listing.contains("herald.debug"))
    }

    @Test("man pages and completions are generated from the declarations: every subcommand has its page and its completion")
    func manPagesAndCompletions() async throws {
        let root = try await Self.extract(try Self.package("herald"))
        defer { try? FileManager.default.removeItem(at: root) }
        for page in ["herald"] + Self.subcommands.map({ "herald.\($0)" }) {
            let text = try await Self.tool("/bin/sh", ["-c", "gzip -dc \(root.path)/usr/share/man/man1/\(page).1.gz"])
            let name = page.replacingOccurrences(of: ".", with: " ")
            #expect(text.contains(".Nm \(name)") || text.contains(name), "\(page).1 does not name \(name)")
            #expect(text.contains(".Sh DESCRIPTION") || text.contains(".Sh SYNOPSIS"), "\(page).1 is not a manual page")
        }
        let run = try await Self.tool("/bin/sh", ["-c", "gzip -dc \(root.path)/usr/share/man/man1/herald.run.1.gz"])
        #expect(run.contains("SIGHUP"), "herald.run.1 lacks the discussion --help shows")
        let completions = ["bash-completion/completions/herald", "zsh/vendor-completions/_herald", "fish/vendor_completions.d/herald.fish"]
        for file in completions {
            let text = try String(contentsOfFile: root.path + "/usr/share/" + file, encoding: .utf8)
            for subcommand in Self.subcommands.filter({ !$0.contains(".") }) + ["check", "reload"] {
                #expect(text.contains(subcommand), "\(file) does not complete \(subcommand)")
            }
            #expect(text.contains("advertise"), "\(file) does not complete init's --advertise")
        }
    }

    @Test("control fields: version from VERSION, the libraries the binary links as dependencies")
    func controlFields() async throws {
        let package = try Self.package("herald")
        func field(_ name: String) async throws -> String {
            try await Self.tool("/usr/bin/dpkg-deb", ["-f", package, name]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try await field("Package") == "herald")
        #expect(try await field("Version") == Self.version)
        let depends = try await field("Depends")
        for library in ["libsecp256k1-", "libssl3", "libsqlite3-0", "libsnappy1v5", "libc6", "adduser"] {
            #expect(depends.contains(library), "Depends: \(depends)")
        }
        // What the binary needs is what the package depends on: every NEEDED library's package.
        let root = try await Self.extract(package)
        defer { try? FileManager.default.removeItem(at: root) }
        let needed = try await Self.tool("/usr/bin/readelf", ["-d", root.path + "/usr/bin/herald"])
            .split(separator: "\n").filter { $0.contains("(NEEDED)") }
        #expect(!needed.isEmpty)
        for line in needed {
            let library = try #require(line.split(separator: "[").last?.split(separator: "]").first.map(String.init))
            let owner = try await Self.tool("/usr/bin/dpkg-query", ["-S", "*/" + library]).split(separator: ":").first.map(String.init) ?? "?"
            #expect(depends.contains(owner), "\(library) (\(owner)) is linked but not in Depends: \(depends)")
        }
    }

    @Test("maintainer scripts parse with sh -n; postinst creates the user and /etc/herald 0750 only when missing")
    func maintainerScripts() async throws {
        let control = URL(fileURLWithPath: "/tmp/herald-deb-control-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: control) }
        try await Self.tool("/usr/bin/dpkg-deb", ["-e", try Self.package("herald"), control.path])
        for script in ["postinst", "prerm", "postrm"] {
            let path = control.appendingPathComponent(script).path
            #expect(FileManager.default.isExecutableFile(atPath: path), "\(script) missing or not executable")
            try await Self.tool("/bin/sh", ["-n", path])
        }
        let postinst = try String(contentsOf: control.appendingPathComponent("postinst"), encoding: .utf8)
        #expect(postinst.contains("install -d -m 0750 -o root -g herald /etc/herald"))
        #expect(postinst.contains("if [ ! -d /etc/herald ]"))
        let postrm = try String(contentsOf: control.appendingPathComponent("postrm"), encoding: .utf8)
        #expect(!postrm.contains("rm -"), "postrm must leave data and keys in place")
    }

    @Test("herald-dbgsym holds the debug information the stripped binary's debuglink names")
    func debugSymbols() async throws {
        let root = try await Self.extract(try Self.package("herald"))
        defer { try? FileManager.default.removeItem(at: root) }
        let debug = try await Self.extract(try Self.package("herald-dbgsym"))
        defer { try? FileManager.default.removeItem(at: debug) }
        let binary = root.path + "/usr/bin/herald"
        let debugFile = debug.path + "/usr/lib/debug/usr/bin/herald.debug"
        let readelf = URL(fileURLWithPath: "/usr/bin/readelf")
        let debuglink = try await HeraldProcess.run(["--string-dump=.gnu_debuglink", binary], program: readelf)
        #expect(debuglink.status == 0 && debuglink.stdout.contains("herald.debug"), "\(debuglink.stdout) \(debuglink.stderr)")
        let binarySections = try await HeraldProcess.run(["-S", "-W", binary], program: readelf).stdout
        #expect(binarySections.contains(".gnu_debuglink") && binarySections.contains(".text"), "\(binarySections)")
        #expect(!binarySections.contains(".debug_info"))
        let debugSections = try await HeraldProcess.run(["-S", "-W", debugFile], program: readelf).stdout
        #expect(debugSections.contains(".debug_info"), "\(debugSections)")
        let size = { (path: String) in ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }
        print("herald stripped: \(size(binary) / 1024) kB; herald.debug: \(size(debugFile) / 1024) kB")
    }

    @Test("systemd-analyze verify passes on the packaged unit, with the packaged binary and man pages",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"), "systemd-analyze is not installed"))
    func unitVerifies() async throws {
        let root = try await Self.extract(try Self.package("herald"))
        defer { try? FileManager.default.removeItem(at: root) }
        // systemd-analyze checks that ExecStart exists: point it at the extracted binary.
        let unit = try String(contentsOfFile: root.path + "/lib/systemd/system/herald.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/bin/herald run --config /etc/herald/agent.yaml"))
        for line in ["Type=notify", "User=herald", "StateDirectory=herald", "ConfigurationDirectory=herald", "NoNewPrivileges=yes",
                     "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes",
                     "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "SystemCallFilter=@system-service",
                     "CapabilityBoundingSet=\n", "Restart=on-failure", "ExecReload=/bin/kill -HUP $MAINPID"] {
            #expect(unit.contains(line), "\(line) missing from the unit")
        }
        let copy = root.appendingPathComponent("herald.service")
        try unit.replacingOccurrences(of: "/usr/bin/herald", with: root.path + "/usr/bin/herald")
            .write(to: copy, atomically: true, encoding: .utf8)
        let verified = try await HeraldProcess.run(["verify", copy.path], program: URL(fileURLWithPath: "/usr/bin/systemd-analyze"),
                                                        environment: ["MANPATH": root.path + "/usr/share/man"])
        let text = verified.stdout + verified.stderr
        #expect(verified.status == 0, "\(text)")
        #expect(text.isEmpty, "\(text)")
    }

    @Test("the packaged binary runs: init, run, announce to a second agent, clean stop", .timeLimit(.minutes(1)))
    func packagedBinaryRuns() async throws {
        let root = try await Self.extract(try Self.package("herald"))
        defer { try? FileManager.default.removeItem(at: root) }
        let cluster = try AgentProcessCluster(count: 2, herald: root.path + "/usr/bin/herald")
        defer { cluster.tearDown() }
        try await cluster.initialise()
        for n in 1...2 { try cluster.start(n) }
        for n in 1...2 { try await cluster.untilLinked(n, peers: 1) }
        let id = try await cluster.announceJoin(on: 1, of: 10)
        try await cluster.until("agent 2 acknowledges the join") {
            try await cluster.status(1, id)?.recipients.first { $0.node == AgentProcessCluster.nodeID(2) }?.acked == true
        }
        #expect(try await cluster.holds(2, id))
        for n in 1...2 { try await cluster.stop(n) }
        #expect(try await cluster.audit(1).result.status == 0)
    }
}
