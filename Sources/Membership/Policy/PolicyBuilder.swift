import HeraldCrypto

/// Turns a checked YAML tree into a ``Policy``, one schema section per method.
struct PolicyBuilder {
    let file: String

    func policy(_ root: PolicyNode) throws(PolicyError) -> Policy {
        let top = try root.mapping(allowed: PolicySchema.root)
        let versionNode = try top.required("version")
        let version = try versionNode.int(in: 0...Int.max)
        guard version == 1 else { throw versionNode.invalid("unsupported policy version \(version) (this agent reads version 1)") }

        let consortium = try self.consortium(try top.required("consortium"))
        let (roles, displayRoles) = try self.roles(top.optional("roles"))
        let identities = try self.identities(try top.required("identities"), roles: roles, displayRoles: displayRoles)
        let rules = try self.rules(top.optional("rules"), roles: roles, displayRoles: displayRoles, identities: identities)
        let endpoints = try self.endpoints(top.optional("endpoints"))
        let limits = try self.limits(top.optional("limits"), roles: roles, displayRoles: displayRoles, identities: identities)
        let delivery = try self.delivery(top.optional("delivery"))
        let transport = try self.transport(top.optional("transport"))
        return Policy(
            version: version, consortium: consortium, roles: roles, identities: identities, rules: rules,
            endpoints: endpoints, limits: limits, delivery: delivery, transport: transport
        )
    }

    // MARK: - Sections

