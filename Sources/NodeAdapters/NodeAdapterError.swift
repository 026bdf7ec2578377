/// Why an adapter could not apply a member list, or refused its configuration.
///
/// Every case names the adapter (or file) involved; RPC failures carry the
/// call and the node's own error text. No case ever contains a bearer token.
public enum NodeAdapterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A configuration value is missing or wrong.
    case invalidConfiguration(adapter: String, field: String, reason: String)
    /// An existing file the adapter must edit does not parse; it was left untouched.
    case malformedFile(path: String, line: Int, column: Int, reason: String)
    /// A file or directory could not be read or written.
    case fileAccess(path: String, operation: String, reason: String)
    /// The member list does not contain the local node.
    case dropsLocalNode(adapter: String, nodeID: String)
    /// The member list would leave the local node without any peer.
    case noPeersLeft(adapter: String)
    /// A member's enode cannot be given to this kind of node.
    case unsupportedEnode(adapter: String, enode: String, reason: String)
    /// A JSON-RPC call failed: transport, HTTP status, a JSON-RPC error or an unexpected result.
    case callFailed(adapter: String, call: String, failure: RPCFailure)
    /// The `exec` command ran and exited with a non-zero status (or was killed by a signal).
    case commandFailed(command: String, status: Int32, output: String)
    /// The `exec` command did not finish in time and was killed.
    case commandTimedOut(command: String, seconds: Double)
    /// The `exec` command could not be started.
    case commandNotStarted(command: String, reason: String)

    /// What the operator reads.
    public var description: String {
        switch self {
        case .invalidConfiguration(let adapter, let field, let reason):
            return "\(adapter) adapter: invalid configuration '\(field)': \(reason)"
        case .malformedFile(let path, let line, let column, let reason):
            return "\(path):\(line):\(column): \(reason); file left unchanged"
        case .fileAccess(let path, let operation, let reason):
            return "cannot \(operation) \(path): \(reason)"
        case .dropsLocalNode(let adapter, let nodeID):
            return "\(adapter): refusing a member list without the local node \(nodeID.prefix(8))… (set allowDroppingLocalNode to permit)"
        case .noPeersLeft(let adapter):
            return "\(adapter): refusing a member list that leaves the local node with no peers (set allowNoPeers to permit)"
        case .unsupportedEnode(let adapter, let enode, let reason):
            return "\(adapter): cannot use \(enode): \(reason)"
        case .callFailed(let adapter, let call, let failure):
            return "\(adapter): \(call) failed: \(failure)"
        case .commandFailed(let command, let status, let output):
            let tail = output.isEmpty ? "" : ": \(output)"
            return "exec: '\(command)' exited with status \(status)\(tail)"
        case .commandTimedOut(let command, let seconds):
            return "exec: '\(command)' did not finish within \(seconds) s and was killed"
        case .commandNotStarted(let command, let reason):
            return "exec: cannot start '\(command)': \(reason)"
        }
    }
}

/// How one JSON-RPC call failed.
public enum RPCFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The node answered with a JSON-RPC 2.0 error object.
    case rpcError(code: Int, message: String)
    /// The node answered with an HTTP status other than 2xx and no JSON-RPC error.
    case httpStatus(Int)
    /// No answer: connection refused, timeout, broken socket.
    case transport(String)
    /// An answer that is not a JSON-RPC 2.0 response, or a result of the wrong shape.
    case unexpectedResponse(String)

    /// The node's error text, with its code.
    public var description: String {
        switch self {
        case .rpcError(let code, let message): return "node returned error \(code): \(message)"
        case .httpStatus(let status): return "HTTP status \(status)"
        case .transport(let reason): return "no answer from node: \(reason)"
        case .unexpectedResponse(let reason): return "unexpected response: \(reason)"
        }
    }
}
