import HeraldCrypto
import NIOCore
import NIOPosix
import RLPx
import Testing

@Suite("dialling a port where nobody listens")
struct DialFailureTests {
    /// The connect fails before the channel is active; the admission promise
    /// must still be completed (NIO traps on a leaked promise in debug builds).
    @Test("a refused connect throws and leaks nothing", .timeLimit(.minutes(1)))
    func refusedConnect() async throws {
        try await Net.withGroup { group in
            let node = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            // Bind and close a listener to get a port that is very likely free.
            let listener = try await node.listen(on: "127.0.0.1", port: 0)
            let port = UInt16(listener.port)
            await listener.close()
            let target = Enode(publicKey: Secp256k1.PrivateKey().publicKey, host: .ipv4("127.0.0.1"), tcpPort: port)
            for _ in 0..<20 {
                await #expect(throws: (any Error).self) { _ = try await node.dial(target) }
            }
        }
    }
}
