import Foundation
import HeraldCrypto
@testable import HeraldAgent
import Membership
import NIOPosix
import RLP
import RLPx
import Testing
import Whisper

/// Hostile input against one real agent on 127.0.0.1, sent by a hand-made
/// peer (``AgentFixtures/HandPeer``) that speaks RLPx, Whisper and the wire
/// format itself: replays, expired and unauthorised announcements, and an
/// outsider's envelopes. Every "never applied" check waits first for a
/// positive sign that the agent processed the message (its ack, or a
/// later message on the same connection, which the agent handles in order).
@Suite("hostile announcements end to end", .serialized)
struct HostileAnnouncementTests {
    typealias F = AgentFixtures

    /// One agent (node 1) of a consortium of three genesis validators, counting its adapter runs.
    struct Setup: Sendable {
        let sandbox: F.Sandbox
        let shared: (policy: String, key: String)
        let running: F.Running
        let runs: URL
        var agent: HeraldAgent { running.agent }
        var file: URL { URL(fileURLWithPath: running.configuration.dataDirectory).appendingPathComponent("permissioned-nodes.json") }

        func peer(_ n: Int) throws -> F.HandPeer { try F.HandPeer(n, policy: shared.policy, consortiumKey: shared.key) }
        func node(_ n: Int) -> String { F.key(n).publicKey.nodeID.hex }
        func memberNodes() async -> [String] { await agent.members().members.map(\.node) }
    }

