import ArgumentParser
import Foundation
import Membership

/// `herald policy check FILE...`: validates policy files without an agent.
struct PolicyCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check policy files and print a one-line summary of each.",
        discussion: """
            Exits 0 when every file is valid. Otherwise prints each error as \
            FILE:LINE:COLUMN: what is wrong, on standard error, and exits 1.
            """
    )

    @Argument(help: ArgumentHelp("Policy files to check.", valueName: "file"))
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("Give at least one policy file to check.") }
    }

    func run() async throws {
        var failed = false
        for file in files {
            do {
                let policy = try PolicyLoader.load(contentsOf: file)
                print("\(file): ok: \(Self.summary(policy))")
            } catch {
                failed = true
                FileHandle.standardError.write(Data("\(error)\n".utf8))
            }
        }
        if failed { throw ExitCode.failure }
    }

    /// `consortium NAME, N identities (G genesis), admission …, removal …, policy change …, hash 0x…`.
    static func summary(_ policy: Policy) -> String {
        func rule(_ name: String, _ rule: Policy.ApprovalRule) -> String {
            guard rule.approvals > 0 else { return "\(name) without approvals" }
            let plural = rule.approvals == 1 ? "" : "s"
            return "\(name) \(rule.approvals) approval\(plural) from \(rule.approverRoles.joined(separator: "/"))"
        }
        let genesis = policy.identities.filter(\.isGenesis).count
        var parts = [
            "consortium \(policy.consortium.name)",
            "\(policy.identities.count) identities (\(genesis) genesis)",
            rule("admission", policy.rules.admission),
            rule("removal", policy.rules.removal),
            policy.rules.policyChange.map { rule("policy change", $0) } ?? "policy change by a majority of \(policy.limits.validatorRole)s",
        ]
        if policy.limits.minValidators > 0 { parts.append("min \(policy.limits.minValidators) validators") }
        parts.append("hash \(policy.hash)")
        return parts.joined(separator: ", ")
    }
}
