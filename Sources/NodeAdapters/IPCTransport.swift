import NIOCore
import NIOPosix

/// JSON-RPC over a node's IPC Unix socket (geth, GoQuorum): one JSON object
/// per request, one newline-terminated reply (spec §0, geth `rpc/json.go`).
package struct IPCTransport: JSONRPCTransport {
    private let path: String
    private let group: any EventLoopGroup

    /// A transport to the socket at `path`.
    package init(path: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.path = path
        self.group = group
    }

    package func send(_ request: [UInt8], timeout: Double) async throws(RPCFailure) -> [UInt8] {
        let path = self.path
        let group = self.group
        do {
            return try await withDeadline(seconds: timeout) {
                let channel = try await ClientBootstrap(group: group)
                    .connect(unixDomainSocketPath: path) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(NewlineFrameDecoder()))
                            return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                        }
                    }
                return try await channel.executeThenClose { inbound, outbound in
                    var buffer = ByteBuffer(bytes: request)
                    buffer.writeInteger(UInt8(ascii: "\n"))
                    try await outbound.write(buffer)
                    for try await line in inbound {
                        return Array(buffer: line)
                    }
                    throw RPCFailure.transport("connection closed before a reply")
                }
            }
        } catch let failure as RPCFailure {
            throw failure
        } catch {
            throw .transport("\(path): \(error)")
        }
    }
}

/// Splits a byte stream at `\n` (the newline is dropped). Lines are bounded.
package struct NewlineFrameDecoder: ByteToMessageDecoder {
    package typealias InboundOut = ByteBuffer

    /// Longest accepted line: 16 MiB.
    static let maximumLength = 16 << 20

    package init() {}

    package mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maximumLength { throw RPCFailure.unexpectedResponse("reply longer than 16 MiB") }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        let line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(Self.wrapInboundOut(line))
        return .continue
    }

    package mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Runs `body`, failing with a timeout if it takes longer than `seconds`.
package func withDeadline<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            throw RPCFailure.transport("timed out after \(seconds) s")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
