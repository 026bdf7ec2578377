import RLP

extension Policy {
    /// The canonical encoding: one RLP list with every setting in a fixed
    /// order, defaults filled in, sets sorted and merged, durations in
    /// seconds and sizes in bytes. Layout, comments, key order and spelling
    /// (`60s` or `1m`) do not change it.
    public var canonicalEncoding: [UInt8] {
        var writer = RLPWriter(reservingCapacity: 1024)
        writer.writeList { policy in
            policy.write(bytes: Array("herald-policy".utf8))
            policy.write(UInt64(version))
            policy.writeList { $0.write(bytes: consortium.name.utf8); $0.write(bytes: consortium.keyReference.utf8) }
            policy.writeList { list in for role in roles { list.write(bytes: role.utf8) } }
            policy.writeList { list in
                for identity in identities {
                    list.writeList { entry in
                        entry.write(bytes: identity.node.rawRepresentation)
                        entry.write(bytes: identity.name.utf8)
                        entry.write(bytes: identity.organisation.utf8)
                        entry.writeList { rolesList in for role in identity.roles { rolesList.write(bytes: role.utf8) } }
                        entry.write(UInt8(identity.isGenesis ? 1 : 0))
                        entry.write(bytes: (identity.enode ?? "").utf8)
                    }
                }
            }
            policy.writeList { list in
                list.write(UInt8(rules.selfJoin ? 1 : 0))
                list.write(UInt8(rules.selfLeave ? 1 : 0))
                // The policy-change rule only when the file has one, so that policies written
                // before it existed keep their hashes.
                for rule in [rules.admission, rules.removal] + (rules.policyChange.map { [$0] } ?? []) {
                    list.writeList { entry in
                        entry.writeList { roles in for role in rule.announcerRoles { roles.write(bytes: role.utf8) } }
                        entry.write(UInt64(rule.approvals))
                        entry.writeList { roles in for role in rule.approverRoles { roles.write(bytes: role.utf8) } }
                    }
                }
            }
            policy.writeList { list in
                list.writeList { networks in
                    for network in endpoints.networks {
                        networks.writeList { $0.write(bytes: network.network.bytes); $0.write(UInt64(network.prefixLength)) }
                    }
                }
                list.writeList { ports in
                    for range in endpoints.ports {
                        ports.writeList { $0.write(range.lowerBound); $0.write(range.upperBound) }
                    }
                }
            }
            policy.writeList { list in
                list.write(UInt64(limits.minValidators))
                list.write(bytes: limits.validatorRole.utf8)
                list.write(bytes: limits.maxMembers.map { RLP.encode(UInt64($0)) } ?? [])
            }
            policy.writeList { list in
                list.write(delivery.envelopeTTL)
                list.write(delivery.announcementTTL)
                list.write(delivery.retryBase)
                list.write(delivery.retryMax)
                list.write(delivery.giveUpAfter)
                list.write(delivery.maxClockSkew)
            }
            policy.writeList { list in
                list.write(bytes: "\(transport.minPoW)".utf8)
                list.write(UInt64(transport.maxMessageSize))
                list.write(UInt64(transport.maxEnvelopeSize))
            }
        }
        return writer.bytes
    }
}
