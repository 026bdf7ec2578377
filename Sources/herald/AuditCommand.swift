import ArgumentParser
import Foundation
import Membership

/// `herald audit --data-dir D`: re-verifies an agent's membership log from scratch.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify a membership log: chain, signatures, decisions and member list.",
        discussion: """
            Re-checks the hash chain and every entry hash, recovers every \
            signature, re-derives every decision under the policy and then the \
            member list. Prints entries, members, digest and log head. Exits 1 \
            at the first bad entry, naming its index. Does not need a running \
            agent and never changes the log.
            """
    )

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The agent's data directory (holds membership.sqlite).", valueName: "dir"))
    var dataDirectory: String

    @Option(help: ArgumentHelp("The policy file the log was decided under (default: DIR/policy.yaml).", valueName: "file"))
    var policy: String?

    @Option(help: OutputFormat.help)
    var format: OutputFormat = .text

    func run() async throws {
        let logPath = URL(fileURLWithPath: dataDirectory).appendingPathComponent(MembershipLog.fileName).path
        let policyPath = policy ?? URL(fileURLWithPath: dataDirectory).appendingPathComponent("policy.yaml").path
        let report: AuditReport
        do {
            let policy = try PolicyLoader.load(contentsOf: policyPath)
            report = try MembershipLog.audit(path: logPath, policy: policy)
        } catch {
            FileHandle.standardError.write(Data("herald audit: \(error)\n".utf8))
            throw ExitCode.failure
        }
        switch format {
        case .text: printText(report, path: logPath)
        case .json: try printJSON(report, path: logPath)
        }
        if !report.passed { throw ExitCode.failure }
    }

    private func printText(_ report: AuditReport, path: String) {
        if let failure = report.failure {
            FileHandle.standardError.write(Data("audit failed: \(path): entry \(failure.index): \(failure.reason)\n".utf8))
            print("verified entries: \(report.verifiedEntries) (before the failure)")
        } else {
            print("audit passed: \(path)")
            print("entries: \(report.verifiedEntries)")
        }
        print("members: \(report.members.count)")
        for member in report.members {
            print("  \(member.node.hex) \(member.roles.joined(separator: ",")) \(member.enode)")
        }
        print("digest: \(report.digest)")
        print("log head: \(report.head)")
    }

    private func printJSON(_ report: AuditReport, path: String) throws {
        let output = AuditOutput(report, path: path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(output), as: UTF8.self))
    }
}

/// The JSON shape of `herald audit --format json`; keys are a stable contract.
struct AuditOutput: Encodable {
    struct Failure: Encodable {
        let index: UInt64
        let reason: String
    }
    struct MemberOutput: Encodable {
        let node: String
        let enode: String
        let roles: [String]
    }
    let log: String
    let passed: Bool
    let entries: UInt64
    let members: [MemberOutput]
    let digest: String
    let head: String
    let failure: Failure?

    init(_ report: AuditReport, path: String) {
        log = path
        passed = report.passed
        entries = report.verifiedEntries
        members = report.members.map { MemberOutput(node: $0.node.hex, enode: $0.enode, roles: $0.roles) }
        digest = report.digest.description
        head = report.head.description
        failure = report.failure.map { Failure(index: $0.index, reason: $0.reason) }
    }
}
