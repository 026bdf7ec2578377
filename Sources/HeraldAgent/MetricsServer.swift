import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves `GET /metrics` in the Prometheus text format over HTTP/1.1, and
/// nothing else: other paths get 404, other methods 405, a request body
/// over ``maxRequestBodyBytes`` 413 (headers are bounded by NIO's HTTP
/// decoder). One request per connection; every response closes it, and so
/// does a client that has not sent a whole request within the timeout.
struct MetricsServer: Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    /// Largest request body read before answering 413.
    static let maxRequestBodyBytes = 8 * 1024

    /// What one request gets.
    enum Route: Equatable, Sendable {
        case metrics
        case notFound
        case methodNotAllowed

        /// The route of `method` on `uri` (a query string is ignored).
        init(method: HTTPMethod, uri: String) {
            let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            if path != "/metrics" {
                self = .notFound
            } else if method != .GET {
                self = .methodNotAllowed
            } else {
                self = .metrics
            }
        }
    }

    private let server: NIOAsyncChannel<Connection, Never>
    /// The bound port.
    let port: Int

    /// Binds `host:port` (port 0 picks a free one).
    static func bind(host: String, port: Int,
                     group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> MetricsServer {
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        return MetricsServer(server: server, port: server.channel.localAddress?.port ?? port)
    }

    /// Closes the listener without serving (when the agent fails to start).
    func close() async {
        try? await server.channel.close()
    }

    /// Answers requests until cancelled, with `exposition()` for `GET /metrics`; then closes the listener.
    /// - Parameter requestTimeout: how long a connection may take to send its request before it is closed.
    func run(requestTimeout: Duration = .seconds(10), exposition: @escaping @Sendable () async -> [UInt8]) async throws {
        try await withTaskCancellationHandler {
            try await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask {
                            await withTaskGroup(of: Void.self) { race in
                                race.addTask { try? await Self.serve(connection, exposition: exposition) }
                                race.addTask {
                                    guard (try? await Task.sleep(for: requestTimeout)) != nil else { return }
                                    connection.channel.close(promise: nil)
                                }
                                await race.next()
                                race.cancelAll()
                            }
                        }
                    }
                }
            }
        } onCancel: {
            server.channel.close(promise: nil)
        }
    }

    /// Reads one request and answers it.
    private static func serve(_ connection: Connection, exposition: @Sendable () async -> [UInt8]) async throws {
        try await connection.executeThenClose { inbound, _ in
            var request: HTTPRequestHead?
            var bodyBytes = 0
            for try await part in inbound {
                switch part {
                case .head(let head):
                    request = head
                case .body(let buffer):
                    bodyBytes += buffer.readableBytes
                    if bodyBytes > maxRequestBodyBytes {
                        try await respond(on: connection, status: .payloadTooLarge, body: Array("request body too large\n".utf8))
                        return
                    }
                case .end:
                    guard let head = request else { return }
                    switch Route(method: head.method, uri: head.uri) {
                    case .metrics:
                        try await respond(on: connection, status: .ok, body: await exposition(),
                                          contentType: "text/plain; version=0.0.4; charset=utf-8")
                    case .notFound:
                        try await respond(on: connection, status: .notFound, body: Array("only /metrics is served here\n".utf8))
                    case .methodNotAllowed:
                        try await respond(on: connection, status: .methodNotAllowed, body: Array("only GET is allowed\n".utf8),
                                          extraHeaders: [("Allow", "GET")])
                    }
                    return
                }
            }
        }
    }

    /// Writes a whole response and waits until it is written, so that closing the connection cannot cut it short.
    private static func respond(on connection: Connection, status: HTTPResponseStatus, body: [UInt8],
                                contentType: String = "text/plain; charset=utf-8",
                                extraHeaders: [(String, String)] = []) async throws {
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.count)"), ("Connection", "close")])
        headers.add(contentsOf: extraHeaders)
        let channel = connection.channel
        channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)),
                      promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        try await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
    }
}
