import HeraldCrypto
import Membership
import Whisper

/// What a policy reload did, as `herald policy reload` reports it.
public struct PolicyReloadResult: Codable, Sendable, Equatable {
    /// The policy file read.
    public var path: String
    /// The hash of the policy now in force (`0x` and 64 hex digits).
    public var policyHash: String
    /// The hash of the policy in force before.
    public var previousPolicyHash: String
    /// False when the file means the policy already in force (nothing changed).
    public var changed: Bool
    /// Changes read from the file that take effect only when the agent restarts.
    public var needsRestart: [String]
    /// Set when the file was not put in force because the consortium's accepted policy decides.
    public var warning: String?

    /// Creates a result.
    public init(path: String, policyHash: String, previousPolicyHash: String, changed: Bool, needsRestart: [String] = [],
                warning: String? = nil) {
        self.path = path
        self.policyHash = policyHash
        self.previousPolicyHash = previousPolicyHash
        self.changed = changed
        self.needsRestart = needsRestart
        self.warning = warning
    }
}

/// Reloading the policy (SIGHUP, `herald policy reload`).
extension HeraldAgent {
    /// Re-reads the configured policy file and puts it in force: for the
    /// membership log's future decisions (existing entries keep theirs), the
    /// member state and the allowlist, envelope TTL and size limits, and
    /// retry timing.
    ///
    /// A file that does not load, or that changes the consortium name or
    /// key reference (which needs every agent restarted together), is
    /// refused; the previous policy then stays in force. The RLPx message
    /// size limit is fixed when the agent starts; a change to it is reported
    /// in ``PolicyReloadResult/needsRestart``.
    ///
    /// - Returns: What changed.
    /// - Throws: ``AgentError/policyReload(path:reason:)`` with the file's
    ///   error (`file:line:column: what is wrong`) or the refused change.
    @discardableResult
    public func reloadPolicy() throws(AgentError) -> PolicyReloadResult {
        let path = configuration.policy
        do {
            return try adoptPolicy(from: path)
        } catch {
            logger.error("policy reload refused: \(error)")
            throw error
        }
    }

    private func adoptPolicy(from path: String) throws(AgentError) -> PolicyReloadResult {
        let loaded: (policy: Policy, source: String)
        do {
            loaded = try PolicyLoader.loadWithSource(contentsOf: path)
        } catch {
            throw .policyReload(path: path, reason: error.description)
        }
        let new = loaded.policy
        let previous = policy
        guard new.consortium.name == previous.consortium.name else {
            throw .policyReload(path: path, reason: "the consortium name changes from '\(previous.consortium.name)' to "
                                + "'\(new.consortium.name)', which a reload may not do (restart every agent with a new log instead)")
        }
        guard new.consortium.keyReference == previous.consortium.keyReference else {
            throw .policyReload(path: path, reason: "the consortium key changes from '\(previous.consortium.keyReference)' to "
                                + "'\(new.consortium.keyReference)', which a reload may not do (restart every agent with the new key instead)")
        }
        let result = PolicyReloadResult(path: path, policyHash: new.hash.description, previousPolicyHash: previous.hash.description,
                                        changed: new.hash != previous.hash)
        guard result.changed else {
            logger.info("policy reload: \(path) is unchanged", metadata: ["policy": "\(new.hash.hex.prefix(12))"])
            return result
        }
        if !log.policyChanges.isEmpty {
            // The consortium agreed the policy in force; a file edited on one host does not replace it.
            let warning = "\(path) (policy \(new.hash.hex.prefix(12))…) differs from the consortium's accepted policy "
                + "\(previous.hash.hex.prefix(12))…, which stays in force; to change it on every agent, run 'herald policy propose \(path)'"
            logger.warning("policy reload: \(warning)")
            return PolicyReloadResult(path: path, policyHash: previous.hash.description, previousPolicyHash: previous.hash.description,
                                      changed: false, warning: warning)
        }
        do {
            try log.replacePolicy(new, source: loaded.source)
        } catch {
            throw .policyReload(path: path, reason: error.description)
        }
        putInForce(new)
        followedPolicyHash = log.policyHashInForce
        var reloaded = result
        if new.transport.maxMessageSize != previous.transport.maxMessageSize {
            reloaded.needsRestart.append("transport max-message-size")
        }
        logger.notice("policy reloaded", metadata: [
            "policy": "\(new.hash.hex.prefix(12))", "previous": "\(previous.hash.hex.prefix(12))",
            "needs-restart": "\(reloaded.needsRestart.joined(separator: ", "))",
        ])
        // The member list may have changed (genesis members come from the policy in force): the
        // periodic applyIfDue applies it; resend now what the new retry timing makes due.
        deliveryTick()
        return reloaded
    }

    // MARK: - What derives from the policy

    static func sealer(for policy: Policy, topic: Topic, key: SymmetricKey, signingKey: Secp256k1.PrivateKey) -> EnvelopeSealer {
        EnvelopeSealer(topic: topic, encryption: .symmetric(key), signingKey: signingKey,
                       timeToLive: UInt32(clamping: max(1, policy.delivery.envelopeTTL)),
                       proofOfWorkTarget: 0, maxEnvelopeSize: policy.transport.maxEnvelopeSize)
    }

    static func validator(for policy: Policy) -> EnvelopeValidator {
        EnvelopeValidator(maxEnvelopeSize: policy.transport.maxEnvelopeSize, minimumProofOfWork: policy.transport.minPoW)
    }

    static func retry(for policy: Policy) -> Backoff {
        Backoff(base: Double(max(1, policy.delivery.retryBase)), max: Double(max(1, policy.delivery.retryMax)))
    }
}
