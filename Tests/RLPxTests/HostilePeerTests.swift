import HeraldCrypto
import NIOCore
import NIOPosix
import RLPx
import RawPeer
import Testing

/// Hostile peers over real sockets: each is disconnected within its
/// (shortened) deadline, and the listener still admits a good peer afterwards.
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
                let elapsed = try await RawConnection.with(group: group, port: port) { raw -> Duration in
                    let key = Secp256k1.PrivateKey()
                    switch attack {
                    case .randomBytes:
                        try await raw.write(SecureRandom.bytes(count: 600))
                        return await raw.waitForClose()

                    case .badFrameMAC, .badHeaderMAC:
                        var codec = try await raw.handshake(key: key, remote: serverKey)
                        let hello = Hello(clientID: "evil", capabilities: [Net.shh.capability], nodeID: key.publicKey.rawRepresentation)
                        var frame = try codec.writer.seal(messageID: 0, payload: hello.encoded())
                        frame[attack == .badHeaderMAC ? 20 : frame.count - 1] ^= 0x01
                        try await raw.write(frame)
                        return await raw.waitForClose()

                    case .oversizedFrameHeader:
                        var codec = try await raw.handshake(key: key, remote: serverKey)
                        // Announces 8000 bytes against a 4096-byte limit; only the header block is sent.
                        let frame = try codec.writer.seal(messageID: 0, payload: [UInt8](repeating: 0, count: 7999))
                        try await raw.write(Array(frame[0..<32]))
                        return await raw.waitForClose()

                    case .garbageAfterHandshake:
                        _ = try await raw.handshake(key: key, remote: serverKey)
                        try await raw.write(SecureRandom.bytes(count: 64))
                        return await raw.waitForClose()

                    case .slowLoris:
                        // A genuine auth, one byte every 100 ms: never completes in time.
                        var machine = HandshakeStateMachine(role: .initiator(remote: serverKey), staticKey: key)
                        guard case .send(let auth) = machine.start() else { throw HandshakeError.invalidState }
                        let start = ContinuousClock.now
                        for byte in auth {
                            do { try await raw.write([byte]) } catch { break }
                            try await Task.sleep(for: .milliseconds(100))
                            if ContinuousClock.now - start > Self.handshakeDeadline * 3 { break }
                        }
                        _ = await raw.waitForClose()
                        return ContinuousClock.now - start
                    }
                }
                // Dropped, not left to the attack running out: the slowest attack
                // (slow-loris, one byte per 100 ms) would hold on for 30 s, and the
                // others forever. The slack is wide because a loaded 2-core machine
                // has been seen to take 4.6 s, and with the whole suite running
                // (8 namespaced agents, Chromium, package extraction) 16.5 s, to get
                // these tasks scheduled; still short of the 30 s slow-loris would
                // last. Only slow-loris may be dropped for running out of time.
                #expect(elapsed < deadline + .seconds(22), "\(attack): \(elapsed)")
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
