import Foundation
import HeraldCrypto
@testable import HeraldAgent
import Membership
import NIOPosix
import RLPx
import RawPeer
import Testing
import TestSupport
import Whisper

/// Input sized to make the agent allocate, sent by an allowlisted peer over
/// a real connection: each is refused on what it declares, before anything
/// is buffered for it, and the agent keeps serving the other peers.
@Suite("oversized input against a real agent", .serialized)
struct OversizedInputTests {
    typealias F = AgentFixtures
    typealias Setup = HostileAnnouncementTests.Setup

    struct PaddingError: Error { let size: Int }

    static func port(_ running: F.Running) throws -> Int {
        Int(try #require(Enode(running.enode)).tcpPort)
    }

    /// Node 2's handshake with the agent (node 1), then `body` with the raw connection and its frame codec.
    /// What each attack announces (16 MiB): an agent that buffered it would grow by at least that
    /// much. The bound is not tighter because the measure is the whole test process's, and the tests
    /// running alongside allocate too (CI once measured 10 MiB of growth while this test ran).
    static let announced = 0xFF_FFFF

    static func raw<T: Sendable>(_ setup: Setup, _ body: (RawConnection, inout FrameCodec) async throws -> T) async throws -> T {
        try await RawConnection.with(group: MultiThreadedEventLoopGroup.singleton, port: try port(setup.running)) { raw in
            var codec = try await raw.handshake(key: F.key(2), remote: F.key(1).publicKey)
            return try await body(raw, &codec)
        }
    }

    /// The reason of the Disconnect among `frames` (Snappy-compressed once both Hellos are exchanged).
    static func disconnectReason(_ frames: [(messageID: UInt64, data: [UInt8])], snappy: Bool = false) throws -> DisconnectReason {
        let disconnect = try #require(frames.last { $0.messageID == BaseProtocol.MessageID.disconnect }, "no Disconnect in \(frames.map(\.messageID))")
        return BaseProtocol.decodeDisconnect(snappy ? try Snappy.decompress(disconnect.data, limit: 64) : disconnect.data)
    }

    /// Node 3's join of node 6, acknowledged: the agent still serves other peers.
    static func stillServes(_ setup: Setup, lamport: UInt64) async throws {
        let other = try setup.peer(3)
        let join = try other.signed(other.announcement(.join, subject: 6, by: 3, lamport: lamport))
        try await other.session(with: setup.running) { session in
            try await session.send(.announcement(join.encoded))
            #expect(try await session.acks(of: join.id).first?.decision == .pending)
        }
    }

    @Test("a frame header announcing 16 MiB is refused on the header; the agent's frame limit follows its policy",
          .timeLimit(.minutes(2)))
    func sixteenMebibyteFrame() async throws {
        try await HostileAnnouncementTests.withAgent { setup in
            let limits = await setup.agent.rlpx.configuration.limits
            let limit = limits.maxFrameSize
            let messageLimit = limits.maxMessageSize
            #expect(messageLimit == (await setup.agent.policy).transport.maxMessageSize)
            #expect(limit == Snappy.maxCompressedLength(messageLimit) + 9)
            let entries = await setup.agent.members().logEntries
            let (frames, rssBefore) = try await Self.raw(setup) { raw, codec in
                // Only the 32-byte header block is sent: a header is all the agent may judge. The
                // 16 MiB frame it is cut from is sealed, and freed, before memory is measured.
                let header = Array(try codec.writer.seal(messageID: 0x11, payload: [UInt8](repeating: 0, count: 0xFF_FFFF - 1)).prefix(32))
                let rssBefore = ResidentMemory.bytes()
                try await raw.write(header)
                return (try await raw.framesUntilClose(&codec), rssBefore)
            }
            // Refused for the frame, not dropped later for the Hello it never sent (that is a plain close).
            #expect(try Self.disconnectReason(frames) == .protocolError)
            let growth = ResidentMemory.bytes() - rssBefore
            if ResidentMemory.isMeasurable { #expect(growth < Self.announced, "resident memory grew by \(growth >> 20) MiB") }
            try await Self.stillServes(setup, lamport: 70)
            #expect(await setup.agent.members().logEntries == entries + 1)
        }
    }

    @Test("a Snappy frame declaring 16 MiB of message is refused before decompressing, with a protocol-error Disconnect",
          .timeLimit(.minutes(2)))
    func decompressionBomb() async throws {
        try await HostileAnnouncementTests.withAgent { setup in
            let entries = await setup.agent.members().logEntries
            let rssBefore = ResidentMemory.bytes()
            let frames = try await Self.raw(setup) { raw, codec in
                let hello = Hello(clientID: "bomb", capabilities: [Capability(name: "shh", version: 6)],
                                  nodeID: F.key(2).publicKey.rawRepresentation)
                try await raw.write(codec.writer.seal(messageID: BaseProtocol.MessageID.hello, payload: hello.encoded()))
                // A Snappy block whose header declares 0xFFFFFF bytes (varint ff ff ff 07), then a few literals.
                let bomb: [UInt8] = [0xFF, 0xFF, 0xFF, 0x07, 0x0C] + [UInt8](repeating: 0x41, count: 4)
                try await raw.write(codec.writer.seal(messageID: 0x11, payload: bomb))
                return try await raw.framesUntilClose(&codec)
            }
            #expect(try Self.disconnectReason(frames, snappy: true) == .protocolError)
            let growth = ResidentMemory.bytes() - rssBefore
            if ResidentMemory.isMeasurable { #expect(growth < Self.announced, "resident memory grew by \(growth >> 20) MiB") }
            try await Self.stillServes(setup, lamport: 71)
            #expect(await setup.agent.members().logEntries == entries + 1)
        }
    }

    @Test("an envelope one byte over the policy's max-envelope-size is refused unopened; one at the limit is taken",
          .timeLimit(.minutes(2)))
    func envelopeOverLimit() async throws {
        try await HostileAnnouncementTests.withAgent { setup in
            let peer = try setup.peer(2)
            let limit = peer.policy.transport.maxEnvelopeSize
            let sealer = EnvelopeSealer(topic: Topic(name: peer.policy.consortium.name), encryption: .symmetric(peer.symmetricKey),
                                        signingKey: peer.key, timeToLive: 60)
            /// `message` in an envelope of exactly `size` bytes (the padding is adjusted until it fits).
            func envelope(_ message: WireMessage, size: Int) throws -> Envelope {
                let payload = message.encoded()
                var padding = max(0, size - (try sealer.seal(payload, padding: [], now: UInt32(F.HandPeer.now))).size)
                for _ in 0..<4 {
                    let sealed = try sealer.seal(payload, padding: [UInt8](repeating: 0, count: padding), now: UInt32(F.HandPeer.now))
                    if sealed.size == size { return sealed }
                    padding += size - sealed.size
                }
                throw PaddingError(size: size)
            }
            let leave = try peer.signed(peer.announcement(.leave, subject: 2, by: 2, lamport: 80))
            let join = try peer.signed(peer.announcement(.join, subject: 6, by: 2, lamport: 81))
            let over = try envelope(.announcement(leave.encoded), size: limit + 1)
            let atLimit = try envelope(.announcement(join.encoded), size: limit)
            let entries = await setup.agent.members().logEntries
            try await peer.session(with: setup.running) { session in
                for sealed in [over, atLimit] {
                    try await session.sender.send(CapabilityMessage(capability: "shh", id: WhisperPacket.messagesCode,
                                                                    payload: WhisperPacket.messages([sealed]).encodedData()))
                }
                // The second is taken, so the first, sent before it on the same connection, was handled: refused.
                #expect(try await session.acks(of: join.id).first?.decision == .pending)
                #expect(session.inbox.acks(of: leave.id).isEmpty)
            }
            #expect(try await setup.agent.log.entry(for: leave.id) == nil)
            #expect(await setup.agent.members().logEntries == entries + 1)
            #expect(await setup.memberNodes().contains(setup.node(2)))
        }
    }
}
