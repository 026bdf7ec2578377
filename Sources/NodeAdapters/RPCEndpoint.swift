import Foundation

/// Where and how to reach a node's JSON-RPC API.
///
/// `url` forms:
/// - `http://host:port`, `https://host:port/path`: JSON-RPC over HTTP;
/// - `http+unix:///path/to/socket` (or AsyncHTTPClient's
///   `http+unix://%2Fpath%2Fto%2Fsocket/`): HTTP over a Unix socket;
/// - `ipc:///path/to/geth.ipc` or an absolute path: the node's IPC socket,
///   one JSON request per write, newline-delimited replies (geth, GoQuorum).
///
/// The bearer token is sent as `Authorization: Bearer …` (Besu and GoQuorum
/// RPC authentication) and never appears in descriptions, logs or errors.
public struct RPCEndpoint: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The endpoint, see the type's documentation.
    public var url: String
    /// Bearer token given inline (prefer `bearerTokenFile`).
    public var bearerToken: String?
    /// File holding the bearer token (trailing whitespace ignored).
    public var bearerTokenFile: String?
    /// Seconds to wait for one call; default 10.
    public var timeoutSeconds: Double?

    /// Creates an endpoint configuration.
    public init(url: String, bearerToken: String? = nil, bearerTokenFile: String? = nil, timeoutSeconds: Double? = nil) {
        self.url = url
        self.bearerToken = bearerToken
        self.bearerTokenFile = bearerTokenFile
        self.timeoutSeconds = timeoutSeconds
    }

    /// The URL only; the token is never shown.
    public var description: String {
        bearerToken == nil && bearerTokenFile == nil ? url : "\(url) (bearer token set)"
    }

    /// The transport the URL selects.
    package enum Target: Hashable, Sendable {
        /// HTTP(S) to this URL.
        case http(url: String)
        /// HTTP over the Unix socket at `socketPath`, request path `uri`.
        case httpUnix(socketPath: String, uri: String)
        /// Newline-delimited JSON over the Unix socket at `path`.
        case ipc(path: String)
    }

    /// Parses `url`.
    /// - Throws: ``NodeAdapterError/invalidConfiguration(adapter:field:reason:)``.
    package func target(adapter: String) throws(NodeAdapterError) -> Target {
        let text = url.trimmingCharacters(in: .whitespaces)
        func invalid(_ reason: String) -> NodeAdapterError {
            .invalidConfiguration(adapter: adapter, field: "rpc.url", reason: reason)
        }
        if text.hasPrefix("http://") || text.hasPrefix("https://") {
            guard let parsed = URL(string: text), let host = parsed.host, !host.isEmpty else {
                throw invalid("'\(text)' is not a valid HTTP URL")
            }
            return .http(url: text)
        }
        if text.hasPrefix("http+unix://") {
            let rest = String(text.dropFirst("http+unix://".count))
            if rest.hasPrefix("%2F") || rest.hasPrefix("%2f") {
                let host = rest.prefix { $0 != "/" }
                let uri = rest.dropFirst(host.count)
                guard let path = host.removingPercentEncoding else { throw invalid("bad percent-encoding in '\(text)'") }
                return .httpUnix(socketPath: path, uri: uri.isEmpty ? "/" : String(uri))
            }
            guard rest.hasPrefix("/") else { throw invalid("'\(text)' must name an absolute socket path") }
            return .httpUnix(socketPath: rest, uri: "/")
        }
        if text.hasPrefix("ipc://") {
            let path = String(text.dropFirst("ipc://".count))
            guard path.hasPrefix("/") else { throw invalid("'\(text)' must name an absolute socket path") }
            return .ipc(path: path)
        }
        if text.hasPrefix("/") { return .ipc(path: text) }
        throw invalid("'\(text)' is neither http(s)://, http+unix://, ipc:// nor an absolute IPC socket path")
    }

    /// The token to send, read from `bearerTokenFile` when set.
    /// - Throws: ``NodeAdapterError/fileAccess(path:operation:reason:)`` (the file's content is never included).
    package func resolvedBearerToken(adapter: String) throws(NodeAdapterError) -> String? {
        if let bearerTokenFile {
            guard let data = FileManager.default.contents(atPath: bearerTokenFile) else {
                throw .fileAccess(path: bearerTokenFile, operation: "read the bearer token file", reason: "missing or unreadable")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else {
                throw .invalidConfiguration(adapter: adapter, field: "rpc.bearerTokenFile", reason: "the file is empty")
            }
            return token
        }
        return bearerToken
    }

    /// The per-call timeout in seconds.
    package var timeout: Double { timeoutSeconds ?? 10 }

    /// Checks the URL, timeout and token settings.
    /// - Throws: ``NodeAdapterError/invalidConfiguration(adapter:field:reason:)``.
    public func validate(adapter: String) throws(NodeAdapterError) {
        _ = try target(adapter: adapter)
        if let timeoutSeconds, !(timeoutSeconds > 0) {
            throw .invalidConfiguration(adapter: adapter, field: "rpc.timeoutSeconds", reason: "must be above 0")
        }
        if bearerToken != nil && bearerTokenFile != nil {
            throw .invalidConfiguration(adapter: adapter, field: "rpc.bearerToken", reason: "give bearerToken or bearerTokenFile, not both")
        }
    }
}

extension RPCEndpoint: CustomReflectable {
    /// Reflection (`dump`, default struct printing) shows the URL and the token file, never the token.
    public var customMirror: Mirror {
        Mirror(self, children: ["url": url, "bearerToken": bearerToken == nil ? "nil" : "<redacted>",
                                "bearerTokenFile": bearerTokenFile as Any, "timeoutSeconds": timeoutSeconds as Any])
    }
}
