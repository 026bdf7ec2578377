import HeraldCrypto

/// The `admin` namespace calls shared by the GoQuorum and geth adapters
/// (spec §2.3, §3.2).
package enum AdminPeers {
    /// A connected peer from `admin_peers`, keyed by the public key parsed
    /// from its `enode` (the `id` field differs between clients, spec §1).
    package struct Peer: Hashable, Sendable {
        package var publicKey: Secp256k1.PublicKey
        package var enode: String
    }

    /// Reads `admin_peers`; entries without a parsable `enode` are skipped.
    /// - Throws: ``NodeAdapterError/callFailed(adapter:call:failure:)``.
    package static func read(_ client: JSONRPCClient, adapter: String) async throws(NodeAdapterError) -> [Peer] {
        let result: JSONValue
        do {
            result = try await client.call("admin_peers")
        } catch {
            throw .callFailed(adapter: adapter, call: "admin_peers", failure: error)
        }
        guard let items = result.arrayValue else {
            throw .callFailed(adapter: adapter, call: "admin_peers", failure: .unexpectedResponse("result is not an array"))
        }
        return items.compactMap { item in
            guard let text = item["enode"]?.stringValue, let enode = try? Enode(parsing: text) else { return nil }
            return Peer(publicKey: enode.publicKey, enode: text)
        }
    }

    /// Calls a one-URL admin method (`admin_addPeer`, `admin_removePeer`, the
    /// trusted variants) and requires a boolean result.
    /// - Returns: the boolean (Besu answers `false` for "already there").
    /// - Throws: ``NodeAdapterError/callFailed(adapter:call:failure:)`` naming the call and URL.
    @discardableResult
    package static func call(_ client: JSONRPCClient, _ method: String, _ url: String, adapter: String) async throws(NodeAdapterError) -> Bool {
        let result: JSONValue
        do {
            result = try await client.call(method, [.string(url)])
        } catch {
            throw .callFailed(adapter: adapter, call: "\(method)(\(url))", failure: error)
        }
        guard case .bool(let value) = result else {
            throw .callFailed(adapter: adapter, call: "\(method)(\(url))", failure: .unexpectedResponse("result is not a boolean"))
        }
        return value
    }
}
