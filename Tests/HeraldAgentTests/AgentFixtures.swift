import Foundation
import HeraldCrypto
@testable import HeraldAgent
import Membership
import NIOPosix
import NodeAdapters
import RLPx
import Testing
import TestSupport
import Whisper

/// In-process agents on 127.0.0.1 in temporary directories; everything a
/// fixture starts it stops and removes.
enum AgentFixtures {
    /// Node key number `n`, deterministic (key family 0x22; the process tests' nodes are 0x33).
    static func key(_ n: Int) -> Secp256k1.PrivateKey {
        try! Secp256k1.PrivateKey(rawRepresentation: GenesisPolicy.rawNodeKey(n, family: 0x22))
    }

    static func pub(_ n: Int) -> String { Hex.encode(key(n).publicKey.rawRepresentation) }

    /// The node's (not the agent's) enode URL.
    static func nodeEnode(_ n: Int) -> String { "enode://\(pub(n))@127.0.0.1:\(30300 + n)" }

    /// Nodes 1...genesis are genesis validators; admitting anyone else needs two validator approvals.
    static func policy(genesis: Int, giveUpAfter: String = "1h", retryBackoff: String = "{base: 1s, max: 2s}") -> String {
        GenesisPolicy.yaml(consortium: "herald-test", consortiumKey: "file:unused", enodes: (1...genesis).map(nodeEnode),
                           retryBackoff: retryBackoff, giveUpAfter: giveUpAfter)
    }

    /// A directory removed by `cleanUp()`.
    final class Sandbox: @unchecked Sendable {
        let root: URL

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-agent-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        }

        func cleanUp() { try? FileManager.default.removeItem(at: root) }

        /// Writes the shared policy and consortium key; returns their paths.
        func shared(genesis: Int, giveUpAfter: String = "1h",
                    retryBackoff: String = "{base: 1s, max: 2s}") throws -> (policy: String, key: String) {
            let policy = root.appendingPathComponent("policy.yaml").path
            try AgentFixtures.policy(genesis: genesis, giveUpAfter: giveUpAfter, retryBackoff: retryBackoff).write(toFile: policy, atomically: true, encoding: .utf8)
            let key = root.appendingPathComponent("consortium.key").path
            try String(repeating: "ab", count: 32).writePrivate(toFile: key)
            return (policy, key)
        }


        /// Configuration of agent `n`, dialling `peers`.
        func configuration(_ n: Int, policy: String, consortiumKey: String, peers: [String]) throws -> AgentConfiguration {
            let directory = root.appendingPathComponent("agent-\(n)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let keyPath = directory.appendingPathComponent("nodekey").path
            try NodeKeyFile.write(AgentFixtures.key(n), to: keyPath)
            return AgentConfiguration(
                listen: .init(host: "127.0.0.1", port: 0), dataDirectory: directory.path, nodeKey: keyPath,
                policy: policy, controlSocket: directory.appendingPathComponent("herald.sock").path,
                consortiumKey: "file:" + consortiumKey, peers: peers,
                adapters: [.goQuorumFiles(GoQuorumFilesConfiguration(
                    permissionedNodesPath: directory.appendingPathComponent("permissioned-nodes.json").path))],
                antiEntropyIntervalMilliseconds: 1000, logLevel: "warning")
        }
    }

    /// A running agent and its task.
    struct Running: Sendable {
        let agent: HeraldAgent
        let task: Task<Void, any Error>
        let enode: String
        let configuration: AgentConfiguration

        func stop() async {
            task.cancel()
            _ = try? await task.value
        }
    }

    /// Starts agents 1...count under `shared`'s policy, each dialling those
    /// started before it (or the agents `dials(n)` names, all started before
    /// it), runs `body` with them, and stops every agent in `agents`
    /// afterwards, also when `body` throws (a restart inside `body` replaces
    /// its entry, so the restarted agent is stopped too). `configure` may
    /// change each configuration or prepare its data directory before the agent starts.
    static func withAgents<R: Sendable>(_ count: Int, in sandbox: Sandbox, shared: (policy: String, key: String),
                                        dials: (Int) -> [Int] = { Array(1..<$0) },
                                        configure: (Int, inout AgentConfiguration) throws -> Void = { _, _ in },
                                        _ body: (inout [Running]) async throws -> R) async throws -> R {
        var agents: [Running] = []
        do {
            for n in 1...count {
                var configuration = try sandbox.configuration(n, policy: shared.policy, consortiumKey: shared.key,
                                                              peers: dials(n).map { agents[$0 - 1].enode })
                try configure(n, &configuration)
                agents.append(try await start(configuration))
            }
            let result = try await body(&agents)
            for running in agents { await running.stop() }
            return result
        } catch {
            for running in agents { await running.stop() }
            throw error
        }
    }

