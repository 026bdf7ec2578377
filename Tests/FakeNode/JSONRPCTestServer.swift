import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NodeAdapters
import TestSupport

/// A JSON-RPC 2.0 server for the tests, backed by a ``FakeNode``: HTTP on
/// 127.0.0.1 (port 0), HTTP on a Unix socket (`http+unix`), and geth-style
/// newline-delimited JSON on an IPC Unix socket. Use ``withServer(_:)``,
/// which always shuts it down, or pair ``start()`` with ``shutdown()``.
package final class JSONRPCTestServer: Sendable {
    /// The node behind every front: its state and the calls it recorded.
    package let node: FakeNode
    /// `http://127.0.0.1:PORT`.
    package let httpURL: String
    /// `http+unix://PATH`.
    package let httpUnixURL: String
    /// `ipc://PATH` (geth IPC framing).
    package let ipcURL: String
    private let channels: [any Channel]
    private let directory: TemporaryDirectory

    private init(httpURL: String, httpUnixURL: String, ipcURL: String, channels: [any Channel],
                 directory: TemporaryDirectory, node: FakeNode) {
        self.node = node
        self.httpURL = httpURL
        self.httpUnixURL = httpUnixURL
        self.ipcURL = ipcURL
        self.channels = channels
        self.directory = directory
    }

    /// Starts a server, runs `body`, and shuts the server down whatever happens.
    package static func withServer<T>(_ body: (JSONRPCTestServer) async throws -> T) async throws -> T {
        let server = try await start()
        do {
            let result = try await body(server)
            try await server.shutdown()
            return result
        } catch {
            try? await server.shutdown()
            throw error
        }
    }

    /// Starts a server; the caller must call ``shutdown()`` whatever happens.
    package static func start() async throws -> JSONRPCTestServer {
        let node = FakeNode()
        let directory = try TemporaryDirectory()
        let group = MultiThreadedEventLoopGroup.singleton
        let http = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(HTTPRPCHandler(node: node))
                }
            }
        let tcp = try await http.bind(host: "127.0.0.1", port: 0).get()
        let unixHTTP = try await http.bind(unixDomainSocketPath: directory.file("http.sock")).get()
        let ipc = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(NewlineFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(IPCRPCHandler(node: node))
                }
            }
            .bind(unixDomainSocketPath: directory.file("geth.ipc")).get()
        let server = JSONRPCTestServer(
            httpURL: "http://127.0.0.1:\(tcp.localAddress!.port!)",
            httpUnixURL: "http+unix://" + directory.file("http.sock"),
            ipcURL: "ipc://" + directory.file("geth.ipc"),
            channels: [tcp, unixHTTP, ipc], directory: directory, node: node)
        return server
    }

    /// Closes every listening socket and removes the sockets' directory.
    package func shutdown() async throws {
        for channel in channels { try? await channel.close() }
        directory.remove()
    }
}

/// HTTP/1.1 front: one JSON-RPC request per POST; a required bearer token is checked.
private final class HTTPRPCHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let node: FakeNode
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(node: FakeNode) { self.node = node }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body += Array(buffer: buffer)
        case .end:
            guard let head else { return }
            let authorization = head.headers.first(name: "Authorization")
            let required = node.state.withLockedValue { state in
                if let authorization { state.authorizationHeaders.append(authorization) }
                return state.requiredToken
            }
            var status = HTTPResponseStatus.ok
            var reply: [UInt8]
            if let required, authorization != "Bearer \(required)" {
                status = .unauthorized
                reply = Array("Unauthorized".utf8)
            } else {
                reply = node.handle(body)
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: status == .ok ? "application/json" : "text/plain")
            headers.add(name: "Content-Length", value: String(reply.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: reply)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            reply = []
            self.head = nil
        }
    }
}

/// geth IPC front: newline-delimited JSON in, one reply line out per request.
private final class IPCRPCHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let node: FakeNode

    init(node: FakeNode) { self.node = node }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var reply = ByteBuffer(bytes: node.handle(Array(buffer: unwrapInboundIn(data))))
        reply.writeInteger(UInt8(ascii: "\n"))
        context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
    }
}
