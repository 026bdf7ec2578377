import Foundation
import HeraldCrypto
import Membership
import NodeAdapters

/// Consortium policy changes (`herald policy propose`): announcing one, and
/// following the policy the consortium has put in force.
extension HeraldAgent {
    /// Announces a consortium policy change to the policy `text` (YAML); it
    /// takes effect on every agent once approved as the policy in force says.
    ///
    /// - Throws: ``AgentError/invalidRequest(_:)`` when the text does not load
    ///   (with line and column), is too long, is the policy in force, or changes
    ///   the consortium name or key.
    public func proposePolicy(_ text: String) async throws(AgentError) -> AnnouncementStatus {
        let limit = AnnouncementLimits.default.maxPolicyTextLength
        guard text.utf8.count <= limit else {
            throw .invalidRequest("the proposed policy is \(text.utf8.count) bytes; a policy change carries at most \(limit)")
        }
        let proposed: Policy
        do {
            proposed = try PolicyLoader.load(yaml: text, path: "proposed policy")
        } catch {
            throw .invalidRequest("\(error)")
        }
        if let refusal = proposed.refusalToReplace(policy) {
            throw .invalidRequest("the proposed policy may not replace the one in force: \(refusal)")
        }
        guard proposed.hash != policy.hash else {
            throw .invalidRequest("the proposed policy is the one in force (\(policy.hash.hex.prefix(12))…)")
        }
        return try await publish(kind: .policyChange, subject: nodeID, subjectEnode: "", endpoint: nil, roles: [],
                                 approving: nil, extraRecipients: [], policyText: text)
    }

    /// Puts in force the policy the log now decides by, when a consortium policy
    /// change (or the loss of one, by an entry placed before it) changed it:
    /// writes an accepted policy's text to the policy file atomically, keeping
    /// the previous file as `policy.yaml.prev`, then updates everything derived
    /// from the policy, as a reload does. Called after new log entries.
    func followConsortiumPolicy() {
        let hash = log.policyHashInForce
        guard hash != followedPolicyHash else { return }
        let previous = policy
        let inForce = log.policyInForce
        followedPolicyHash = hash
        if let change = log.policyChanges.last, change.policy.hash == hash {
            do {
                try AtomicFileWriter.write(Array(change.text.utf8), to: configuration.policy)
            } catch {
                logger.error("the consortium's policy \(hash.hex.prefix(12))… is in force, but writing it to the policy file failed: \(error)")
            }
            logger.notice("consortium policy change \(change.id) in force", metadata: [
                "policy": "\(hash.hex.prefix(12))", "previous": "\(previous.hash.hex.prefix(12))",
                "approvers": "\(change.approvers.map { $0.hex.prefix(8) }.joined(separator: ","))",
            ])
        } else {
            logger.warning("the consortium policy change in force was undone by an earlier entry; policy \(hash.hex.prefix(12))… decides again")
        }
        putInForce(inForce)
    }

    /// Updates what derives from the policy: sealing, envelope checks, retry timing and the allowlist.
    func putInForce(_ new: Policy) {
        policy = new
        sealer = Self.sealer(for: new, topic: topic, key: symmetricKey, signingKey: key)
        intake.validator.value = Self.validator(for: new)
        retry = Self.retry(for: new)
        refreshAllowlist()
    }
}
