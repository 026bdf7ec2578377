import HeraldCrypto
import NIOCore
import NIOPosix
import RLPx
import RawPeer
import Testing

/// The allowlist and identity checks over real TCP.
@Suite("admission", .timeLimit(.minutes(1)))
struct AdmissionTests {
    static func refusedEvent(_ node: RLPxNode) async throws -> (NodeID?, String) {
        let event = try await Net.nextEvent(node.events) {
            if case .refused = $0 { return true } else { return false }
        }
        guard case .refused(_, _, let nodeID, let reason) = event else { throw Net.TimeoutError() }
        return (nodeID, reason)
    }

    @Test("an initiator not on the recipient's allowlist is disconnected; no connection is delivered")
    func unknownInitiator() async throws {
        try await Net.withGroup { group in
            let a = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            let b = RLPxNode(configuration: Net.configuration(allowed: { _ in false }), eventLoopGroup: group)
            try await Net.withListener(b) { listener in
                await #expect(throws: SessionError.disconnected(.uselessPeer)) {
                    _ = try await a.dial(b.enode(host: .ipv4("127.0.0.1"), port: UInt16(listener.port)))
                }
                let (nodeID, reason) = try await Self.refusedEvent(b)
                #expect(nodeID == a.configuration.privateKey.publicKey.nodeID)
                #expect(reason == "node \(a.configuration.privateKey.publicKey.nodeID) is not on the allowlist")
            }
            // The listener is closed: had anything been admitted it would be here.
        }
    }

    @Test("a hostile initiator that pipelines Hello and capability frames gets nothing read")
    func unknownInitiatorPipelining() async throws {
        try await Net.withGroup { group in
            let b = RLPxNode(configuration: Net.configuration(allowed: { _ in false }), eventLoopGroup: group)
            let key = Secp256k1.PrivateKey()
            try await Net.withListener(b) { listener in
                let delivered = Task { () -> Int in
                    var count = 0
                    for await connection in listener.connections { count += 1; await connection.close() }
                    return count
                }
                try await RawConnection.with(group: group, port: listener.port) { raw in
                    var codec = try await raw.handshake(key: key, remote: b.configuration.privateKey.publicKey)
                    let hello = Hello(clientID: "evil", capabilities: [Net.shh.capability], nodeID: key.publicKey.rawRepresentation)
                    var burst = try codec.writer.seal(messageID: 0, payload: hello.encoded())
                    burst += try codec.writer.seal(messageID: 0x10, payload: Snappy.compress([0xc0]))
                    try? await raw.write(burst)   // the server may already have closed
                    _ = await raw.waitForClose()
                }
                let (nodeID, _) = try await Self.refusedEvent(b)
                #expect(nodeID == key.publicKey.nodeID)
                await listener.close()
                #expect(await delivered.value == 0)
            }
        }
    }

    @Test("a recipient not on the initiator's allowlist is refused by the initiator")
    func unknownRecipient() async throws {
        try await Net.withGroup { group in
            let a = RLPxNode(configuration: Net.configuration(allowed: { _ in false }), eventLoopGroup: group)
            let b = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            try await Net.withListener(b) { listener in
                let bID = b.configuration.privateKey.publicKey.nodeID
                await #expect(throws: HandshakeError.unknownPeer(nodeID: bID)) {
                    _ = try await a.dial(b.enode(host: .ipv4("127.0.0.1"), port: UInt16(listener.port)))
                }
                // B saw A's Disconnect where A's Hello should have been.
                let (nodeID, reason) = try await Self.refusedEvent(b)
                #expect(nodeID == a.configuration.privateKey.publicKey.nodeID)
                #expect(reason.contains("useless peer"))
            }
        }
    }

    @Test("dialling a node ID that is not the one listening fails")
    func wrongIdentity() async throws {
        try await Net.withGroup { group in
            let a = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            let b = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            try await Net.withListener(b) { listener in
                let impostorKey = Secp256k1.PrivateKey().publicKey
                let target = Enode(publicKey: impostorKey, host: .ipv4("127.0.0.1"), tcpPort: UInt16(listener.port))
                await #expect(throws: (any Error).self) { _ = try await a.dial(target) }
                // B could not decrypt an auth meant for another key.
                let (nodeID, reason) = try await Self.refusedEvent(b)
                #expect(nodeID == nil)
                #expect(reason.contains("decrypt"))
            }
        }
    }

    @Test("dialling an enode without an address fails early")
    func noAddress() async throws {
        try await Net.withGroup { group in
            let a = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            let target = Enode(publicKey: Secp256k1.PrivateKey().publicKey, host: nil, tcpPort: 0)
            await #expect(throws: DialError.self) { _ = try await a.dial(target) }
        }
    }
}

extension AdmissionTests {
    @Test("dialling ourselves is refused")
    func selfDial() async throws {
        try await Net.withGroup { group in
            let a = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            try await Net.withListener(a) { listener in
                await #expect(throws: (any Error).self) {
                    _ = try await a.dial(a.enode(host: .ipv4("127.0.0.1"), port: UInt16(listener.port)))
                }
                let (_, reason) = try await Self.refusedEvent(a)
                #expect(reason.contains("connected to self"))
            }
        }
    }
}
