import Foundation
import HeraldCrypto
@testable import HeraldAgent
import Membership
import NIOPosix
import RLPx
import Testing
import Whisper

@Suite("agents end to end", .serialized)
struct EndToEndTests {
    /// With 3 genesis agents (4 in all) and with 4 (5 in all).
    @Test("a join announced on one agent is acknowledged by all, admitted after approval and applied everywhere",
          .timeLimit(.minutes(1)), arguments: [3, 4])
    func joinReachesEveryone(genesis: Int) async throws {
        let sandbox = try AgentFixtures.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: genesis)
        // Genesis agents dial those started before them; the last agent (the joiner) dials them all.
        let joinerNumber = genesis + 1
        try await AgentFixtures.withAgents(joinerNumber, in: sandbox, shared: shared) { agents in
            for running in agents.prefix(genesis) {
                try await AgentFixtures.until("genesis mesh") { await running.agent.peers().count == genesis - 1 }
            }
            let joinerPort = try #require(URL(string: agents[genesis].enode)?.port)
            let announced = try await agents[0].agent.announce(AnnounceRequest(
                kind: "join", enode: AgentFixtures.nodeEnode(joinerNumber), roles: ["observer"],
                agentEndpoint: "127.0.0.1:\(joinerPort)"))
            #expect(announced.decision.hasPrefix("pending"))
            // The other genesis agents and the joiner.
            #expect(announced.recipients.count == genesis)

            let second = agents[1].agent
            try await AgentFixtures.until("announcement reaches agent 2") {
                (try? await second.status(announced.id)) != nil
            }
            let approval = try await agents[1].agent.approve(announced.id)
            let expectedAcks = [(agents[0], announced.id, genesis), (agents[1], approval.id, genesis)]
            for (running, id, count) in expectedAcks {
                try await AgentFixtures.until("acks of \(id.prefix(8))") {
                    (try? await running.agent.status(id).acked) == count
                }
                let status = try await running.agent.status(id)
                #expect(status.giveUpAt != nil && !status.gaveUp)
            }
            let joiner = AgentFixtures.key(joinerNumber).publicKey.nodeID.hex
            for running in agents {
                try await AgentFixtures.until("joiner admitted") {
                    await running.agent.members().members.contains { $0.node == joiner }
                }
            }
            let digests = await withTaskGroup(of: String.self) { group in
                for running in agents { group.addTask { await running.agent.members().digest } }
                return await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(digests.count == 1)
            #expect(try await agents[0].agent.status(announced.id).decision == "accepted")
            for running in agents {
                let file = URL(fileURLWithPath: running.configuration.dataDirectory).appendingPathComponent("permissioned-nodes.json")
                try await AgentFixtures.until("adapter file lists the joiner") {
                    ((try? String(contentsOf: file, encoding: .utf8)) ?? "").contains(AgentFixtures.pub(joinerNumber))
                }
            }
        }
    }

