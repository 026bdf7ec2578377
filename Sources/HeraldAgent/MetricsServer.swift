import NIOCore
import NIOHTTP1
import NIOPosix
import RLPx

/// The agent's HTTP listener: `GET /metrics` (Prometheus text format), the
/// status page `GET /` and `GET /status.json`, and `GET /healthz` and
/// `GET /readyz`. It only routes: what each route answers comes from the
/// `respond` closure given to ``run(requestTimeout:respond:)``. Other paths
/// get 404, other methods 405, a request body over ``maxRequestBodyBytes``
/// 413 (headers are bounded by NIO's HTTP decoder). One request per
/// connection; every response closes it, and so does a client that has not
/// sent a whole request within the timeout.
struct MetricsServer: Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    /// Largest request body read before answering 413.
    static let maxRequestBodyBytes = 8 * 1024

    /// The paths served, for the 404 text.
    static let paths = ["/", "/status.json", "/healthz", "/readyz", "/metrics"]

    /// What one request gets.
    enum Route: Equatable, Sendable {
        /// `GET /metrics`.
        case metrics
        /// `GET /`, with the cluster view when the query has `cluster=1`.
        case statusPage(cluster: Bool)
        /// `GET /status.json`, with the cluster view when the query has `cluster=1`.
        case statusJSON(cluster: Bool)
        /// `GET /healthz`: the agent is alive.
        case healthz
        /// `GET /readyz`: the agent is ready, or why not.
        case readyz
        case notFound
        case methodNotAllowed

        /// The route of `method` on `uri`; of the query string only `cluster=1` counts.
        init(method: HTTPMethod, uri: String) {
            let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let path = parts.first ?? ""
            let cluster = parts.count > 1 && parts[1].split(separator: "&").contains("cluster=1")
            let route: Route
            switch path {
            case "/metrics": route = .metrics
            case "/": route = .statusPage(cluster: cluster)
            case "/status.json": route = .statusJSON(cluster: cluster)
            case "/healthz": route = .healthz
            case "/readyz": route = .readyz
            default:
                self = .notFound
                return
            }
            self = method == .GET ? route : .methodNotAllowed
        }
    }

    /// A whole response to one request.
    struct Response: Sendable, Equatable {
        var status: HTTPResponseStatus
        var contentType: String
        var body: [UInt8]

        /// Plain UTF-8 text.
        static func text(_ status: HTTPResponseStatus, _ text: String) -> Response {
            Response(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
        }
    }

    private let server: NIOAsyncChannel<HandedOverChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
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
                    return HandedOverChannel(try Connection(wrappingChannelSynchronously: channel))
                }
            }
        return MetricsServer(server: server, port: server.channel.localAddress?.port ?? port)
    }

    /// Closes the listener without serving (when the agent fails to start).
    func close() async {
        try? await server.channel.close()
    }

    /// Answers requests until cancelled, with `respond(route)` for every route
    /// but ``Route/notFound`` and ``Route/methodNotAllowed``; then closes the listener.
    /// - Parameter requestTimeout: how long a connection may take to send its request before it is closed.
    func run(requestTimeout: Duration = .seconds(10), respond: @escaping @Sendable (Route) async -> Response) async throws {
        try await withTaskCancellationHandler {
            try await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await accepted in inbound {
                        guard let connection = accepted.take() else { continue }
                        group.addTask {
                            await withTaskGroup(of: Void.self) { race in
                                race.addTask { try? await Self.serve(connection, respond: respond) }
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
    private static func serve(_ connection: Connection, respond: @Sendable (Route) async -> Response) async throws {
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
                        try await write(.text(.payloadTooLarge, "request body too large\n"), on: connection)
                        return
                    }
                case .end:
                    guard let head = request else { return }
                    let route = Route(method: head.method, uri: head.uri)
                    switch route {
                    case .notFound:
                        try await write(.text(.notFound, "not found; served here: \(paths.joined(separator: " "))\n"), on: connection)
                    case .methodNotAllowed:
                        try await write(.text(.methodNotAllowed, "only GET is allowed\n"), on: connection,
                                        extraHeaders: [("Allow", "GET")])
                    default:
                        try await write(await respond(route), on: connection)
                    }
                    return
                }
            }
        }
    }

    /// Writes a whole response and waits until it is written, so that closing the connection cannot cut it short.
    private static func write(_ response: Response, on connection: Connection,
                              extraHeaders: [(String, String)] = []) async throws {
        var headers = HTTPHeaders([("Content-Type", response.contentType), ("Content-Length", "\(response.body.count)"),
                                   ("Connection", "close"), ("Cache-Control", "no-store")])
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        if response.contentType.hasPrefix("text/html") {
            // The page has inline CSS and nothing else: no script, image, frame or request runs from it.
            headers.add(name: "Content-Security-Policy", value: "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'")
        }
        headers.add(contentsOf: extraHeaders)
        let channel = connection.channel
        channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)),
                      promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: response.body))), promise: nil)
        try await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
    }
}