    /// Waits until two agents hold the same member list digest and log size.
    static func untilConverged(_ a: HeraldAgent, _ b: HeraldAgent) async throws {
        try await until("same digest and log size") {
            let (left, right) = (await a.members(), await b.members())
            return left.digest == right.digest && left.logEntries == right.logEntries
        }
    }

    /// Starts an agent; `prepare` runs on it before it runs (to set test hooks).
    static func start(_ configuration: AgentConfiguration, prepare: (HeraldAgent) async -> Void = { _ in }) async throws -> Running {
        let agent = try await HeraldAgent(configuration: configuration)
        await prepare(agent)
        let task = Task { try await agent.run() }
        let enode = try await eventually("agent listening") { await agent.enodeURL() }
        return Running(agent: agent, task: task, enode: enode, configuration: configuration)
    }

    struct Timeout: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting for \(what)" }
    }

    /// Polls `condition` until it yields a value or `limit` passes.
    static func eventually<T: Sendable>(_ what: String, within limit: Duration = .seconds(20),
                                        _ condition: @Sendable () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let value = try await condition() { return value }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Timeout(what: what)
    }

    static func until(_ what: String, within limit: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool) async throws {
        _ = try await eventually(what, within: limit) { try await condition() ? true : nil }
    }
}

// MARK: - Hand-made peers and adapter run counting (hostile-announcement tests)

extension AgentFixtures {
    /// An `exec` adapter that appends one line (the member count) to `runs.log` in agent `n`'s
    /// directory each time it actually applies a list; the agent's configuration gets it appended.
    /// Descriptors this process has open (agents and test clients alike).
    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    static func countAdapterRuns(_ configuration: inout AgentConfiguration) -> URL {
        let log = URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("runs.log")
        configuration.adapters.append(.exec(ExecConfiguration(
            command: "cat >/dev/null; echo \"$HERALD_MEMBER_COUNT\" >> '\(log.path)'", timeoutSeconds: 10)))
        return log
    }

