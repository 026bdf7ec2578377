import Foundation
import HeraldCrypto
import NIOConcurrencyHelpers
import NodeAdapters

/// A node's JSON-RPC behaviour as the spec describes it (geth/GoQuorum admin
/// namespace §2.3/§3.2, Besu PERM §4.2): keeps a peer set and an allowlist,
/// records every call, and fails calls on demand.
package final class FakeNode: Sendable {
    /// One recorded request.
    package struct Call: Sendable, Equatable, CustomStringConvertible {
        /// The JSON-RPC method.
        package var method: String
        /// String parameters, arrays flattened.
        package var params: [String]

        /// Creates a call.
        package init(method: String, params: [String]) {
            self.method = method
            self.params = params
        }

        package var description: String { "\(method)(\(params.joined(separator: ",")))" }
    }

    /// The node's peer set, allowlist, recorded calls and pending failures.
    package struct State: Sendable {
        package var peers: [String] = []          // static/connected peers (enode URLs as given)
        package var trusted: [String] = []
        package var allowlist: [String] = []
        package var fixed: Set<String> = []       // Besu bootnodes/static nodes
        package var connectOnAdd = true
        package var calls: [Call] = []
        package var failures: [String: [(code: Int, message: String)?]] = [:]   // nil: let this call through
        package var permissionsFile: String?      // Besu file for perm_reloadPermissionsFromFile
        package var requiredToken: String?
        package var authorizationHeaders: [String] = []
    }

    /// Everything the node holds, behind a lock.
    package let state = NIOLockedValueBox(State())

    /// A node with no peers and an empty allowlist.
    package init() {}

    /// Every call received so far, in order.
    package var calls: [Call] { state.withLockedValue { $0.calls } }
    /// The methods of ``calls``.
    package var methods: [String] { calls.map(\.method) }

    /// Forgets the recorded calls.
    package func clearCalls() { state.withLockedValue { $0.calls = [] } }

    /// After `skipping` successful calls, the next `times` calls of `method` fail with `code`/`message`.
    package func fail(_ method: String, skipping: Int = 0, times: Int = 1, code: Int = -32000, message: String) {
        state.withLockedValue {
            $0.failures[method, default: []] += Array(repeating: nil, count: skipping) + Array(repeating: (code, message), count: times)
        }
    }

    private static func key(_ url: String) -> Secp256k1.PublicKey? { (try? Enode(parsing: url))?.publicKey }

    /// Handles one request body; returns the response body.
    package func handle(_ body: [UInt8]) -> [UInt8] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let method = object["method"] as? String else {
            return Self.encode(["jsonrpc": "2.0", "id": NSNull(), "error": ["code": -32700, "message": "Parse error"]])
        }
        let id = object["id"] ?? NSNull()
        let params = object["params"] as? [Any] ?? []
        var flat: [String] = []
        for param in params {
            if let text = param as? String { flat.append(text) }
            if let list = param as? [Any] { flat += list.compactMap { $0 as? String } }
        }
        let outcome: Result<Any, NodeFailure> = state.withLockedValue { state in
            state.calls.append(Call(method: method, params: flat))
            if var queue = state.failures[method], !queue.isEmpty {
                let failure = queue.removeFirst()
                state.failures[method] = queue
                if let failure { return .failure(NodeFailure(code: failure.code, message: failure.message)) }
            }
            return Self.respond(method, params: params, state: &state)
        }
        switch outcome {
        case .success(let result):
            return Self.encode(["jsonrpc": "2.0", "id": id, "result": result])
        case .failure(let failure):
            return Self.encode(["jsonrpc": "2.0", "id": id, "error": ["code": failure.code, "message": failure.message]])
        }
    }

    /// A JSON-RPC error the node answers with.
    package struct NodeFailure: Error {
        package var code: Int
        package var message: String
    }

    private static func respond(_ method: String, params: [Any], state: inout State) -> Result<Any, NodeFailure> {
        func url() -> Result<String, NodeFailure> {
            guard params.count == 1, let text = params[0] as? String else {
                return .failure(NodeFailure(code: -32602, message: "Invalid number of params"))
            }
            guard key(text) != nil else { return .failure(NodeFailure(code: -32000, message: "invalid enode: \(text)")) }
            return .success(text)
        }
        func list() -> Result<[String], NodeFailure> {
            guard params.count == 1, let items = params[0] as? [String] else {
                return .failure(NodeFailure(code: -32602, message: "Invalid enode params"))
            }
            if items.isEmpty { return .failure(NodeFailure(code: -32000, message: "Request contains an empty list of nodes")) }
            if items.contains(where: { key($0) == nil }) { return .failure(NodeFailure(code: -32000, message: "Request contains an invalid node")) }
            if Set(items).count != items.count { return .failure(NodeFailure(code: -32000, message: "Request contains duplicate nodes")) }
            return .success(items)
        }
        switch method {
        case "admin_addPeer", "admin_addTrustedPeer":
            return url().map { text in
                let trusted = method == "admin_addTrustedPeer"
                var set = trusted ? state.trusted : state.peers
                set.removeAll { key($0) == key(text) }
                set.append(text)
                if trusted { state.trusted = set } else { state.peers = state.connectOnAdd ? set : state.peers }
                return true
            }
        case "admin_removePeer", "admin_removeTrustedPeer":
            return url().map { text in
                if method == "admin_removePeer" { state.peers.removeAll { key($0) == key(text) } }
                else { state.trusted.removeAll { key($0) == key(text) } }
                return true
            }
        case "admin_peers":
            return .success(state.peers.map { peer -> [String: Any] in
                let enode = try! Enode(parsing: peer)
                return ["enode": peer, "id": enode.nodeID.hex, "name": "Geth/v1.10.3-stable",
                        "caps": ["eth/66"], "network": ["localAddress": "127.0.0.1:30303", "remoteAddress": "\(enode.host!):\(enode.tcpPort)",
                                                        "inbound": false, "trusted": false, "static": true],
                        "protocols": ["eth": "handshake"]]
            })
        case "perm_getNodesAllowlist":
            return .success(state.allowlist)
        case "perm_addNodesToAllowlist":
            return list().flatMap { items in
                let keys = Set(state.allowlist.map(EndpointText.init))
                if items.contains(where: { keys.contains(EndpointText($0)) }) {
                    return .failure(NodeFailure(code: -32000, message: "Cannot add an existing node to allowlist"))
                }
                state.allowlist += items
                return .success("Success")
            }
        case "perm_removeNodesFromAllowlist":
            return list().flatMap { items in
                let keys = Set(state.allowlist.map(EndpointText.init))
                if items.contains(where: { !keys.contains(EndpointText($0)) }) {
                    return .failure(NodeFailure(code: -32000, message: "Cannot remove an absent node from allowlist"))
                }
                if items.contains(where: { state.fixed.contains($0) }) {
                    return .failure(NodeFailure(code: -32000, message: "Cannot remove a fixed node (bootnode or static node) from allowlist"))
                }
                let removing = Set(items.map(EndpointText.init))
                state.allowlist.removeAll { removing.contains(EndpointText($0)) }
                return .success("Success")
            }
        case "perm_reloadPermissionsFromFile":
            guard let path = state.permissionsFile else {
                return .failure(NodeFailure(code: -32000, message: "Node/Account allowlist has not been enabled"))
            }
            guard let file = try? BesuPermissionsFile.read(path) else {
                return .failure(NodeFailure(code: -32000, message: "Error reloading permissions file. Please use perm_getAccountsAllowlist and perm_getNodesAllowlist to review the current state of the allowlists"))
            }
            state.allowlist = file.entries.map(\.text)
            return .success("Success")
        default:
            return .failure(NodeFailure(code: -32601, message: "the method \(method) does not exist/is not available"))
        }
    }

    /// Besu's matching: key, IP and TCP port.
    struct EndpointText: Hashable {
        var key: EnodeForms.EndpointKey?
        var text: String
        init(_ text: String) {
            self.text = text
            key = (try? Enode(parsing: text)).map(EnodeForms.EndpointKey.init)
        }
        static func == (lhs: Self, rhs: Self) -> Bool { lhs.key != nil ? lhs.key == rhs.key : lhs.text == rhs.text }
        func hash(into hasher: inout Hasher) { if let key { hasher.combine(key) } else { hasher.combine(text) } }
    }

    private static func encode(_ object: [String: Any]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: object))
    }
}