    @Test("an agent that was down receives and acknowledges the announcement after restarting", .timeLimit(.minutes(1)))
    func restartedAgentCatchesUp() async throws {
        let sandbox = try AgentFixtures.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 3)
        try await AgentFixtures.withAgents(3, in: sandbox, shared: shared) { agents in
            let first = agents[0].agent
            try await AgentFixtures.until("genesis mesh") { await first.peers().count == 2 }
            await agents[2].stop()
            try await AgentFixtures.until("agent 3 gone") { await first.peers().count == 1 }

            let announced = try await first.announce(AnnounceRequest(kind: "join", enode: AgentFixtures.nodeEnode(4)))
            let third = AgentFixtures.key(3).publicKey.nodeID.hex
            let status = try await first.status(announced.id)
            #expect(status.recipients.first { $0.node == third }?.acked == false)

            // Same data directory, same key: the agent resumes from disk and dials agents 1 and 2 again.
            agents[2] = try await AgentFixtures.start(agents[2].configuration)
            try await AgentFixtures.until("agent 3 acknowledged") {
                (try? await first.status(announced.id))?.recipients.first { $0.node == third }?.acked == true
            }
            let restarted = agents[2].agent
            #expect(try await restarted.status(announced.id).decision.hasPrefix("pending"))
            try await AgentFixtures.untilConverged(first, restarted)
        }
    }

    @Test("an agent offline past every retry window catches up through anti-entropy alone", .timeLimit(.minutes(1)))
    func antiEntropyCatchUp() async throws {
        let sandbox = try AgentFixtures.Sandbox()
        defer { sandbox.cleanUp() }
        // Announcers give up after 1 s: only the log summary exchange can deliver later.
        let shared = try sandbox.shared(genesis: 3, giveUpAfter: "1s")
        try await AgentFixtures.withAgents(3, in: sandbox, shared: shared) { agents in
            let first = agents[0].agent
            try await AgentFixtures.until("genesis mesh") { await first.peers().count == 2 }
            await agents[2].stop()
            try await AgentFixtures.until("agent 3 gone") { await first.peers().count == 1 }

            var ids: [String] = []
            for n in 10..<15 {
                ids.append(try await first.announce(AnnounceRequest(kind: "join", enode: AgentFixtures.nodeEnode(n))).id)
            }
            // Past the give-up time (whole seconds): the announcer no longer resends anything.
            let giveUp = Date().addingTimeInterval(2.5)
            try await AgentFixtures.until("give-up time passed") { Date() > giveUp }

            agents[2] = try await AgentFixtures.start(agents[2].configuration)
            let restarted = agents[2].agent
            let announced = ids
            try await AgentFixtures.until("agent 3 holds every announcement") {
                var held = 0
                for id in announced where (try? await restarted.status(id)) != nil { held += 1 }
                return held == announced.count
            }
            try await AgentFixtures.untilConverged(first, restarted)
        }
    }

    @Test("a node that is not on the allowlist cannot connect", .timeLimit(.minutes(1)))
    func strangerIsRefused() async throws {
        let sandbox = try AgentFixtures.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        let running = try await AgentFixtures.start(
            try sandbox.configuration(1, policy: shared.policy, consortiumKey: shared.key, peers: []))
        defer { running.task.cancel() }
        let stranger = RLPxNode(
            configuration: RLPxConfiguration(
                privateKey: AgentFixtures.key(9), clientID: "stranger",
                protocols: [LocalProtocol(capability: Capability(name: "shh", version: 6), messageIDCount: 128)],
                isAllowed: { _ in true }),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let target = try #require(Enode(running.enode))
        // Refused either during the handshake or right after it: no message ever flows.
        if let connection = try? await stranger.dial(target) {
            let received = try await connection.run { messages, _ in
                var count = 0
                for try await _ in messages { count += 1 }
                return count
            }
            #expect(received == 0)
        }
        #expect(await running.agent.peers().isEmpty)
        await running.stop()
    }

    @Test("a forged announcement is dropped and never logged", .timeLimit(.minutes(1)))
    func forgedAnnouncementIsRejected() async throws {
        let sandbox = try AgentFixtures.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        let running = try await AgentFixtures.start(
            try sandbox.configuration(1, policy: shared.policy, consortiumKey: shared.key, peers: []))
        defer { running.task.cancel() }
        let policy = try PolicyLoader.load(contentsOf: shared.policy)
        // Node 2 is a genesis member: allowed to connect and to sign envelopes.
        let member = RLPxNode(
            configuration: RLPxConfiguration(
                privateKey: AgentFixtures.key(2), clientID: "test",
                protocols: [LocalProtocol(capability: Capability(name: "shh", version: 6), messageIDCount: 128)],
                isAllowed: { _ in true }),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let now = UInt64(Date().timeIntervalSince1970)
        func announcement(claiming announcer: Int, lamport: UInt64) -> Announcement {
            Announcement(consortium: policy.consortium.name, kind: .leave, subject: AgentFixtures.key(2).publicKey.nodeID,
                         lamportTime: lamport, issuedAt: now, expiresAt: now + 3600, policyHash: policy.hash,
                         announcer: AgentFixtures.key(announcer).publicKey.nodeID)
        }
        // Claims to be node 1's but is signed by node 2: the signature check fails.
        let honest = try SignedAnnouncement.sign(announcement(claiming: 2, lamport: 7), with: AgentFixtures.key(2))
        var forged = try SignedAnnouncement.sign(announcement(claiming: 2, lamport: 5), with: AgentFixtures.key(2)).encoded
        let claimed = AgentFixtures.key(2).publicKey.nodeID.rawRepresentation
        let other = AgentFixtures.key(1).publicKey.nodeID.rawRepresentation
        let at = try #require(forged.firstRange(of: claimed))
        forged.replaceSubrange(at, with: other)
        let sealer = EnvelopeSealer(topic: Topic(name: policy.consortium.name),
                                    encryption: .symmetric(try ConsortiumKey.resolve("file:" + shared.key)),
                                    signingKey: AgentFixtures.key(2), timeToLive: 60)
        func packet(_ message: WireMessage) throws -> CapabilityMessage {
            let envelope = try sealer.seal(message.encoded(), now: UInt32(now))
            return CapabilityMessage(capability: "shh", id: WhisperPacket.messagesCode,
                                     payload: WhisperPacket.messages([envelope]).encodedData())
        }
        let connection = try await member.dial(try #require(Enode(running.enode)))
        let before = await running.agent.members().logEntries
        try await connection.run { _, sender in
            try await sender.send(packet(.announcement(forged)))
            try await sender.send(packet(.announcement(honest.encoded)))
            // Messages are processed in order: once the honest one is logged, the forged one was seen.
            try await AgentFixtures.until("honest announcement logged") {
                (try? await running.agent.status(honest.id.hex)) != nil
            }
        }
        #expect(await running.agent.members().logEntries == before + 1)
        #expect((try? await running.agent.status(AnnouncementID(of: forged).hex)) == nil)
        await running.stop()
    }
}