    private func consortium(_ node: PolicyNode) throws(PolicyError) -> Policy.Consortium {
        let map = try node.mapping(allowed: PolicySchema.consortium)
        let nameNode = try map.required("name")
        let name = try nameNode.nonEmptyString(maxLength: 64)
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw nameNode.invalid("'\(name)' may use only letters, digits, '-', '_' and '.'")
        }
        let key = try map.required("key").nonEmptyString(maxLength: 1024)
        return Policy.Consortium(name: name, keyReference: key)
    }

    /// The known roles, sorted, and as written (for messages).
    private func roles(_ node: PolicyNode?) throws(PolicyError) -> ([String], [String]) {
        guard let node else { return (PolicyLoader.defaultRoles.sorted(), PolicyLoader.defaultRoles) }
        var seen: [String] = []
        for item in try node.sequence() {
            let role = try item.nonEmptyString(maxLength: 64)
            guard role.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
                throw item.invalid("role '\(role)' may use only lowercase letters, digits and '-'")
            }
            guard !seen.contains(role) else {
                throw .duplicate(path: file, line: item.line, column: item.column, field: item.field, value: "role '\(role)'")
            }
            seen.append(role)
        }
        guard !seen.isEmpty else { throw node.invalid("must list at least one role") }
        return (seen.sorted(), seen)
    }

    private func roleList(_ node: PolicyNode, known: [String], display: [String]) throws(PolicyError) -> [String] {
        var result: [String] = []
        for item in try node.sequence() {
            let role = try item.string()
            guard known.contains(role) else {
                throw .unknownRole(path: file, line: item.line, column: item.column, field: node.field, role: role, known: display)
            }
            guard !result.contains(role) else {
                throw .duplicate(path: file, line: item.line, column: item.column, field: node.field, value: "role '\(role)'")
            }
            result.append(role)
        }
        return result.sorted()
    }

    private func identities(_ node: PolicyNode, roles: [String], displayRoles: [String]) throws(PolicyError) -> [Policy.Identity] {
        var identities: [Policy.Identity] = []
        var names: Set<String> = []
        var nodes: Set<NodeID> = []
        for item in try node.sequence() {
            let map = try item.mapping(allowed: PolicySchema.identity)
            let nameNode = try map.required("name")
            let name = try nameNode.nonEmptyString(maxLength: 64)
            guard names.insert(name).inserted else {
                throw .duplicate(path: file, line: nameNode.line, column: nameNode.column, field: nameNode.field, value: "identity name '\(name)'")
            }
            let organisation = try map.required("organisation").nonEmptyString(maxLength: 128)
            let identityRoles = try map.optional("roles").map { n throws(PolicyError) in
                try roleList(n, known: roles, display: displayRoles)
            } ?? []
            let isGenesis = try map.optional("genesis")?.bool() ?? false

            var enode: Enode?
            if let enodeNode = map.optional("enode") {
                let text = try enodeNode.string()
                do {
                    enode = try Enode(parsing: text)
                } catch {
                    throw enodeNode.invalid("malformed enode URL: \(error)")
                }
                if enode?.host == nil || enode?.tcpPort == 0 {
                    throw enodeNode.invalid("enode URL needs a host and TCP port")
                }
            }
            var nodeID = enode?.nodeID
            if let idNode = map.optional("node") {
                let text = try idNode.string()
                guard let bytes = try? Hex.decode(text), bytes.count == 32, let id = try? NodeID(rawRepresentation: bytes) else {
                    throw idNode.invalid("node ID must be 64 hex digits (keccak256 of the node's public key)")
                }
                if let fromEnode = nodeID, fromEnode != id {
                    throw idNode.invalid("node ID \(id.hex) differs from the enode's \(fromEnode.hex)")
                }
                nodeID = id
            }
            guard let nodeID else {
                throw .missingKey(path: file, line: item.line, column: item.column, field: item.field, key: "node")
            }
            if isGenesis && enode == nil {
                throw .missingKey(path: file, line: item.line, column: item.column, field: item.field, key: "enode")
            }
            guard nodes.insert(nodeID).inserted else {
                throw .duplicate(path: file, line: item.line, column: item.column, field: item.field, value: "node \(nodeID.hex)")
            }
            identities.append(Policy.Identity(
                node: nodeID, name: name, organisation: organisation, roles: identityRoles,
                isGenesis: isGenesis, enode: enode?.description
            ))
        }
        guard identities.contains(where: \.isGenesis) else {
            throw node.invalid("no genesis member: at least one identity needs 'genesis: true'")
        }
        return identities.sorted { $0.node < $1.node }
    }

    private func rules(
        _ node: PolicyNode?, roles: [String], displayRoles: [String], identities: [Policy.Identity]
    ) throws(PolicyError) -> Policy.Rules {
        let open = Policy.ApprovalRule(announcerRoles: [], approvals: 0, approverRoles: [])
        guard let node else { return Policy.Rules(selfJoin: true, selfLeave: true, admission: open, removal: open) }
        let map = try node.mapping(allowed: PolicySchema.rules)
        func rule(_ key: String) throws(PolicyError) -> Policy.ApprovalRule {
            guard let ruleNode = map.optional(key) else { return open }
            let ruleMap = try ruleNode.mapping(allowed: PolicySchema.approvalRule)
            let announcers = try ruleMap.optional("announcers").map { n throws(PolicyError) in
                try roleList(n, known: roles, display: displayRoles)
            } ?? []
            let approvalsNode = ruleMap.optional("approvals")
            let approvals = try approvalsNode?.int(in: 0...64) ?? 0
            let approverNode = ruleMap.optional("approver-roles")
            let approvers = try approverNode.map { n throws(PolicyError) in
                try roleList(n, known: roles, display: displayRoles)
            } ?? []
            if approvals > 0 {
                guard approverNode != nil, !approvers.isEmpty else {
                    throw .missingKey(path: file, line: ruleNode.line, column: ruleNode.column, field: ruleNode.field, key: "approver-roles")
                }
                let holders = identities.filter { !Set($0.roles).isDisjoint(with: approvers) }.count
                guard holders >= approvals else {
                    throw (approvalsNode ?? ruleNode).invalid(
                        "needs \(approvals) approvals but only \(holders) \(holders == 1 ? "identity holds" : "identities hold") role \(approvers.joined(separator: " or "))"
                    )
                }
            }
            return Policy.ApprovalRule(announcerRoles: announcers, approvals: approvals, approverRoles: approvers)
        }
        return Policy.Rules(
            selfJoin: try map.optional("self-join")?.bool() ?? true,
            selfLeave: try map.optional("self-leave")?.bool() ?? true,
            admission: try rule("admission"),
            removal: try rule("removal"),
            policyChange: map.optional("policy-change") == nil ? nil : try rule("policy-change")
        )
    }

    private func endpoints(_ node: PolicyNode?) throws(PolicyError) -> Policy.EndpointRules {
        guard let node else { return Policy.EndpointRules(networks: [], ports: []) }
        let map = try node.mapping(allowed: PolicySchema.endpoints)
        var networks: [CIDR] = []
        for item in try map.optional("networks")?.sequence() ?? [] {
            let text = try item.string()
            do {
                networks.append(try CIDR(parsing: text))
            } catch {
                throw item.invalid("'\(text)': \(error)")
            }
        }
        var ports: [ClosedRange<UInt16>] = []
        for item in try map.optional("ports")?.sequence() ?? [] {
            let text = try item.string()
            guard let range = PolicyValues.portRange(text) else {
                throw item.invalid("'\(text)' is not a port (1-65535) or a range such as 30300-30399")
            }
            ports.append(range)
        }
        return Policy.EndpointRules(networks: PolicyValues.normalise(networks), ports: PolicyValues.normalise(ports))
    }

    private func limits(
        _ node: PolicyNode?, roles: [String], displayRoles: [String], identities: [Policy.Identity]
    ) throws(PolicyError) -> Policy.Limits {
        guard let node else { return Policy.Limits(minValidators: 0, validatorRole: "validator", maxMembers: nil) }
        let map = try node.mapping(allowed: PolicySchema.limits)
        var validatorRole = "validator"
        if let roleNode = map.optional("validator-role") {
            validatorRole = try roleNode.string()
            guard roles.contains(validatorRole) else {
                throw .unknownRole(path: file, line: roleNode.line, column: roleNode.column, field: roleNode.field,
                                   role: validatorRole, known: displayRoles)
            }
        }
        var minValidators = 0
        if let minNode = map.optional("min-validators") {
            minValidators = try minNode.int(in: 0...10_000)
            if minValidators > 0 && !roles.contains(validatorRole) {
                throw minNode.invalid("counts role '\(validatorRole)', which the policy does not define")
            }
            let genesisValidators = identities.filter { $0.isGenesis && $0.roles.contains(validatorRole) }.count
            guard genesisValidators >= minValidators else {
                throw minNode.invalid("\(minValidators), but the genesis members include only \(genesisValidators) with role \(validatorRole)")
            }
        }
        var maxMembers: Int?
        if let maxNode = map.optional("max-members") {
            let value = try maxNode.int(in: 1...100_000)
            let genesis = identities.filter(\.isGenesis).count
            guard value >= genesis else {
                throw maxNode.invalid("\(value), but there are already \(genesis) genesis members")
            }
            maxMembers = value
        }
        return Policy.Limits(minValidators: minValidators, validatorRole: validatorRole, maxMembers: maxMembers)
    }

    private func delivery(_ node: PolicyNode?) throws(PolicyError) -> Policy.Delivery {
        var delivery = Policy.Delivery(
            envelopeTTL: 60, announcementTTL: 86_400, retryBase: 1, retryMax: 300, giveUpAfter: 86_400, maxClockSkew: 300
        )
        guard let node else { return delivery }
        let map = try node.mapping(allowed: PolicySchema.delivery)
        if let n = map.optional("envelope-ttl") { delivery.envelopeTTL = try n.duration(in: 1...86_400) }
        if let n = map.optional("announcement-ttl") { delivery.announcementTTL = try n.duration(in: 60...(365 * 86_400)) }
        if let n = map.optional("give-up-after") { delivery.giveUpAfter = try n.duration(in: 1...(365 * 86_400)) }
        if let n = map.optional("max-clock-skew") { delivery.maxClockSkew = try n.duration(in: 0...86_400) }
        if let backoffNode = map.optional("retry-backoff") {
            let backoff = try backoffNode.mapping(allowed: PolicySchema.retryBackoff)
            if let n = backoff.optional("base") { delivery.retryBase = try n.duration(in: 1...86_400) }
            if let n = backoff.optional("max") {
                delivery.retryMax = try n.duration(in: 1...86_400)
                guard delivery.retryMax >= delivery.retryBase else {
                    throw n.invalid("retry maximum is below the base (\(delivery.retryBase)s)")
                }
            } else {
                delivery.retryMax = max(delivery.retryMax, delivery.retryBase)
            }
        }
        return delivery
    }

    private func transport(_ node: PolicyNode?) throws(PolicyError) -> Policy.Transport {
        var transport = Policy.Transport(minPoW: 0, maxMessageSize: 1 << 20, maxEnvelopeSize: 256 << 10)
        guard let node else { return transport }
        let map = try node.mapping(allowed: PolicySchema.transport)
        if let n = map.optional("min-pow") {
            let text = try n.string()
            guard let value = Double(text), value.isFinite, value >= 0, value <= 1_000_000 else {
                throw n.wrongType("a number of at least 0")
            }
            transport.minPoW = value
        }
        if let n = map.optional("max-message-size") { transport.maxMessageSize = try n.size(in: 1024...(16 << 20)) }
        if let n = map.optional("max-envelope-size") { transport.maxEnvelopeSize = try n.size(in: 512...(16 << 20)) }
        guard transport.maxEnvelopeSize <= transport.maxMessageSize else {
            let at = map.optional("max-envelope-size") ?? node
            throw at.invalid("an envelope (\(transport.maxEnvelopeSize) bytes) cannot exceed the message limit (\(transport.maxMessageSize) bytes)")
        }
        return transport
    }
}
