import HeraldCrypto
import NIOCore
import NIOPosix
import RLPx
import Testing
import Whisper

/// Two Swift nodes over real TCP on 127.0.0.1.
@Suite("RLPx over TCP", .timeLimit(.minutes(1)))
struct ConnectionTests {
    /// Handshake, Hello, a capability message each way, clean Disconnect —
    /// with Snappy (both at v5) and without (dialler at v4).
    @Test("two nodes exchange messages", arguments: [UInt64(5), UInt64(4)])
    func exchange(dialerVersion: UInt64) async throws {
        try await Net.withGroup { group in
            let a = RLPxNode(configuration: Net.configuration(p2pVersion: dialerVersion), eventLoopGroup: group)
            let b = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            try await Net.withListener(b) { listener in
                let enode = b.enode(host: .ipv4("127.0.0.1"), port: UInt16(listener.port))
                let outbound = try await a.dial(enode)
                var inboundIterator = listener.connections.makeAsyncIterator()
                let inbound = try #require(await inboundIterator.next())

                let snappy = dialerVersion >= 5
                #expect(outbound.remoteNodeID == b.configuration.privateKey.publicKey.nodeID)
                #expect(inbound.remoteNodeID == a.configuration.privateKey.publicKey.nodeID)
                #expect(outbound.peer.snappy == snappy)
                #expect(inbound.peer.snappy == snappy)
                #expect(inbound.peer.protocolVersion == dialerVersion)
                #expect(outbound.peer.clientID == "Herald/test")
                #expect(outbound.peer.capabilities.capability(named: "shh")?.offset == 0x10)

                // shh/6 Status was exchanged before the connection was handed out.
                #expect(outbound.peer.whisperStatus == WhisperStatus())
                #expect(inbound.peer.whisperStatus == WhisperStatus())

                // An envelope each way, as shh Messages packets; the first is large
                // enough to span many reads (and to compress well with Snappy).
                let topic = Topic(name: "herald-test")
                let bigEnvelope = Envelope(expiry: 2_000_000_000, timeToLive: 50, topic: topic,
                                           data: [UInt8](repeating: 0x61, count: 200_000) + SecureRandom.bytes(count: 1000))
                let smallEnvelope = Envelope(expiry: 2_000_000_000, timeToLive: 50, topic: topic, data: [1, 2, 3])
                let toB = CapabilityMessage(capability: "shh", id: WhisperPacket.messagesCode,
                                            payload: WhisperPacket.messages([bigEnvelope]).encodedData())
                let toA = CapabilityMessage(capability: "shh", id: WhisperPacket.messagesCode,
                                            payload: WhisperPacket.messages([smallEnvelope]).encodedData())

                async let bSide: [CapabilityMessage] = inbound.run { messages, sender in
                    var received: [CapabilityMessage] = []
                    for try await message in messages {
                        received.append(message)
                        try await sender.send(toA)
                    }
                    return received   // ends when A disconnects
                }
                let aReceived = try await outbound.run { messages, sender in
                    try await sender.send(toB)
                    var iterator = messages.makeAsyncIterator()
                    return try await iterator.next()
                }
                #expect(aReceived == toA)
                let bReceived = try await bSide
                #expect(bReceived == [toB])
                let decoded = try WhisperPacket.decode(code: bReceived[0].id, data: bReceived[0].payload)
                #expect(decoded == .messages([bigEnvelope]))
                let closed = try await Net.nextEvent(b.events) {
                    if case .closed = $0 { return true } else { return false }
                }
                guard case .closed(let info, let cause) = closed else { return }
                #expect(info.nodeID == a.configuration.privateKey.publicKey.nodeID)
                #expect(cause == .remoteDisconnect(.requested))
            }
        }
    }

