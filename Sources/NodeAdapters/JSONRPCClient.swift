import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers

/// A JSON-RPC 2.0 client for one node endpoint (HTTP, HTTP over a Unix
/// socket, or the IPC socket). Errors name the method and carry the node's
/// code and message.
package struct JSONRPCClient: Sendable {
    private let transport: any JSONRPCTransport
    private let timeout: Double
    private let nextID = NIOLockedValueBox(1)

    /// A client for `endpoint`.
    /// - Throws: ``NodeAdapterError`` when the endpoint configuration is unusable.
    package init(endpoint: RPCEndpoint, adapter: String, httpClient: HTTPClient = .shared) throws(NodeAdapterError) {
        try endpoint.validate(adapter: adapter)
        let token = try endpoint.resolvedBearerToken(adapter: adapter)
        switch try endpoint.target(adapter: adapter) {
        case .http(let url):
            transport = HTTPTransport(url: url, bearerToken: token, client: httpClient)
        case .httpUnix(let socketPath, let uri):
            guard let url = URL(httpURLWithSocketPath: socketPath, uri: uri) else {
                throw .invalidConfiguration(adapter: adapter, field: "rpc.url", reason: "cannot build an http+unix URL for \(socketPath)")
            }
            transport = HTTPTransport(url: url.absoluteString, bearerToken: token, client: httpClient)
        case .ipc(let path):
            transport = IPCTransport(path: path)
        }
        timeout = endpoint.timeout
    }

    /// A client over a given transport (tests).
    package init(transport: any JSONRPCTransport, timeout: Double = 10) {
        self.transport = transport
        self.timeout = timeout
    }

    private struct Request: Encodable {
        let jsonrpc = "2.0"
        let id: Int
        let method: String
        let params: [JSONValue]
    }

    private struct ErrorObject: Decodable {
        let code: Int
        let message: String
    }

    private struct Response: Decodable {
        let jsonrpc: String?
        let result: JSONValue?
        let error: ErrorObject?
    }

    /// Calls `method` with positional `params`.
    /// - Returns: the `result` member (`.null` when absent or null).
    /// - Throws: ``RPCFailure``.
    package func call(_ method: String, _ params: [JSONValue] = []) async throws(RPCFailure) -> JSONValue {
        let id = nextID.withLockedValue { value in
            defer { value += 1 }
            return value
        }
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(Request(id: id, method: method, params: params)))
        } catch {
            throw .unexpectedResponse("cannot encode the request: \(error)")
        }
        let reply = try await transport.send(body, timeout: timeout)
        let response: Response
        do {
            response = try JSONDecoder().decode(Response.self, from: Data(reply))
        } catch {
            throw .unexpectedResponse("not a JSON-RPC 2.0 response: \(String(decoding: reply.prefix(200), as: UTF8.self))")
        }
        if let error = response.error {
            throw .rpcError(code: error.code, message: error.message)
        }
        return response.result ?? .null
    }
}
