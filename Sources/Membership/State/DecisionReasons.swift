import HeraldCrypto

/// The sentences decisions carry. Node IDs appear as `0x` and 4 hex digits.
enum DecisionReasons {
    static func short(_ node: NodeID) -> String { "0x\(node.hex.prefix(4))…" }

    static func needsApprovals(_ rule: Policy.ApprovalRule, approvers: [NodeID]) -> String {
        let roles = rule.approverRoles.joined(separator: " or ")
        var text = "needs \(rule.approvals) approval\(rule.approvals == 1 ? "" : "s") from role \(roles), has \(approvers.count)"
        if !approvers.isEmpty { text += " (" + approvers.map(short).joined(separator: ", ") + ")" }
        return text
    }

    static func stale(replaces old: PolicyHash, inForce: PolicyHash) -> String {
        "replaces policy \(old.hex.prefix(8))…, but the policy in force here is \(inForce.hex.prefix(8))…"
    }
}
