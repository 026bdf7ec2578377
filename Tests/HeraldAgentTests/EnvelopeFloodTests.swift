import Foundation
import HeraldCrypto
@testable import HeraldAgent
import Membership
import RLPx
import Testing
import TestSupport
import TestTurns
import Whisper

/// An allowlisted peer that floods an agent with envelopes, valid and
/// invalid: the agent drops what is over the peer's rate unopened, counts
/// it, stays bounded in memory, and another peer's announcement still gets
/// through and acknowledged.
@Suite("envelope flood from an allowlisted peer", .serialized)
struct EnvelopeFloodTests {
    typealias F = AgentFixtures

    static func samples(_ agent: HeraldAgent) async -> MetricsFixtures.Samples {
        MetricsFixtures.Samples(String(decoding: await agent.metrics.exposition(), as: UTF8.self))
    }

    /// Lower than the default so that the flood is far over the limit even
    /// when a loaded machine sends it slowly (CI once took 77 s for it).
    static let rate = 100

    @Test("20,000 envelopes in about two seconds: rate-limited, counted, bounded; another peer is still served",
          .takesTurns, .timeLimit(.minutes(6)))
    func flood() async throws {
        var flooded: Duration = .zero
        try await HostileAnnouncementTests.withAgent(configure: { $0.maxEnvelopesPerSecond = Self.rate }) { setup in
            let agent = setup.agent
            let flooder = try setup.peer(2)
            let other = try setup.peer(3)
            // Valid envelopes (node 2's own leave, re-sealed each time: every envelope is new)
            // and invalid ones (garbage payloads that do not open), 256 to a packet.
            let leave = try flooder.signed(flooder.announcement(.leave, subject: 2, by: 2, lamport: 50))
            let sealer = EnvelopeSealer(topic: Topic(name: flooder.policy.consortium.name), encryption: .symmetric(flooder.symmetricKey),
                                        signingKey: flooder.key, timeToLive: 60)
            var packets: [CapabilityMessage] = []
            for _ in 0..<78 {
                var envelopes: [Envelope] = []
                for index in 0..<256 {
                    if index % 4 == 3 {
                        var envelope = try sealer.seal(WireMessage.announcement(leave.encoded).encoded(), now: UInt32(F.HandPeer.now))
                        envelope.data = SecureRandom.bytes(count: envelope.data.count)
                        envelopes.append(envelope)
                    } else {
                        envelopes.append(try sealer.seal(WireMessage.announcement(leave.encoded).encoded(), now: UInt32(F.HandPeer.now)))
                    }
                }
                packets.append(CapabilityMessage(capability: "shh", id: WhisperPacket.messagesCode,
                                                 payload: WhisperPacket.messages(envelopes).encodedData()))
            }
            let rssBefore = ResidentMemory.bytes()
            let join = try other.signed(other.announcement(.join, subject: 6, by: 3, lamport: 60))
            try await flooder.session(with: setup.running) { flood in
                try await other.session(with: setup.running) { session in
                    let start = ContinuousClock.now
                    for (index, packet) in packets.enumerated() {
                        try await flood.sender.send(packet)
                        if index == 20 { try await session.send(.announcement(join.encoded)) }
                        // About 10,000 envelopes per second.
                        let due = start + .milliseconds(index * 256 / 10)
                        if ContinuousClock.now < due { try await Task.sleep(until: due) }
                    }
                    // The other peer's announcement got through the flood.
                    let acks = try await session.acks(of: join.id)
                    #expect(acks.first?.decision == .pending)
                    // Every envelope sent has reached the agent before the connection closes.
                    try await F.until("the agent has read the whole flood", within: .seconds(60)) {
                        await Self.samples(agent)["herald_envelopes_received_total"] >= 19_968
                    }
                    flooded = ContinuousClock.now - start
                }
            }
            let samples = await Self.samples(agent)
            let limited = samples["herald_envelopes_rate_limited_total"]
            let received = samples["herald_envelopes_received_total"]
            // The token bucket lets through at most a burst (twice the rate) plus the rate
            // for every second the flood lasted; everything else is dropped unopened.
            let seconds = Double(flooded.components.seconds) + Double(flooded.components.attoseconds) / 1e18
            let allowed = Double(2 * Self.rate) + Double(Self.rate) * seconds
            #expect(received - limited <= allowed + 1,
                    "\(received - limited) of \(received) let through in \(flooded); at most \(Int(allowed)) allowed")
            #expect(limited > 0)
            #expect(received >= 19_968)
            let growth = ResidentMemory.bytes() - rssBefore
            if ResidentMemory.isMeasurable {
                #expect(growth < 64 << 20, "resident memory grew by \(growth >> 20) MiB during the flood")
            }
            // Node 2's leave was decided once; the flood changed nothing else.
            #expect(try await agent.status(leave.id.hex).decision == "accepted")
            #expect(await agent.members().members.count == 2)
        }
    }
}
