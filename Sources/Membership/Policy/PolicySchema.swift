import Foundation

/// The keys a policy file may use, per mapping, and the did-you-mean
/// suggestion for a key that is not among them.
enum PolicySchema {
    static let root = ["version", "consortium", "roles", "identities", "rules", "endpoints", "limits", "delivery", "transport"]
    static let consortium = ["name", "key"]
    static let identity = ["name", "organisation", "node", "enode", "roles", "genesis"]
    static let rules = ["self-join", "self-leave", "admission", "removal", "policy-change"]
    static let approvalRule = ["announcers", "approvals", "approver-roles"]
    static let endpoints = ["networks", "ports"]
    static let limits = ["min-validators", "validator-role", "max-members"]
    static let delivery = ["envelope-ttl", "announcement-ttl", "retry-backoff", "give-up-after", "max-clock-skew"]
    static let retryBackoff = ["base", "max"]
    static let transport = ["min-pow", "max-message-size", "max-envelope-size"]

    /// Every key of the schema, for suggestions.
    static let allKeys: [String] = Array(Set(
        root + consortium + identity + rules + approvalRule + endpoints + limits + delivery + retryBackoff + transport
    )).sorted()

    /// The closest schema key to `key` when it is plausibly a typo
    /// (edit distance at most 2, and less than half the key's length).
    static func suggestion(for key: String) -> String? {
        let lowered = key.lowercased().replacingOccurrences(of: "_", with: "-")
        var best: (key: String, distance: Int)?
        for candidate in allKeys {
            let distance = editDistance(lowered, candidate)
            if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        guard let best, best.distance <= 2, best.distance * 2 < max(key.count, 2) else { return nil }
        return best.key
    }

    /// Levenshtein distance over Unicode scalars (keys are short).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
