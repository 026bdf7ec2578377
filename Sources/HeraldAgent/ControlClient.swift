import Foundation
import NIOCore
import NIOPosix

/// Talks to a running agent over its control socket.
public struct ControlClient: Sendable {
    /// Why a request could not be answered.
    public enum Failure: Error, CustomStringConvertible {
        /// Nothing listens on the socket (the agent is not running) or it cannot be opened.
        case notRunning(path: String, reason: String)
        /// The agent answered with an error.
        case agent(String)
        /// The answer was not understood.
        case protocolError(String)

        public var description: String {
            switch self {
            case .notRunning(let path, let reason):
                return "cannot reach the agent at \(path): \(reason) (is `herald run` running, and may you open its socket?)"
            case .agent(let message): return message
            case .protocolError(let message): return "unexpected answer from the agent: \(message)"
            }
        }
    }

    public let path: String

    public init(path: String) { self.path = path }

    /// Sends one request and returns the agent's response (its `error` already turned into a throw).
    public func send(_ request: ControlRequest) async throws(Failure) -> ControlResponse {
        guard FileManager.default.fileExists(atPath: path) else { throw .notRunning(path: path, reason: "no socket") }
        let line: [UInt8]
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: path) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            line = try await channel.executeThenClose { inbound, outbound in
                var bytes = try JSONEncoder().encode(request)
                bytes.append(UInt8(ascii: "\n"))
                try await outbound.write(ByteBuffer(bytes: bytes))
                var received: [UInt8] = []
                for try await var buffer in inbound {
                    received += buffer.readBytes(length: buffer.readableBytes) ?? []
                    if let newline = received.firstIndex(of: UInt8(ascii: "\n")) { return Array(received[..<newline]) }
                    if received.count > ControlResponse.maxLineLength { break }
                }
                return received
            }
        } catch {
            throw .notRunning(path: path, reason: "\(error)")
        }
        guard let response = try? JSONDecoder().decode(ControlResponse.self, from: Data(line)) else {
            throw .protocolError(String(decoding: line.prefix(200), as: UTF8.self))
        }
        if let error = response.error { throw .agent(error) }
        return response
    }
}