    /// Lines in an adapter run log (0 when it does not exist yet).
    static func runs(_ log: URL) -> Int {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// Waits until `agent` has applied its current member list and no apply is in flight.
    static func settled(_ agent: HeraldAgent) async throws {
        try await until("member list applied") {
            let (applied, current, applying) = await (agent.appliedDigest, agent.log.digest, agent.applying)
            return applied == current && !applying
        }
    }

    /// A test-side peer speaking the agents' wire format by hand: RLPx (`shh/6`) as node `n`,
    /// Whisper envelopes sealed with the consortium key, ``WireMessage`` inside.
    struct HandPeer: Sendable {
        let key: Secp256k1.PrivateKey
        let policy: Policy
        let symmetricKey: SymmetricKey
        let rlpx: RLPxNode

        init(_ n: Int, policy path: String, consortiumKey: String) throws {
            key = AgentFixtures.key(n)
            policy = try PolicyLoader.load(contentsOf: path)
            symmetricKey = try ConsortiumKey.resolve("file:" + consortiumKey)
            rlpx = RLPxNode(
                configuration: RLPxConfiguration(
                    privateKey: key, clientID: "hand-peer",
                    protocols: [LocalProtocol(capability: Capability(name: "shh", version: 6), messageIDCount: 128)],
                    isAllowed: { _ in true }),
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        }

        static var now: UInt64 { UInt64(Date().timeIntervalSince1970) }

        /// An announcement by node `announcer` under the shared policy, valid for an hour from `issuedAt`.
        func announcement(_ kind: AnnouncementKind, subject: Int, by announcer: Int, lamport: UInt64,
                          issuedAt: UInt64 = HandPeer.now, lifetime: UInt64 = 3600,
                          approving: AnnouncementID? = nil) -> Announcement {
            Announcement(consortium: policy.consortium.name, kind: kind, subject: AgentFixtures.key(subject).publicKey.nodeID,
                         subjectEnode: kind == .join ? AgentFixtures.nodeEnode(subject) : "", lamportTime: lamport,
                         issuedAt: issuedAt, expiresAt: issuedAt + lifetime, policyHash: policy.hash,
                         approvedID: approving, announcer: AgentFixtures.key(announcer).publicKey.nodeID)
        }

        /// `announcement` signed by its announcer's key.
        func signed(_ announcement: Announcement) throws -> SignedAnnouncement {
            let announcer = try #require((1...255).first { AgentFixtures.key($0).publicKey.nodeID == announcement.announcer })
            return try SignedAnnouncement.sign(announcement, with: AgentFixtures.key(announcer))
        }

        /// One `shh` Messages packet holding `message` in a fresh envelope
        /// signed by `signer` (default: this peer), or unsigned when `signed` is false.
        func packet(_ message: WireMessage, envelopeSigner signer: Secp256k1.PrivateKey? = nil,
                    signed: Bool = true) throws -> CapabilityMessage {
            let sealer = EnvelopeSealer(topic: Topic(name: policy.consortium.name), encryption: .symmetric(symmetricKey),
                                        signingKey: signed ? signer ?? key : nil, timeToLive: 60)
            let envelope = try sealer.seal(message.encoded(), now: UInt32(Self.now))
            return CapabilityMessage(capability: "shh", id: WhisperPacket.messagesCode,
                                     payload: WhisperPacket.messages([envelope]).encodedData())
        }

        /// Dials `agent`, runs `body` while collecting the acks the agent sends, then disconnects.
        func session<T: Sendable>(with agent: Running, _ body: (Session) async throws -> T) async throws -> T {
            let connection = try await rlpx.dial(try #require(Enode(agent.enode)))
            let inbox = Inbox(opener: EnvelopeOpener(decryption: .symmetric(symmetricKey)))
            return try await connection.run { messages, sender in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { for try await message in messages { inbox.take(message) } }
                    defer { group.cancelAll() }
                    return try await body(Session(peer: self, sender: sender, inbox: inbox))
                }
            }
        }
    }

    /// What a ``HandPeer`` sends and has received on one connection.
    struct Session: Sendable {
        let peer: HandPeer
        let sender: PeerConnection.Sender
        let inbox: Inbox

        func send(_ message: WireMessage, envelopeSigner signer: Secp256k1.PrivateKey? = nil, signed: Bool = true) async throws {
            try await sender.send(peer.packet(message, envelopeSigner: signer, signed: signed))
        }

        /// Waits for at least `count` acks of `id` and returns them in arrival order.
        @discardableResult
        func acks(of id: AnnouncementID, count: Int = 1, within limit: Duration = .seconds(20)) async throws -> [Ack] {
            try await eventually("\(count) ack(s) of \(id.hex.prefix(8))", within: limit) {
                let acks = inbox.acks(of: id)
                return acks.count >= count ? acks : nil
            }
        }
    }

    /// Acks received on a ``HandPeer`` connection (opened, decoded and signature-checked).
    final class Inbox: @unchecked Sendable {
        private let lock = NSLock()
        private let opener: EnvelopeOpener
        private var received: [Ack] = []

        init(opener: EnvelopeOpener) { self.opener = opener }

        func take(_ message: CapabilityMessage) {
            guard message.capability == "shh",
                  case .messages(let envelopes)? = try? WhisperPacket.decode(code: message.id, data: message.payload) else { return }
            for envelope in envelopes {
                guard let opened = try? opener.open(envelope), let wire = try? WireMessage(decoding: opened.payload),
                      case .ack(let bytes) = wire, let ack = try? SignedAck(decoding: bytes) else { continue }
                lock.withLock { received.append(ack.ack) }
            }
        }

        func acks(of id: AnnouncementID) -> [Ack] { lock.withLock { received.filter { $0.announcementID == id } } }
    }
}
