import HeraldCrypto
import NIOCore
import NIOPosix
import RLPx
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("dialling a port where nobody listens")
struct DialFailureTests {
    /// The connect fails before the channel is active; the admission promise
    /// must still be completed (NIO traps on a leaked promise in debug builds).
    @Test("a refused connect throws and leaks nothing", .timeLimit(.minutes(1)))
    func refusedConnect() async throws {
        try await Net.withGroup { group in
            let node = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            // A port bound but not listening refuses every connect, and no other test can take it
            // meanwhile (a port merely freed could be bound by a stopped agent's listener, and each
            // dial would then wait for the handshake timeout).
            let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(holder) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, length) == 0 && getsockname(holder, $0, &length) == 0 }
            }
            try #require(holder >= 0 && bound)
            let port = UInt16(bigEndian: address.sin_port)
            let target = Enode(publicKey: Secp256k1.PrivateKey().publicKey, host: .ipv4("127.0.0.1"), tcpPort: port)
            for _ in 0..<20 {
                await #expect(throws: (any Error).self) { _ = try await node.dial(target) }
            }
        }
    }
}
