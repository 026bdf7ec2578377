import Foundation
import HeraldCrypto
@testable import HeraldAgent
import Membership
import RLP
import RLPx
import Testing
import Whisper

/// Anti-entropy between real agents on 127.0.0.1 whose logs were written
/// before they started: what converging costs on the wire.
@Suite("anti-entropy end to end", .serialized)
struct AntiEntropyTests {
    typealias F = AgentFixtures

    /// `count` pending joins of node 5 announced by node 1 (distinct Lamport times, so distinct IDs).
    static func announcements(_ count: Int, policy path: String) throws -> [SignedAnnouncement] {
        let policy = try PolicyLoader.load(contentsOf: path)
        let now = UInt64(Date().timeIntervalSince1970)
        return try (1...count).map { lamport in
            try SignedAnnouncement.sign(
                Announcement(consortium: policy.consortium.name, kind: .join, subject: F.key(5).publicKey.nodeID,
                             subjectEnode: F.nodeEnode(5), lamportTime: UInt64(lamport), issuedAt: now,
                             expiresAt: now + 3600, policyHash: policy.hash, announcer: F.key(1).publicKey.nodeID),
                with: F.key(1))
        }
    }

    /// Writes `entries` into the membership log of the agent configured by
    /// `configuration`, as received at `receivedAt` (default: now).
    static func writeLog(_ entries: [SignedAnnouncement], receivedAt: UInt64? = nil, for configuration: AgentConfiguration) throws {
        guard !entries.isEmpty else { return }
        let log = try MembershipLog(path: URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent(MembershipLog.fileName).path,
                                    policy: try PolicyLoader.load(contentsOf: configuration.policy))
        let receivedAt = receivedAt ?? UInt64(Date().timeIntervalSince1970)
        _ = try log.append(contentsOf: entries.map { (bytes: $0.encoded, receivedAt: receivedAt) })
        try log.close()
    }

    static func converged(_ a: HeraldAgent, _ b: HeraldAgent, entries: UInt64) async throws {
        try await F.until("both logs hold \(entries) entries", within: .seconds(90)) {
            let (left, right) = (await a.members(), await b.members())
            return left.logEntries == entries && right.logEntries == entries && left.digest == right.digest
        }
    }

    /// Waits until the two agents hold all of `log`, prints what anti-entropy
    /// cost, and returns its bytes (both directions) with the whole log's size.
    static func convergenceCost(_ agents: [F.Running], log: [SignedAnnouncement], case name: String) async throws -> (bytes: Int, wholeLog: Int) {
        let (a, b) = (agents[0].agent, agents[1].agent)
        try await converged(a, b, entries: UInt64(log.count))
        let wholeLog = log.map(\.encoded.count).reduce(0, +)
        let (left, right) = (await a.wireCounters, await b.wireCounters)
        let bytes = left.antiEntropyBytes + right.antiEntropyBytes
        print("anti-entropy, \(name): \(bytes) bytes in \(left.antiEntropyEnvelopes + right.antiEntropyEnvelopes) envelopes; whole log \(wholeLog) bytes")
        return (bytes, wholeLog)
    }

    @Test("agents whose 2000-entry logs differ by 3 converge for a small fraction of the log's bytes",
          .timeLimit(.minutes(3)))
    func smallDifference() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        let all = try Self.announcements(2000, policy: shared.policy)
        let common = Array(all.prefix(1997))
        // Agent 1 alone holds two entries, agent 2 alone one.
        let held = [1: common + all[1997...1998], 2: common + [all[1999]]]
        try await F.withAgents(2, in: sandbox, shared: shared, configure: { n, configuration in
            try Self.writeLog(held[n]!, for: configuration)
        }) { agents in
            let (bytes, wholeLog) = try await Self.convergenceCost(agents, log: all, case: "2000 entries differing by 3")
            #expect(bytes * 20 < wholeLog)
        }
    }

    @Test("an agent with an empty log converges with one holding 2000 entries, each shipped about once",
          .timeLimit(.minutes(3)))
    func emptyLog() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 2)
        let all = try Self.announcements(2000, policy: shared.policy)
        try await F.withAgents(2, in: sandbox, shared: shared, configure: { n, configuration in
            try Self.writeLog(n == 1 ? all : [], for: configuration)
        }) { agents in
            let (bytes, wholeLog) = try await Self.convergenceCost(agents, log: all, case: "empty log against 2000 entries")
            #expect(bytes < wholeLog + wholeLog / 4)
        }
    }

    @Test("hostile reconciliation input is refused or answered within bounds, and the agent keeps working",
          .timeLimit(.minutes(2)))
    func hostileInput() async throws {
        let sandbox = try F.Sandbox()
        defer { sandbox.cleanUp() }
        let shared = try sandbox.shared(genesis: 3)
        try await F.withAgents(1, in: sandbox, shared: shared, configure: { _, configuration in
            try Self.writeLog(try Self.announcements(100, policy: shared.policy), for: configuration)
        }) { agents in
            let running = agents[0]
            let peer = try F.HandPeer(2, policy: shared.policy, consortiumKey: shared.key)
            let bogus = [RangeFingerprint](repeating: RangeFingerprint(count: .max, xor: IDKey(w0: 1, w1: 2, w2: 3, w3: 4)), count: 16)
            var deep = IDPrefix.root
            for _ in 0..<63 { deep = deep.child(0xf) }
            let sealer = EnvelopeSealer(topic: Topic(name: peer.policy.consortium.name), encryption: .symmetric(peer.symmetricKey),
                                        signingKey: peer.key, timeToLive: 60)
            func raw(_ payload: [UInt8]) throws -> CapabilityMessage {
                let envelope = try sealer.seal(payload, now: UInt32(F.HandPeer.now))
                return CapabilityMessage(capability: "shh", id: WhisperPacket.messagesCode, payload: WhisperPacket.messages([envelope]).encodedData())
            }
            let marker = try peer.signed(peer.announcement(.leave, subject: 3, by: 2, lamport: 500))
            try await peer.session(with: running) { session in
                try await session.send(.reconcile(Array(repeating: .fingerprints(.root, bogus), count: 16)))
                try await session.send(.reconcile([.fingerprints(deep, bogus), .ids(deep, [])]))
                try await session.send(.want((0..<1024).map { AnnouncementID(of: [UInt8(truncatingIfNeeded: $0), 9]) }))
                try await session.send(.entries([WireMessage.Entry(encoded: [0xc0], receivedAt: .max)]))
                // Not wire messages: 17 parts, a 65-nibble prefix, an unknown type, trailing bytes.
                for payload in [
                    WireMessageTests.rlp { message in
                        message.write(UInt8(3))
                        message.writeList { parts in
                            for _ in 0..<17 { parts.writeList { $0.write(UInt8(1)); $0.write(UInt8(0)); $0.write(bytes: []); $0.writeList { _ in } } }
                        }
                    },
                    WireMessageTests.part(kind: 1, count: 65, packed: [UInt8](repeating: 0, count: 33)) { _ in },
                    WireMessageTests.rlp { $0.write(UInt8(99)); $0.write(bytes: []) },
                    WireMessage.reconcile([.ids(.root, [])]).encoded() + [0x80],
                ] {
                    try await session.sender.send(raw(payload))
                }
                // Messages are handled in order: the marker's ack means all of the above was processed.
                try await session.send(.announcement(marker.encoded))
                try await session.acks(of: marker.id, within: .seconds(60))
            }
            #expect(await running.agent.members().logEntries == 101)
            #expect(await running.agent.idIndex.count == 101)
        }
    }
}
