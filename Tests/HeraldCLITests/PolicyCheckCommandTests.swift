import Foundation
import Testing

@Suite("herald policy check")
struct PolicyCheckCommandTests {
    @Test("valid files: exit 0 and one summary line each")
    func validFiles() async throws {
        let files = ["Policies/four-organisations.yaml", "Policies/two-of-three-admission.yaml", "Policies/strict-endpoints.yaml"]
        let result = try await HeraldProcess.run(["policy", "check"] + files)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        for (line, file) in zip(lines, files) {
            #expect(line.hasPrefix("\(file): ok: consortium "))
            #expect(line.contains(", hash 0x"))
        }
        #expect(lines[1].contains("admission 2 approvals from org-admin"))
        #expect(lines[1].contains("policy change 3 approvals from org-admin"))
        #expect(lines[2].contains("policy change by a majority of validators"))
    }

    @Test("an invalid file: exit 1 and file:line:column on standard error")
    func invalidFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herald-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("policy.yaml")
        try "version: 1\nconsortium: {name: x, key: k}\nidentites: []\n".write(to: bad, atomically: true, encoding: .utf8)
        let result = try await HeraldProcess.run(["policy", "check", bad.path, "Policies/strict-endpoints.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr == "\(bad.path):3:1: unknown key 'identites' (did you mean 'identities'?)\n")
        #expect(result.stdout.hasPrefix("Policies/strict-endpoints.yaml: ok: "))
    }

    @Test("no file is a usage error that says what to do")
    func noFile() async throws {
        let result = try await HeraldProcess.run(["policy", "check"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("Missing expected argument '<file> ...'"))
    }

    @Test("help comes from the declarations")
    func help() async throws {
        let result = try await HeraldProcess.run(["policy", "check", "--help"])
        #expect(result.stdout.contains("USAGE: herald policy check <file> ..."))
        #expect(result.stdout.contains("Check policy files and print a one-line summary of each."))
    }
}
