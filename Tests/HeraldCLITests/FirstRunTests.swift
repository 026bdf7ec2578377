import Foundation
import HeraldCrypto
import Testing
import TestSupport

/// What an operator meets first on a real host: the enode URL other hosts
/// dial, key files that must be private, and a config file with a typo.
@Suite("herald init and run on a first start: advertised host, private keys, config errors")
struct FirstRunTests {
    private static let policy = "Policies/two-of-three-admission.yaml"

    /// A fresh directory under /tmp, removed by the caller.
    private static func directory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("herald-first-run-\(UUID().uuidString.prefix(8))")
    }

    private static func contents(_ url: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
    }

    @Test("--advertise puts the host in the printed enode URL and in agent.yaml; no warning")
    func advertisedHost() async throws {
        let root = Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("agent")
        let result = try await HeraldProcess.run(["init", "--data-dir", data.path, "--policy", Self.policy,
                                            "--listen", "0.0.0.0:30310", "--advertise", "10.0.0.7"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("@10.0.0.7:30310\n"), "\(result.stdout)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        let yaml = try String(contentsOf: data.appendingPathComponent("agent.yaml"), encoding: .utf8)
        #expect(yaml.contains("advertise: 10.0.0.7"), "\(yaml)")

        let v6 = try await HeraldProcess.run(["init", "--data-dir", root.appendingPathComponent("v6").path, "--policy", Self.policy,
                                        "--listen", "[::]:30310", "--advertise", "fd00::7"])
        #expect(v6.status == 0, "\(v6.stderr)")
        #expect(v6.stdout.hasSuffix("@[fd00::7]:30310\n"), "\(v6.stdout)")
    }

    @Test("listening on 0.0.0.0 without --advertise: init says the URL only works on this host and names the flag")
    func wildcardWithoutAdvertise() async throws {
        let root = Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try await HeraldProcess.run(["init", "--data-dir", root.path, "--policy", Self.policy, "--listen", "0.0.0.0:30310"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("@127.0.0.1:30310\n"))
        #expect(result.stderr.contains("herald init: warning: listening on every interface (0.0.0.0:30310)"), "\(result.stderr)")
        #expect(result.stderr.contains("--advertise <this host's IP or DNS name>"))
    }

    @Test("--advertise refuses a wildcard or a host:port", arguments: ["0.0.0.0", "::", "10.0.0.7:30310", "bad host"])
    func advertiseRefused(host: String) async throws {
        let root = Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try await HeraldProcess.run(["init", "--data-dir", root.path, "--policy", Self.policy, "--advertise", host])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--advertise \(host): not a host other agents can dial"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root.path))
    }

    @Test("init refuses a node key or consortium key that group or others can read, naming the chmod; creates nothing",
          arguments: [0o644, 0o640, 0o604])
    func initRefusesReadableKeys(mode: Int) async throws {
        let root = Self.directory()
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let nodeKey = root.appendingPathComponent("nodekey").path
        try NodeKeyFile.write(Secp256k1.PrivateKey(), to: nodeKey)
        let consortiumKey = root.appendingPathComponent("consortium.key").path
        try String(repeating: "ab", count: 32).writePrivate(toFile: consortiumKey)
        let data = root.appendingPathComponent("agent")
        let modeText = String(format: "%04o", mode)

        for (file, what) in [(nodeKey, "node key"), (consortiumKey, "consortium key")] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
            let result = try await HeraldProcess.run(["init", "--data-dir", data.path, "--policy", Self.policy,
                                                "--nodekey", nodeKey, "--consortium-key", "file:" + consortiumKey])
            #expect(result.status == 1)
            #expect(result.stderr == "herald init: \(what) \(file) is accessible by group or others (mode \(modeText)); "
                    + "it must be private to its owner: chmod 600 \(file)\n")
            #expect(!FileManager.default.fileExists(atPath: data.path))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        }
    }

    @Test("run refuses to start with a readable node key or consortium key, and starts nothing")
    func runRefusesReadableKeys() async throws {
        let root = Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let consortiumKey = root.appendingPathComponent("consortium.key").path
        let data = root.appendingPathComponent("agent")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try String(repeating: "ab", count: 32).writePrivate(toFile: consortiumKey)
        let created = try await HeraldProcess.run(["init", "--data-dir", data.path, "--policy", Self.policy,
                                             "--listen", "127.0.0.1:0", "--consortium-key", "file:" + consortiumKey])
        #expect(created.status == 0, "\(created.stderr)")
        let before = Self.contents(data)
        let config = data.appendingPathComponent("agent.yaml").path
        let nodeKey = data.appendingPathComponent("nodekey").path

        for (file, what) in [(nodeKey, "node key"), (consortiumKey, "consortium key")] {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
            let result = try await HeraldProcess.run(["run", "--config", config])
            #expect(result.status == 1)
            #expect(result.stderr.hasSuffix("herald run: \(what) \(file) is accessible by group or others (mode 0644); "
                                            + "it must be private to its owner: chmod 600 \(file)\n"), "\(result.stderr)")
            // No log, store or socket was created.
            #expect(Self.contents(data) == before)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        }
    }

    @Test("an agent.yaml that is not valid YAML is reported as FILE:LINE:COLUMN: what is wrong")
    func invalidConfigYAML() async throws {
        let root = Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("agent")
        let created = try await HeraldProcess.run(["init", "--data-dir", data.path, "--policy", Self.policy, "--listen", "127.0.0.1:0"])
        #expect(created.status == 0, "\(created.stderr)")
        let config = data.appendingPathComponent("agent.yaml").path
        let before = Self.contents(data)
        var text = try String(contentsOfFile: config, encoding: .utf8)
        // An unclosed flow mapping on the line after the comment.
        text = text.replacingOccurrences(of: "listen:\n", with: "listen: {host: 127.0.0.1\n")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("listen: {") }! + 1

        let result = try await HeraldProcess.run(["run", "--config", config])
        #expect(result.status == 1)
        let pattern = "herald run: \(config):"
        #expect(result.stderr.hasPrefix(pattern), "\(result.stderr)")
        let location = result.stderr.dropFirst(pattern.count).split(separator: ":", maxSplits: 2)
        #expect(location.count == 3)
        #expect(Int(location[0]).map { $0 >= line } == true, "\(result.stderr)")
        #expect(Int(location[1]) != nil, "\(result.stderr)")
        #expect(location.last?.hasPrefix(" YAML syntax error: ") == true, "\(result.stderr)")
        #expect(Self.contents(data) == before)

        let members = try await HeraldProcess.run(["members", "--config", config])
        #expect(members.status == 1)
        #expect(members.stderr.contains("\(config):\(location[0]):\(location[1]): YAML syntax error"), "\(members.stderr)")
    }
}
