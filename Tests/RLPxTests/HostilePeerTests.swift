import HeraldCrypto
import NIOCore
import NIOPosix
import RLPx
import RawPeer
import Testing

/// Hostile peers over real sockets: each is disconnected by the server, at its
/// handshake deadline (slow-loris) or at what it sends (the rest), and the listener
/// still admits a good peer afterwards.
@Suite("hostile peers", .timeLimit(.minutes(1)))
struct HostilePeerTests {
    enum Attack: String, CaseIterable, Sendable {
        case randomBytes
        case badFrameMAC
        case badHeaderMAC
        case oversizedFrameHeader
        case slowLoris
        case garbageAfterHandshake
    }

    /// Slow-loris is cut off by this short handshake deadline. The other
    /// attacks get a long one, so that on a loaded machine they are still
    /// dropped for what they send, not because the handshake ran out of time.
    static let handshakeDeadline = Duration.milliseconds(600)
    static let generousDeadline = Duration.seconds(8)

    @Test("hostile peer is dropped and the listener keeps serving", arguments: Attack.allCases)
    func attack(_ attack: Attack) async throws {
        try await Net.withGroup { group in
            let deadline = attack == .slowLoris ? Self.handshakeDeadline : Self.generousDeadline
            let server = RLPxNode(configuration: Net.configuration(handshake: deadline, maxFrameSize: 4096),
                                  eventLoopGroup: group)
            let serverKey = server.configuration.privateKey.publicKey
            try await Net.withListener(server) { listener in
                let port = listener.port
                // Whether the server dropped the connection (every attack but slow-loris waits for that).
                let dropped = try await RawConnection.with(group: group, port: port) { raw -> Bool in
                    let key = Secp256k1.PrivateKey()
                    switch attack {
                    case .randomBytes:
                        try await raw.write(SecureRandom.bytes(count: 600))
                        _ = await raw.waitForClose()
                        return true

                    case .badFrameMAC, .badHeaderMAC:
                        var codec = try await raw.handshake(key: key, remote: serverKey)
                        let hello = Hello(clientID: "evil", capabilities: [Net.shh.capability], nodeID: key.publicKey.rawRepresentation)
                        var frame = try codec.writer.seal(messageID: 0, payload: hello.encoded())
                        frame[attack == .badHeaderMAC ? 20 : frame.count - 1] ^= 0x01
                        try await raw.write(frame)
                        _ = await raw.waitForClose()
                        return true

                    case .oversizedFrameHeader:
                        var codec = try await raw.handshake(key: key, remote: serverKey)
                        // Announces 8000 bytes against a 4096-byte limit; only the header block is sent.
                        let frame = try codec.writer.seal(messageID: 0, payload: [UInt8](repeating: 0, count: 7999))
                        try await raw.write(Array(frame[0..<32]))
                        _ = await raw.waitForClose()
                        return true

                    case .garbageAfterHandshake:
                        _ = try await raw.handshake(key: key, remote: serverKey)
                        try await raw.write(SecureRandom.bytes(count: 64))
                        _ = await raw.waitForClose()
                        return true

                    case .slowLoris:
                        // A genuine auth, one byte every 100 ms: never completes in time.
                        var machine = HandshakeStateMachine(role: .initiator(remote: serverKey), staticKey: key)
                        guard case .send(let auth) = machine.start() else { throw HandshakeError.invalidState }
                        for byte in auth {
                            do { try await raw.write([byte]) } catch {
                                // The server closed it before the auth was complete.
                                _ = await raw.waitForClose()
                                return true
                            }
                            try await Task.sleep(for: .milliseconds(100))
                        }
                        return false
                    }
                }
                // Dropped, not left to the attack running out. Only slow-loris may be
                // dropped for running out of time (checked on the refusal below).
                #expect(dropped, "\(attack): the server let the attack run to its end")
                let refused = try await Net.nextEvent(server.events) {
                    if case .refused = $0 { return true } else { return false }
                }
                if case .refused(_, _, _, let reason) = refused {
                    #expect(reason.contains("did not complete in time") == (attack == .slowLoris), "\(attack): \(reason)")
                }

                // A good peer is still served.
                let good = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
                let outbound = try await good.dial(server.enode(host: .ipv4("127.0.0.1"), port: UInt16(port)))
                var iterator = listener.connections.makeAsyncIterator()
                let inbound = try #require(await iterator.next())
                #expect(inbound.remoteNodeID == good.configuration.privateKey.publicKey.nodeID)
                await outbound.close()
                await inbound.close()
            }
        }
    }
}
