import Foundation
import HeraldCrypto
@testable import HeraldAgent
import Membership
import Testing

/// Forwarding (DESIGN step 4) between real agents on 127.0.0.1.
@Suite("forwarding end to end", .serialized)
struct ForwardingTests {
    typealias F = AgentFixtures

    @Test("on a line A–B–C, an announcement on A reaches C through B, and C's ack comes back through B",
          .timeLimit(.minutes(2)))
    func line() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 3)
        // Genesis members announce no agent endpoints: each agent dials only its configured peer, B dials A, C dials B.
        // Anti-entropy at its longest interval, after the on-connect exchange: only forwarding can deliver.
        try await F.withAgents(3, in: sandbox, shared: shared, dials: { $0 == 1 ? [] : [$0 - 1] },
                               configure: { _, configuration in configuration.antiEntropyIntervalMilliseconds = 3_600_000 }) { agents in
            let (a, b, c) = (agents[0].agent, agents[1].agent, agents[2].agent)
            try await F.until("line linked", within: .seconds(60)) {
                let counts = await (a.peers().count, b.peers().count, c.peers().count)
                return counts == (1, 2, 1)
            }
            let announced = try await a.announce(AnnounceRequest(kind: "leave", enode: F.nodeEnode(3)))
            #expect(announced.recipients.count == 2)
            try await F.until("C logged it", within: .seconds(60)) { (try? await c.status(announced.id)) != nil }
            try await F.until("B and C acked", within: .seconds(60)) { (try? await a.status(announced.id).acked) == 2 }
            // Once on receipt; again for each of A's retries to C (relayed by B) before C's ack came back.
            #expect(await b.wireCounters.forwardedAnnouncements >= 1)
            #expect(await b.wireCounters.relayedAcks >= 1)
            #expect(await c.wireCounters.forwardedAnnouncements == 0)
            #expect(await a.peers().map(\.node) == [F.key(2).publicKey.nodeID.hex])
        }
    }

    @Test("a retry reaches a recipient the announcer has no link to through a linked peer that has the announcement",
          .timeLimit(.minutes(2)))
    func retryThroughLinkedPeer() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 3)
        let quiet: (Int, inout AgentConfiguration) throws -> Void = { _, configuration in
            configuration.antiEntropyIntervalMilliseconds = 3_600_000
        }
        try await F.withAgents(2, in: sandbox, shared: shared, dials: { $0 == 1 ? [] : [1] }, configure: quiet) { agents in
            let (a, b) = (agents[0].agent, agents[1].agent)
            try await F.until("A and B linked", within: .seconds(60)) { await a.peers().count == 1 }
            await b.setSummarizesOnConnect(false)
            let announced = try await a.announce(AnnounceRequest(kind: "leave", enode: F.nodeEnode(3)))
            let nodeB = F.key(2).publicKey.nodeID.hex
            try await F.until("B acked", within: .seconds(60)) {
                (try? await a.status(announced.id))?.recipients.first { $0.node == nodeB }?.acked == true
            }
            #expect(await b.wireCounters.forwardedAnnouncements == 0)

            // C comes up only now, linked to B alone, and neither end summarises its log on
            // connect: only A's retry, handed to B, which forwards it, can deliver.
            var configuration = try sandbox.configuration(3, policy: shared.policy, consortiumKey: shared.key,
                                                          peers: [agents[1].enode])
            try quiet(3, &configuration)
            agents.append(try await F.start(configuration) { await $0.setSummarizesOnConnect(false) })
            let c = agents[2].agent
            try await F.until("C logged it", within: .seconds(60)) { (try? await c.status(announced.id)) != nil }
            try await F.until("C's ack reached A", within: .seconds(60)) { (try? await a.status(announced.id).acked) == 2 }
            #expect(await b.wireCounters.forwardedAnnouncements >= 1)
            #expect(await b.wireCounters.relayedAcks >= 1)
            #expect(await c.wireCounters.antiEntropyEnvelopes == 0)
        }
    }

    @Test("in a full mesh of 4 nobody forwards: an announcement costs N−1 envelopes and N−1 acks",
          .timeLimit(.minutes(2)))
    func fullMesh() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        // Retries an hour apart: every envelope counted is a first send, a forward or an ack.
        let shared = try sandbox.shared(genesis: 4, retryBackoff: "{base: 1h, max: 1h}")
        try await F.withAgents(4, in: sandbox, shared: shared) { agents in
            let all = agents.map(\.agent)
            for agent in all {
                try await F.until("full mesh", within: .seconds(60)) { await agent.peers().count == 3 }
            }
            func total(_ counter: @escaping @Sendable (WireCounters) -> Int) async -> Int {
                var sum = 0
                for agent in all { sum += counter(await agent.wireCounters) }
                return sum
            }
            let before = await total(\.deliveryEnvelopes)
            let announced = try await all[0].announce(AnnounceRequest(kind: "leave", enode: F.nodeEnode(4)))
            #expect(announced.recipients.count == 3)
            // A receiver forwards before it acks: once every ack is in, every forward would have been queued.
            try await F.until("all acked", within: .seconds(60)) { (try? await all[0].status(announced.id).acked) == 3 }
            let envelopes = await total(\.deliveryEnvelopes) - before
            print("full mesh of 4: \(envelopes) delivery envelopes for one announcement")
            #expect(await total(\.forwardedAnnouncements) == 0)
            #expect(envelopes <= 2 * all.count)
        }
    }
}
