import Foundation
import HeraldCrypto
import Logging
import Metrics
import Membership
import NodeAdapters

/// One node adapter's apply history: what it last applied, how often it
/// failed in a row, the node's last error and when to try again. The
/// schedule is a pure function of the failures and the ``RetryPolicy``, so
/// it is tested without sleeping.
struct AdapterApplyState: Sendable, Equatable {
    /// The adapter's name in logs, metrics and `herald status`: its kind,
    /// with `#2`, `#3`… for a second, third adapter of the same kind.
    let name: String
    /// Apply attempts since the agent started.
    var attempts = 0
    /// Failed attempts since the last success; 0 when the last attempt succeeded.
    var consecutiveFailures = 0
    /// The last failure: adapter, call and the node's error text.
    var lastError: String?
    /// Unix time (seconds) of the last failure and of the last success.
    var lastFailureAt: Double?
    var lastSuccessAt: Double?
    /// Unix time of the next retry of a failed list; nil when none is due
    /// (the last attempt succeeded, or the policy's attempts ran out).
    var nextRetryAt: Double?
    /// The member list this adapter last applied, and the one it last failed to apply.
    var appliedDigest: MembershipDigest?
    var failedDigest: MembershipDigest?

    init(name: String) { self.name = name }

    /// Names for adapters of `kinds`, in order: the kind, numbered from the second of a kind on.
    static func names(forKinds kinds: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return kinds.map { kind in
            seen[kind, default: 0] += 1
            let count = seen[kind]!
            return count == 1 ? kind : "\(kind)#\(count)"
        }
    }

    /// Whether list `digest` should be applied now: a list not yet applied
    /// is applied at once, unless it is the list that failed, which waits
    /// for ``nextRetryAt``.
    func isDue(_ digest: MembershipDigest, now: Double) -> Bool {
        guard appliedDigest != digest else { return false }
        guard failedDigest == digest else { return true }
        return nextRetryAt.map { now >= $0 } ?? false
    }

    /// Records a successful apply of `digest` at `now`: the backoff starts over.
    mutating func succeeded(_ digest: MembershipDigest, at now: Double) {
        attempts += 1
        consecutiveFailures = 0
        appliedDigest = digest
        failedDigest = nil
        nextRetryAt = nil
        lastSuccessAt = now
    }

    /// Records a failed apply of `digest` at `now` and schedules the retry:
    /// the delay after the n-th failure in a row is `policy.delay(afterAttempt: n, random:)`.
    mutating func failed(_ digest: MembershipDigest, error: String, at now: Double, policy: RetryPolicy, random: Double) {
        attempts += 1
        consecutiveFailures += 1
        failedDigest = digest
        lastError = error
        lastFailureAt = now
        if policy.shouldRetry(afterAttempt: consecutiveFailures) {
            let delay = policy.delay(afterAttempt: consecutiveFailures, random: random)
            nextRetryAt = now + Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
        } else {
            nextRetryAt = nil
        }
    }

    /// What the control API reports.
    var status: AdapterStatus {
        let state: AdapterStatus.State
        if consecutiveFailures > 0 {
            state = .failing
        } else if appliedDigest != nil {
            state = .ok
        } else {
            state = .pending
        }
        return AdapterStatus(adapter: name, state: state, attempts: attempts, consecutiveFailures: consecutiveFailures,
                             lastError: lastError, lastFailureAt: lastFailureAt, lastSuccessAt: lastSuccessAt,
                             nextRetryAt: consecutiveFailures > 0 ? nextRetryAt : nil)
    }
}

/// Applying the member list through the node adapters, each on its own retry schedule.
extension HeraldAgent {
    /// Applies the member list through every adapter that has not applied
    /// it yet. A new list is tried at once; a list an adapter failed to
    /// apply is retried by ``applyIfDue()`` with the ``RetryPolicy`` backoff
    /// (delay growing with the failures in a row, reset on success), so a
    /// refusing node is not hammered. One adapter failing does not hold
    /// back the others.
    func applyIfChanged() async {
        guard !applyStates.isEmpty else { return }   // no adapters: nothing to apply, no digest to compute
        guard !applying else { applyAgain = true; return }
        applying = true
        defer { applying = false }
        repeat {
            applyAgain = false
            let digest = log.digest
            let now = Date().timeIntervalSince1970
            let due = applyStates.indices.filter { applyStates[$0].isDue(digest, now: now) }
            if !due.isEmpty {
                let desired = desiredPeerSet()
                for index in due { await apply(desired, digest: digest, adapter: index) }
            }
        } while applyAgain
    }

    /// Retries failed applies whose time has come (called periodically).
    func applyIfDue() async {
        guard !applyStates.isEmpty else { return }
        let digest = log.digest
        let now = Date().timeIntervalSince1970
        guard applyStates.contains(where: { $0.isDue(digest, now: now) }) else { return }
        await applyIfChanged()
    }

    /// The member list every adapter has applied (with no adapters, the current one); nil while they differ.
    var appliedDigest: MembershipDigest? {
        guard let first = applyStates.first else { return log.digest }
        return applyStates.allSatisfy { $0.appliedDigest == first.appliedDigest } ? first.appliedDigest : nil
    }

    /// Every adapter's apply state, in configuration order.
    func adapterStatuses() -> [AdapterStatus] {
        applyStates.map(\.status)
    }

    private func desiredPeerSet() -> DesiredPeerSet {
        let members = log.members.compactMap { member -> PeerSetMember? in
            guard let enode = Enode(member.enode) else { return nil }
            return PeerSetMember(enode: enode, name: policy.identity(member.node)?.name, roles: member.roles)
        }
        return DesiredPeerSet(members: members, localNodeID: nodeID)
    }

    private func apply(_ desired: DesiredPeerSet, digest: MembershipDigest, adapter index: Int) async {
        let adapter = adapters[index]
        let name = applyStates[index].name
        let metrics = metrics.adapters[index]
        metrics.attempts.increment()
        let clock = ContinuousClock()
        let started = clock.now
        do {
            let report = try await adapter.apply(desired)
            metrics.duration.record(duration: clock.now - started)
            applyStates[index].succeeded(digest, at: Date().timeIntervalSince1970)
            metrics.failing.record(0)
            logger.info("applied: \(report)", metadata: ["adapter": "\(name)"])
        } catch {
            metrics.duration.record(duration: clock.now - started)
            let text = Self.describeApplyFailure(error, kind: adapter.kind)
            applyStates[index].failed(digest, error: text, at: Date().timeIntervalSince1970, policy: applyRetry,
                                      random: Double.random(in: 0..<1))
            metrics.failures.increment()
            metrics.failing.record(1)
            let state = applyStates[index]
            var metadata: Logger.Metadata = ["adapter": "\(name)", "failures": "\(state.consecutiveFailures)"]
            if case .callFailed(_, let call, _)? = error as? NodeAdapterError { metadata["call"] = "\(call)" }
            if let next = state.nextRetryAt {
                metadata["retry-in"] = "\(String(format: "%.1f", max(0, next - Date().timeIntervalSince1970)))s"
            } else {
                metadata["retry-in"] = "never (attempts exhausted; waiting for a new member list)"
            }
            logger.error("apply failed: \(text)", metadata: metadata)
        }
    }

    /// The failure as the operator reads it, always naming the adapter:
    /// `geth-admin: admin_addPeer failed: node returned error -32000: …`.
    static func describeApplyFailure(_ error: any Error, kind: String) -> String {
        let text = (error as? NodeAdapterError)?.description ?? "\(error)"
        return text.hasPrefix(kind) ? text : "\(kind): \(text)"
    }
}