    static func withAgent(configure: (inout AgentConfiguration) -> Void = { _ in },
                          _ body: (Setup) async throws -> Void) async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 3)
        var configuration = try sandbox.configuration(1, policy: shared.policy, consortiumKey: shared.key, peers: [])
        configure(&configuration)
        let runs = F.countAdapterRuns(&configuration)
        let running = try await F.start(configuration)
        do {
            try await F.settled(running.agent)
            try await body(Setup(sandbox: sandbox, shared: shared, running: running, runs: runs))
        } catch {
            await running.stop()
            throw error
        }
        await running.stop()
    }

    @Test("a replayed, already applied announcement is acked again as a duplicate, not logged or applied twice",
          .timeLimit(.minutes(1)))
    func replay() async throws {
        try await Self.withAgent { setup in
            let agent = setup.agent
            let peer = try setup.peer(2)
            // Node 2 leaves, then rejoins: replaying the leave afterwards would remove it again.
            let leave = try peer.signed(peer.announcement(.leave, subject: 2, by: 2, lamport: 1))
            let rejoin = try peer.signed(peer.announcement(.join, subject: 2, by: 2, lamport: 2))
            try await peer.session(with: setup.running) { session in
                try await session.send(.announcement(leave.encoded))
                let first = try #require(try await session.acks(of: leave.id).first)
                #expect(first.decision == .accepted)
                try await session.send(.announcement(rejoin.encoded))
                #expect(try await session.acks(of: rejoin.id).first?.decision == .accepted)
                try await F.settled(agent)
                #expect(await setup.memberNodes().contains(setup.node(2)))
                let entries = await agent.members().logEntries
                let digest = await agent.members().digest
                let runs = F.runs(setup.runs)
                let file = try String(contentsOf: setup.file, encoding: .utf8)
                #expect(file.contains(F.pub(2)))

                // The same bytes in a new envelope: a duplicate, acked again with the original log index.
                try await session.send(.announcement(leave.encoded))
                let acks = try await session.acks(of: leave.id, count: 2)
                #expect(acks[1].decision == .accepted)
                #expect(acks[1].logIndex == first.logIndex)

                #expect(await agent.members().logEntries == entries)
                #expect(try await agent.log.entry(for: leave.id)?.index == first.logIndex)
                #expect(await agent.members().digest == digest)
                #expect(await setup.memberNodes().contains(setup.node(2)))
                try await F.settled(agent)
                #expect(F.runs(setup.runs) == runs)
                #expect(try String(contentsOf: setup.file, encoding: .utf8) == file)
            }
        }
    }

    @Test("an expired announcement is logged as rejected (expired) and never applied, directly or through anti-entropy",
          .timeLimit(.minutes(1)))
    func expired() async throws {
        try await Self.withAgent { setup in
            let agent = setup.agent
            let peer = try setup.peer(2)
            let now = F.HandPeer.now
            // Node 2's own leave, which the policy would accept, but it expired an hour ago.
            let stale = try peer.signed(peer.announcement(.leave, subject: 2, by: 2, lamport: 1, issuedAt: now - 7200, lifetime: 3600))
            let staleEntry = try peer.signed(peer.announcement(.leave, subject: 2, by: 2, lamport: 2, issuedAt: now - 7200, lifetime: 3600))
            let members = await agent.members()
            let runs = F.runs(setup.runs)
            let file = try String(contentsOf: setup.file, encoding: .utf8)
            try await peer.session(with: setup.running) { session in
                try await session.send(.announcement(stale.encoded))
                #expect(try await session.acks(of: stale.id).first?.decision == .rejected(.expired))
                // Through anti-entropy, with an honest receipt time: the same verdict.
                try await session.send(.entries([WireMessage.Entry(encoded: staleEntry.encoded, receivedAt: F.HandPeer.now)]))
                #expect(try await session.acks(of: staleEntry.id).first?.decision == .rejected(.expired))

                for id in [stale.id, staleEntry.id] {
                    let entry = try #require(try await agent.log.entry(for: id))
                    guard case .rejected(let code, let reason) = entry.decision else {
                        Issue.record("not rejected: \(entry.decision)"); continue
                    }
                    #expect(code == .expired)
                    #expect(reason.contains("expired at"))
                    // `herald status` shows the rejection the log holds.
                    let status = try await agent.status(id.hex)
                    #expect(status.decision == entry.decision.description)
                }
                let after = await agent.members()
                #expect(after.members == members.members)
                #expect(after.digest == members.digest)
                #expect(after.logEntries == members.logEntries + 2)
                try await F.settled(agent)
                #expect(F.runs(setup.runs) == runs)
                #expect(try String(contentsOf: setup.file, encoding: .utf8) == file)

                // The same leave, unexpired, is accepted and applied: the checks above could have seen it.
                let fresh = try peer.signed(peer.announcement(.leave, subject: 2, by: 2, lamport: 3))
                try await session.send(.announcement(fresh.encoded))
                #expect(try await session.acks(of: fresh.id).first?.decision == .accepted)
                try await F.settled(agent)
                #expect(await !setup.memberNodes().contains(setup.node(2)))
                #expect(F.runs(setup.runs) == runs + 1)
            }
        }
    }

    @Test("announcements the policy does not authorise, from an allowlisted agent, do not change the member list",
          .timeLimit(.minutes(1)))
    func unauthorised() async throws {
        try await Self.withAgent { setup in
            let agent = setup.agent
            // Node 1 announces the join of unlisted node 5: pending a second validator approval.
            // Node 5 is now allowlisted (it may connect) but is no member and no approver.
            let join = try await agent.announce(AnnounceRequest(kind: "join", enode: F.nodeEnode(5)))
            #expect(join.decision.hasPrefix("pending"))
            let joinID = try #require(AnnouncementID(hex: join.id))
            let members = await agent.members()
            try await F.settled(agent)
            let runs = F.runs(setup.runs)
            let file = try String(contentsOf: setup.file, encoding: .utf8)

            let peer = try setup.peer(5)
            try await peer.session(with: setup.running) { session in
                // Its own approval, which would be the second one and admit it.
                let selfApproval = try peer.signed(peer.announcement(.approve, subject: 5, by: 5, lamport: 100, approving: joinID))
                // The join of another unlisted node, announced by a non-member.
                let proxyJoin = try peer.signed(peer.announcement(.join, subject: 6, by: 5, lamport: 101))
                try await session.send(.announcement(selfApproval.encoded))
                try await session.send(.announcement(proxyJoin.encoded))
                #expect(try await session.acks(of: selfApproval.id).first?.decision == .rejected(.notAnApprover))
                #expect(try await session.acks(of: proxyJoin.id).first?.decision == .rejected(.unauthorisedAnnouncer))
                #expect(try await agent.status(selfApproval.id.hex).decision.hasPrefix("rejected"))
                #expect(try await agent.status(proxyJoin.id.hex).decision.hasPrefix("rejected"))

                let after = await agent.members()
                #expect(after.members == members.members)
                #expect(after.digest == members.digest)
                #expect(try await agent.status(join.id).decision.hasPrefix("pending"))
                try await F.settled(agent)
                #expect(F.runs(setup.runs) == runs)
                #expect(try String(contentsOf: setup.file, encoding: .utf8) == file)

                // A validator's approval, relayed the same way, does admit node 5: the rejections were the policy's.
                let approval = try peer.signed(peer.announcement(.approve, subject: 5, by: 2, lamport: 102, approving: joinID))
                try await session.send(.announcement(approval.encoded))
                let node5 = setup.node(5)
                try await F.until("node 5 admitted") { await setup.memberNodes().contains(node5) }
                #expect(await !setup.memberNodes().contains(setup.node(6)))
            }
        }
    }

    @Test("a forged or non-member policy change is refused: not logged as accepted, the policy and its file unchanged",
          .timeLimit(.minutes(1)))
    func forgedPolicyChange() async throws {
        try await Self.withAgent { setup in
            let agent = setup.agent
            // Node 5, a pending join's subject, is allowlisted but no member.
            _ = try await agent.announce(AnnounceRequest(kind: "join", enode: F.nodeEnode(5)))
            let policyFile = setup.running.configuration.policy
            let text = try String(contentsOfFile: policyFile, encoding: .utf8)
            let proposed = text.replacingOccurrences(of: "min-validators: 1", with: "min-validators: 2")
            #expect(proposed != text)
            let peer = try setup.peer(5)
            /// The signed encoding `[body, signature]` of a proposal by `announcer`, signed with `signer`'s key.
            func change(by announcer: Int, signedBy signer: Int, lamport: UInt64) throws -> (encoded: [UInt8], id: AnnouncementID) {
                let node = F.key(announcer).publicKey.nodeID
                let body = Announcement(consortium: peer.policy.consortium.name, kind: .policyChange, subject: node,
                                        lamportTime: lamport, issuedAt: F.HandPeer.now, expiresAt: F.HandPeer.now + 3600,
                                        policyHash: peer.policy.hash, announcer: node, policyText: proposed)
                let signature = try F.key(signer).signature(forDigest: body.signingDigest)
                var writer = RLPWriter()
                writer.writeList { list in
                    list.write(rawEncoded: body.encodedBody)
                    list.write(bytes: signature.rawRepresentation)
                }
                return (writer.bytes, AnnouncementID(of: writer.bytes))
            }
            // Claims validator 2 as its proposer, signed by node 5: dropped on arrival.
            let forged = try change(by: 2, signedBy: 5, lamport: 200)
            // Node 5's own proposal: signed correctly, but node 5 may not propose.
            let outsider = try change(by: 5, signedBy: 5, lamport: 201)
            try await peer.session(with: setup.running) { session in
                try await session.send(.announcement(forged.encoded))
                try await session.send(.announcement(outsider.encoded))
                #expect(try await session.acks(of: outsider.id).first?.decision == .rejected(.unauthorisedAnnouncer))
            }
            await #expect(throws: AgentError.self) { try await agent.status(forged.id.hex) }
            #expect(try await agent.status(outsider.id.hex).decision.hasPrefix("rejected: announcer"))
            #expect(await agent.policy.hash == peer.policy.hash)
            #expect(try String(contentsOfFile: policyFile, encoding: .utf8) == text)
            #expect(!FileManager.default.fileExists(atPath: policyFile + ".prev"))
        }
    }

    @Test("a process that is not allowlisted cannot get past the handshake, nor inject through a member",
          .timeLimit(.minutes(1)))
    func outsiderCannotInject() async throws {
        try await Self.withAgent { setup in
            let agent = setup.agent
            // A valid announcement the outsider holds: node 3's own leave, which the policy would accept.
            let outsider = try setup.peer(9)
            let leave = try outsider.signed(outsider.announcement(.leave, subject: 3, by: 3, lamport: 1))
            let members = await agent.members()

            await #expect(throws: (any Error).self) {
                try await outsider.session(with: setup.running) { session in
                    try await session.send(.announcement(leave.encoded))
                }
            }
            #expect(await agent.peers().isEmpty)

            // Relayed by member node 2 in an envelope the outsider sealed and signed: dropped
            // before it is opened as an announcement. Node 2's own next message proves it was processed.
            let member = try setup.peer(2)
            let marker = try member.signed(member.announcement(.join, subject: 7, by: 2, lamport: 2))
            try await member.session(with: setup.running) { session in
                try await session.send(.announcement(leave.encoded), envelopeSigner: F.key(9))
                try await session.send(.announcement(marker.encoded))
                try await session.acks(of: marker.id)
            }
            #expect(try await agent.log.entry(for: leave.id) == nil)
            #expect((try? await agent.status(leave.id.hex)) == nil)
            let after = await agent.members()
            #expect(after.members == members.members)
            #expect(after.logEntries == members.logEntries + 1)
            #expect(after.members.contains { $0.node == setup.node(3) })
        }
    }

    @Test("an envelope without a signature is taken only for an ack, as the sender its own signature names",
          .timeLimit(.minutes(1)))
    func unsignedEnvelopes() async throws {
        try await Self.withAgent { setup in
            let agent = setup.agent
            let announced = try await agent.announce(AnnounceRequest(kind: "join", enode: F.nodeEnode(8)))
            let id = try #require(AnnouncementID(hex: announced.id))
            let member = try setup.peer(2)
            let leave = try member.signed(member.announcement(.leave, subject: 2, by: 2, lamport: 5))
            let marker = try member.signed(member.announcement(.join, subject: 7, by: 2, lamport: 6))
            try await member.session(with: setup.running) { session in
                // A valid announcement, but in an unsigned envelope: dropped. The marker's ack proves it was processed.
                try await session.send(.announcement(leave.encoded), signed: false)
                try await session.send(.announcement(marker.encoded))
                try await session.acks(of: marker.id)

                // Node 2's own ack in an unsigned envelope: recorded as node 2's.
                let head = try #require(LogHash(rawRepresentation: [UInt8](repeating: 0x11, count: 32)))
                let ack = Ack(announcementID: id, receiver: F.key(2).publicKey.nodeID, decision: .accepted, logIndex: 3, logHead: head)
                try await session.send(.ack(SignedAck.sign(ack, with: F.key(2)).encoded), signed: false)
                _ = try await F.eventually("node 2's ack recorded") {
                    let status = try await agent.status(announced.id)
                    return status.recipients.first { $0.node == setup.node(2) && $0.acked } != nil ? true : nil
                }
            }
            #expect(try await agent.log.entry(for: leave.id) == nil)
            #expect(await setup.memberNodes().contains(setup.node(2)))
        }
    }
}
