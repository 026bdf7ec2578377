import HeraldCrypto

/// Applies the policy to one announcement at its place in the total order,
/// updating the replay state and the decisions. Deterministic: the same
/// state and announcement give the same result.
struct Replayer {
    let policy: Policy
    let policyHash: PolicyHash
    private let identities: [NodeID: Policy.Identity]

    init(policy: Policy, policyHash: PolicyHash) {
        self.policy = policy
        self.policyHash = policyHash
        identities = Dictionary(policy.identities.map { ($0.node, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private enum Verdict {
        case free
        case needs(Policy.ApprovalRule)
        case reject(RejectionCode, String)
    }

    /// Processes `signed` at `key`. With `madeUnderKnownPolicy`, the caller has
    /// checked the policy the announcement names (a consortium policy change is
    /// in force, and it names one of the chain); otherwise it must name this one.
    func process(
        _ signed: SignedAnnouncement, key: OrderKey, context: ReplayContext, madeUnderKnownPolicy: Bool = false,
        state: inout ReplayState, decisions: inout [AnnouncementID: PolicyDecision]
    ) {
        let body = signed.announcement
        guard madeUnderKnownPolicy || body.policyHash == policyHash else {
            decisions[signed.id] = .rejected(
                code: .policyMismatch,
                reason: "made under policy \(body.policyHash.hex.prefix(8))…, the policy in force is \(policyHash.hex.prefix(8))…"
            )
            return
        }
        switch body.kind {
        case .join, .leave, .policyChange:
            processChange(signed, key: key, context: context, state: &state, decisions: &decisions)
        case .approve:
            processApproval(signed, key: key, context: context, state: &state, decisions: &decisions)
        }
    }

    // MARK: - Joins, leaves and policy changes

    private func processChange(_ signed: SignedAnnouncement, key: OrderKey, context: ReplayContext,
                               state: inout ReplayState, decisions: inout [AnnouncementID: PolicyDecision]) {
        let early = state.early.isEmpty ? [] : (state.early.removeValue(forKey: signed.id) ?? [])
        switch evaluate(signed, context: context, state: state) {
        case .reject(let code, let reason):
            decisions[signed.id] = .rejected(code: code, reason: reason)
            settleEarly(early, target: signed.id, outcome: "was rejected", decisions: &decisions)
        case .free:
            decisions[signed.id] = takeEffect(signed, key: key, approvers: [], context: context, state: &state)
            settleEarly(early, target: signed.id, outcome: "needed no approvals", decisions: &decisions)
        case .needs(let rule):
            var change = PendingChange(announcement: signed, key: key, rule: rule, approvers: [])
            if let roles = authority(signed.announcement.announcer, state), !Set(roles).isDisjoint(with: rule.approverRoles) {
                change.approvers.append(signed.announcement.announcer)
            }
            for item in early {
                decisions[item.approval.id] = addApproval(item.approval, authority: item.authority, to: &change)
            }
            if change.approvers.count >= rule.approvals {
                decisions[signed.id] = takeEffect(signed, key: key, approvers: change.approvers, context: context, state: &state)
            } else {
                state.pending[signed.id] = change
                decisions[signed.id] = .pending(reason: DecisionReasons.needsApprovals(rule, approvers: change.approvers))
            }
        }
    }

    private func settleEarly(_ early: [EarlyApproval], target: AnnouncementID, outcome: String, decisions: inout [AnnouncementID: PolicyDecision]) {
        for item in early {
            decisions[item.approval.id] = .rejected(code: .nothingToApprove, reason: "\(target) is not pending: it \(outcome)")
        }
    }

    private func evaluate(_ signed: SignedAnnouncement, context: ReplayContext, state: ReplayState) -> Verdict {
        let body = signed.announcement
        let subject = body.subject
        let identity = identities[subject]
        let rules = policy.rules

        if body.kind == .policyChange {
            return evaluatePolicyChange(signed, context: context, state: state)
        }
        if body.kind == .join, let problem = joinContentProblem(body, identity: identity) {
            return problem
        }
        if body.kind == .leave {
            let pendingJoin = state.pending.values.contains {
                $0.announcement.announcement.subject == subject && $0.announcement.announcement.kind == .join
            }
            guard state.members[subject] != nil || pendingJoin else {
                return .reject(.notAMember, "node \(DecisionReasons.short(subject)) is not a member")
            }
        }

        if subject == body.announcer {
            switch body.kind {
            case .join:
                if identity != nil && rules.selfJoin { return .free }
                if identity == nil && rules.admission.approvals == 0 {
                    return .reject(.unauthorisedAnnouncer,
                                   "node \(DecisionReasons.short(subject)) is not listed in the policy; a member must admit it")
                }
                return rules.admission.approvals == 0 ? .free : .needs(rules.admission)
            case .leave:
                if rules.selfLeave || rules.removal.approvals == 0 { return .free }
                return .needs(rules.removal)
            case .approve, .policyChange:
                return .free
            }
        }

        guard let roles = authority(body.announcer, state) else {
            return .reject(.unauthorisedAnnouncer,
                           "announcer \(DecisionReasons.short(body.announcer)) is not a member, so it may not announce for \(DecisionReasons.short(subject))")
        }
        let rule = body.kind == .join ? rules.admission : rules.removal
        if !rule.announcerRoles.isEmpty && Set(roles).isDisjoint(with: rule.announcerRoles) {
            return .reject(.unauthorisedAnnouncer,
                           "announcer \(DecisionReasons.short(body.announcer)) needs role \(rule.announcerRoles.joined(separator: " or ")) to announce a \(body.kind) for another node")
        }
        return rule.approvals == 0 ? .free : .needs(rule)
    }

    private func joinContentProblem(_ body: Announcement, identity: Policy.Identity?) -> Verdict? {
        for role in body.roles where !policy.roles.contains(role) {
            return .reject(.unknownRole, "unknown role '\(role)' (known: \(policy.roles.joined(separator: ", ")))")
        }
        if let identity {
            for role in body.roles where !identity.roles.contains(role) {
                return .reject(.roleNotGranted, "the policy does not grant role '\(role)' to \(identity.name)")
            }
        }
        let rules = policy.endpoints
        if let enode = body.enode, let host = enode.host,
           !rules.allows(host: host.description, port: enode.tcpPort) {
            return .reject(.endpointNotAllowed, "enode address \(host):\(enode.tcpPort) is outside the allowed networks and ports")
        }
        if let endpoint = body.agentEndpoint, !rules.allows(host: endpoint.host, port: endpoint.port) {
            return .reject(.endpointNotAllowed, "agent endpoint \(endpoint) is outside the allowed networks and ports")
        }
        return nil
    }

    /// Applies an accepted join or leave unless a later accepted one for the same subject already won;
    /// puts an accepted policy change's policy in force unless another has replaced the one it replaces.
    private func takeEffect(_ signed: SignedAnnouncement, key: OrderKey, approvers: [NodeID], context: ReplayContext,
                            state: inout ReplayState) -> PolicyDecision {
        let body = signed.announcement
        let subject = body.subject
        if body.kind == .policyChange {
            return putInForce(signed, approvers: approvers, context: context, state: &state)
        }
        if let winner = state.winners[subject], winner > key {
            return .accepted   // superseded by a later accepted announcement for the same node
        }
        switch body.kind {
        case .join:
            if state.members[subject] == nil, let maximum = policy.limits.maxMembers, state.members.count >= maximum {
                return .rejected(code: .tooManyMembers,
                                 reason: "the consortium has \(state.members.count) members, the policy allows at most \(maximum)")
            }
            let roles = body.roles.isEmpty ? (identities[subject]?.roles ?? []) : body.roles
            state.setMember(Member(node: subject, enode: body.canonicalEnode, agentEndpoint: body.agentEndpoint, roles: roles, since: signed.id))
        case .leave:
            let role = policy.limits.validatorRole
            if policy.limits.minValidators > 0, let member = state.members[subject], member.roles.contains(role) {
                let validators = state.validatorCount
                if validators - 1 < policy.limits.minValidators {
                    return .rejected(code: .belowMinimumValidators,
                                     reason: "leaving would leave \(validators - 1) validators, the policy requires at least \(policy.limits.minValidators)")
                }
            }
            state.removeMember(subject)
        case .approve, .policyChange:
            return .accepted
        }
        state.winners[subject] = key
        return .accepted
    }

    // MARK: - Approvals

    private func processApproval(
        _ signed: SignedAnnouncement, key: OrderKey, context: ReplayContext,
        state: inout ReplayState, decisions: inout [AnnouncementID: PolicyDecision]
    ) {
        guard let target = signed.announcement.approvedID else { return }
        let roles = authority(signed.announcement.announcer, state)
        guard let targetKey = context.keys[target], targetKey < key else {
            state.early[target, default: []].append(EarlyApproval(approval: signed, authority: roles))
            decisions[signed.id] = .pending(reason: "approves \(target), which this agent has not received")
            return
        }
        guard var change = state.pending[target] else {
            let outcome: String
            switch decisions[target] {
            case .accepted?: outcome = "it was accepted"
            case .rejected?: outcome = "it was rejected"
            default: outcome = "it is not a join, leave or policy change"
            }
            decisions[signed.id] = .rejected(code: .nothingToApprove, reason: "\(target) is not pending: \(outcome)")
            return
        }
        let decision = addApproval(signed, authority: roles, to: &change)
        decisions[signed.id] = decision
        guard decision == .accepted else { return }
        if change.approvers.count >= change.rule.approvals {
            state.pending[target] = nil
            decisions[target] = takeEffect(change.announcement, key: change.key, approvers: change.approvers, context: context, state: &state)
        } else {
            state.pending[target] = change
            decisions[target] = .pending(reason: DecisionReasons.needsApprovals(change.rule, approvers: change.approvers))
        }
    }

    private func addApproval(_ approval: SignedAnnouncement, authority: [String]?, to change: inout PendingChange) -> PolicyDecision {
        let body = approval.announcement
        let target = change.announcement.announcement
        let approver = DecisionReasons.short(body.announcer)
        guard body.subject == target.subject else {
            return .rejected(code: .approvalSubjectMismatch,
                             reason: "names subject \(DecisionReasons.short(body.subject)), but \(change.announcement.id) is about \(DecisionReasons.short(target.subject))")
        }
        guard body.issuedAt <= target.expiresAt else {
            return .rejected(code: .approvalTooLate,
                             reason: "issued at \(Timestamp.format(body.issuedAt)), after \(change.announcement.id) expired at \(Timestamp.format(target.expiresAt))")
        }
        guard let authority else {
            return .rejected(code: .notAnApprover, reason: "approver \(approver) is not a member")
        }
        guard !Set(authority).isDisjoint(with: change.rule.approverRoles) else {
            return .rejected(code: .notAnApprover,
                             reason: "approver \(approver) does not hold role \(change.rule.approverRoles.joined(separator: " or "))")
        }
        guard !change.approvers.contains(body.announcer) else {
            return .rejected(code: .duplicateApproval, reason: "approver \(approver) has already approved \(change.announcement.id)")
        }
        change.approvers.append(body.announcer)
        return .accepted
    }

    // MARK: - Policy changes

    private func evaluatePolicyChange(_ signed: SignedAnnouncement, context: ReplayContext, state: ReplayState) -> Verdict {
        let body = signed.announcement
        let proposed: Replayer
        switch context.proposals[signed.id] {
        case .loaded(let replayer)?: proposed = replayer
        case .invalid(let reason)?: return .reject(.invalidPolicy, "the proposed policy does not load: \(reason)")
        case nil: return .reject(.invalidPolicy, "the proposed policy was not loaded")
        }
        if let refusal = proposed.policy.refusalToReplace(policy) {
            return .reject(.policyChangeRefused, refusal)
        }
        guard body.policyHash == policyHash else {
            return .reject(.stalePolicyChange, DecisionReasons.stale(replaces: body.policyHash, inForce: policyHash))
        }
        guard proposed.policyHash != policyHash else {
            return .reject(.policyChangeRefused, "proposes the policy already in force (\(policyHash.hex.prefix(8))…)")
        }
        let rule = policy.policyChangeRule(validators: state.validatorCount)
        guard let roles = authority(body.announcer, state) else {
            return .reject(.unauthorisedAnnouncer, "announcer \(DecisionReasons.short(body.announcer)) is not a member, so it may not propose a policy")
        }
        if !rule.announcerRoles.isEmpty && Set(roles).isDisjoint(with: rule.announcerRoles) {
            return .reject(.unauthorisedAnnouncer,
                           "announcer \(DecisionReasons.short(body.announcer)) needs role \(rule.announcerRoles.joined(separator: " or ")) to propose a policy")
        }
        return rule.approvals == 0 ? .free : .needs(rule)
    }

    /// The policy change takes effect at the current place in the order, if the policy it
    /// replaces is still the one in force here (this replayer's).
    private func putInForce(_ signed: SignedAnnouncement, approvers: [NodeID], context: ReplayContext,
                            state: inout ReplayState) -> PolicyDecision {
        let body = signed.announcement
        guard body.policyHash == policyHash else {
            return .rejected(code: .stalePolicyChange, reason: DecisionReasons.stale(replaces: body.policyHash, inForce: policyHash))
        }
        guard case .loaded(let proposed)? = context.proposals[signed.id] else {
            return .rejected(code: .invalidPolicy, reason: "the proposed policy was not loaded")
        }
        state.accept(AcceptedPolicyChange(id: signed.id, proposer: body.announcer, policy: proposed.policy, text: body.policyText,
                                          replaced: policyHash, approvers: approvers),
                     replayer: proposed)
        return .accepted
    }

    /// The roles that give `node` authority: its policy roles, if it is a member; nil otherwise.
    private func authority(_ node: NodeID, _ state: ReplayState) -> [String]? {
        guard state.members[node] != nil else { return nil }
        return identities[node]?.roles ?? []
    }
}