    @Test("sending a capability that is not shared fails")
    func unsupportedSend() async throws {
        try await Net.withGroup { group in
            let a = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            let b = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            try await Net.withListener(b) { listener in
                let outbound = try await a.dial(b.enode(host: .ipv4("127.0.0.1"), port: UInt16(listener.port)))
                var iterator = listener.connections.makeAsyncIterator()
                let inbound = try #require(await iterator.next())
                try await outbound.run { _, sender in
                    await #expect(throws: SessionError.unsupportedMessage(capability: "eth", id: 0)) {
                        try await sender.send(CapabilityMessage(capability: "eth", id: 0, payload: [0xc0]))
                    }
                    await #expect(throws: SessionError.unsupportedMessage(capability: "shh", id: 128)) {
                        try await sender.send(CapabilityMessage(capability: "shh", id: 128, payload: [0xc0]))
                    }
                }
                await inbound.close()
            }
        }
    }

    /// A batch larger than the session's early-flush threshold arrives whole
    /// and in order; a batch with one unsendable message sends nothing.
    @Test("a batch of messages arrives in order", arguments: [UInt64(5), UInt64(4)])
    func batchSend(dialerVersion: UInt64) async throws {
        try await Net.withGroup { group in
            let a = RLPxNode(configuration: Net.configuration(p2pVersion: dialerVersion), eventLoopGroup: group)
            let b = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
            try await Net.withListener(b) { listener in
                let outbound = try await a.dial(b.enode(host: .ipv4("127.0.0.1"), port: UInt16(listener.port)))
                var iterator = listener.connections.makeAsyncIterator()
                let inbound = try #require(await iterator.next())
                let batch = (0..<200).map { index in
                    CapabilityMessage(capability: "shh", id: UInt64(1 + index % 100),
                                      payload: [UInt8(truncatingIfNeeded: index)] + SecureRandom.bytes(count: 1000))
                }
                let unsendable = [batch[0], CapabilityMessage(capability: "eth", id: 0, payload: [0xc0])]

                async let received: [CapabilityMessage] = inbound.run { messages, _ in
                    var received: [CapabilityMessage] = []
                    for try await message in messages { received.append(message) }
                    return received   // ends when A disconnects
                }
                try await outbound.run { _, sender in
                    await #expect(throws: SessionError.unsupportedMessage(capability: "eth", id: 0)) {
                        try await sender.send(contentsOf: unsendable)
                    }
                    try await sender.send(contentsOf: batch)
                }
                #expect(try await received == batch)
            }
        }
    }

    /// Pings every 100 ms keep a connection alive past a 600 ms idle timeout;
    /// without them it is closed with `read timeout`.
    @Test("ping/pong keeps an idle connection alive; silence times it out")
    func keepalive() async throws {
        try await Net.withGroup { group in
            let fast = { Net.configuration(ping: .milliseconds(100), idle: .milliseconds(600)) }
            let a = RLPxNode(configuration: fast(), eventLoopGroup: group)
            let b = RLPxNode(configuration: fast(), eventLoopGroup: group)
            try await Net.withListener(b) { listener in
                let outbound = try await a.dial(b.enode(host: .ipv4("127.0.0.1"), port: UInt16(listener.port)))
                var iterator = listener.connections.makeAsyncIterator()
                let inbound = try #require(await iterator.next())
                try await Task.sleep(for: .milliseconds(1500))
                // Still up: a message goes through after three idle periods.
                let message = CapabilityMessage(capability: "shh", id: 2, payload: [0xc0])
                async let got = inbound.run { messages, _ in
                    var iterator = messages.makeAsyncIterator()
                    return try await iterator.next()
                }
                try await outbound.run { _, sender in try await sender.send(message) }
                #expect(try await got == message)
            }

            // Pings far apart, short idle: both sides give up with read timeout.
            let silent = { Net.configuration(ping: .seconds(30), idle: .milliseconds(300)) }
            let c = RLPxNode(configuration: silent(), eventLoopGroup: group)
            let d = RLPxNode(configuration: silent(), eventLoopGroup: group)
            try await Net.withListener(d) { listener in
                let outbound = try await c.dial(d.enode(host: .ipv4("127.0.0.1"), port: UInt16(listener.port)))
                var iterator = listener.connections.makeAsyncIterator()
                let inbound = try #require(await iterator.next())
                let event = try await Net.nextEvent(c.events, within: .seconds(3)) {
                    if case .closed = $0 { return true } else { return false }
                }
                guard case .closed(_, let cause) = event else { return }
                #expect(cause == .localDisconnect(.readTimeout) || cause == .remoteDisconnect(.readTimeout))
                await outbound.close()
                await inbound.close()
            }
        }
    }
}
