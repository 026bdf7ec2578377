import AsyncHTTPClient
import NIOCore

/// JSON-RPC over HTTP(S) or HTTP over a Unix socket, through AsyncHTTPClient.
package struct HTTPTransport: JSONRPCTransport {
    private let url: String
    private let bearerToken: String?
    private let client: HTTPClient

    /// A transport posting to `url` (an `http://`, `https://` or AsyncHTTPClient `http+unix://` URL).
    package init(url: String, bearerToken: String?, client: HTTPClient = .shared) {
        self.url = url
        self.bearerToken = bearerToken
        self.client = client
    }

    /// The largest response body accepted (admin_peers on a big node is well below).
    private static let maximumBody = 16 << 20

    package func send(_ request: [UInt8], timeout: Double) async throws(RPCFailure) -> [UInt8] {
        var httpRequest = HTTPClientRequest(url: url)
        httpRequest.method = .POST
        httpRequest.headers.add(name: "Content-Type", value: "application/json")
        httpRequest.headers.add(name: "Accept", value: "application/json")
        if let bearerToken {
            httpRequest.headers.add(name: "Authorization", value: "Bearer \(bearerToken)")
        }
        httpRequest.body = .bytes(ByteBuffer(bytes: request))
        let statusCode: UInt
        let body: ByteBuffer
        do {
            let response = try await client.execute(httpRequest, timeout: .milliseconds(Int64(timeout * 1000)))
            statusCode = response.status.code
            body = try await response.body.collect(upTo: Self.maximumBody)
        } catch {
            throw .transport(Self.describe(error))
        }
        let bytes = Array(buffer: body)
        if (200..<300).contains(statusCode) { return bytes }
        // Besu answers some JSON-RPC errors with HTTP 400 and a JSON-RPC error body: pass it on.
        if bytes.first == UInt8(ascii: "{"), String(decoding: bytes, as: UTF8.self).contains("\"error\"") {
            return bytes
        }
        throw .httpStatus(Int(statusCode))
    }

    /// A short reason without request details (headers are never included).
    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                return "timed out"
            }
            return String(describing: error)
        }
        return String(describing: error)
    }
}
