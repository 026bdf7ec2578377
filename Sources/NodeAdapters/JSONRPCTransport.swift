/// Carries one encoded JSON-RPC request to a node and returns the encoded reply.
package protocol JSONRPCTransport: Sendable {
    /// Sends `request` and returns the response body.
    /// - Throws: ``RPCFailure`` (a JSON-RPC error object in the body is not a transport failure).
    func send(_ request: [UInt8], timeout: Double) async throws(RPCFailure) -> [UInt8]
}
