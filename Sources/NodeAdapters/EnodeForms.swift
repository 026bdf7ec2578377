import HeraldCrypto

/// How each node software wants an enode written, and how entries are matched.
package enum EnodeForms {
    /// GoQuorum's form (`URLv4`): geth's, then `raftport` after any
    /// `discport`, e.g. `…@127.0.0.1:21000?discport=0&raftport=50401`.
    package static func goQuorum(_ enode: Enode, raftPort: UInt16?) -> String {
        var text = enode.description
        if let raftPort, raftPort != 0 {
            text += (text.contains("?") ? "&" : "?") + "raftport=\(raftPort)"
        }
        return text
    }

    /// Checks that `member` can be written for Besu: an IP literal (unless DNS
    /// support is on) and a listening port (spec §1, §4.4).
    package static func besu(_ enode: Enode, dnsEnabled: Bool, adapter: String) throws(NodeAdapterError) -> String {
        try requireDialable(enode, adapter: adapter)
        if case .dnsName = enode.host, !dnsEnabled {
            throw .unsupportedEnode(adapter: adapter, enode: enode.description,
                                    reason: "Besu takes IP addresses only unless started with --Xdns-enabled (set dnsEnabled)")
        }
        return enode.description
    }

    /// Requires a host and a non-zero TCP port.
    package static func requireDialable(_ enode: Enode, adapter: String) throws(NodeAdapterError) {
        guard enode.host != nil, enode.tcpPort != 0 else {
            throw .unsupportedEnode(adapter: adapter, enode: enode.description, reason: "it has no host and TCP port to dial")
        }
    }

    /// What Besu compares in its allowlist: public key, host and TCP port.
    package struct EndpointKey: Hashable, Sendable {
        package var publicKey: Secp256k1.PublicKey
        package var host: Enode.Host?
        package var tcpPort: UInt16

        package init(_ enode: Enode) {
            publicKey = enode.publicKey
            host = enode.host
            tcpPort = enode.tcpPort
        }
    }
}
