import HeraldCrypto
import NIOCore
import NIOPosix
import RLPx
import Testing

@Suite("listener whose consumer has stopped")
struct ListenerShutdownTests {
    /// An agent stops reading `connections` before it closes its socket; a
    /// peer admitted in that window must be closed, not dropped (dropping an
    /// unclosed connection traps in NIOAsyncWriter's deinit).
    @Test("a connection admitted after the consumer stopped is closed", .timeLimit(.minutes(1)))
    func admittedAfterConsumerStopped() async throws {
        try await Net.withGroup { group in
            let server = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            let client = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            try await Net.withListener(server) { listener in
                let consumer = Task { for await connection in listener.connections { await connection.close() } }
                consumer.cancel()
                await consumer.value
                let target = server.enode(host: .ipv4("127.0.0.1"), port: UInt16(listener.port))
                for _ in 0..<3 {
                    guard let connection = try? await client.dial(target) else { continue }
                    // The server closes it at once: the message stream ends.
                    _ = try? await connection.run { messages, _ in for try await _ in messages {} }
                }
            }
        }
    }

    /// A listener closed while peers keep dialling in: a connection the
    /// server accepted in the same instant is dropped by NIO before the
    /// accept loop sees it, and must be closed, not left to trap in
    /// NIOAsyncWriter's deinit (apple/swift-nio#3481). Each round races one
    /// close against a burst of dials; a trap would end the whole test run.
    @Test("a listener closed while peers dial in drops nothing unclosed", .timeLimit(.minutes(1)))
    func closedWhileDialling() async throws {
        try await Net.withGroup { group in
            let server = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            let client = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            for _ in 0..<40 {
                let listener = try await server.listen(on: "127.0.0.1", port: 0)
                let consumer = Task { for await connection in listener.connections { await connection.close() } }
                let target = server.enode(host: .ipv4("127.0.0.1"), port: UInt16(listener.port))
                await withDiscardingTaskGroup { dials in
                    for _ in 0..<8 {
                        dials.addTask {
                            if let connection = try? await client.dial(target) { await connection.close() }
                        }
                    }
                    await listener.close()
                }
                await consumer.value
            }
        }
    }
}
