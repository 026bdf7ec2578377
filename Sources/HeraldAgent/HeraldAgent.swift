import Foundation
import HeraldCrypto
import Logging
import Membership
import NIOCore
import NIOPosix
import NodeAdapters
import RLPx
import ServiceLifecycle
import Whisper

/// The agent beside one node: it listens for and dials other agents over
/// RLPx (`shh/6`), delivers its own announcements until every expected
/// recipient has acknowledged, logs and acknowledges what it receives, keeps
/// peers' logs in step (anti-entropy) and applies the member list through
/// the node adapters.
///
/// Run it as a `Service` (``run()``); it stops on cancellation or graceful shutdown.
public actor HeraldAgent: Service {
    /// This agent's (and its node's) ID.
    public nonisolated let nodeID: NodeID
    let configuration: AgentConfiguration
    let key: Secp256k1.PrivateKey
    /// The policy in force; ``reloadPolicy()`` replaces it.
    var policy: Policy
    let log: MembershipLog
    let store: AgentStore
    let adapters: [any NodeAdapter]
    let rlpx: RLPxNode
    let allowlist: Allowlist
    var sealer: EnvelopeSealer
    /// Checks and opens incoming envelopes in each connection's task (see ``EnvelopeIntake``).
    nonisolated let intake: EnvelopeIntake
    let topic: Topic
    let logger: Logger
    var retry: Backoff
    /// The consortium key envelopes are sealed and opened with (a reload may not change it).
    let symmetricKey: SymmetricKey
    /// Cluster queries this agent waits on, and its budget for answering others'.
    var clusterQueries = ClusterQueries()
    let dialBackoff = Backoff(base: 0.2, max: 30)
    private nonisolated let executor: AgentExecutor

    /// The agent's own serial queue (see ``AgentExecutor``).
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    struct Link {
        var id: Int
        var info: PeerInfo
        /// Where `send` writes (from the actor, without a writer task).
        var connection: PeerConnection
        /// Finishing it ends the connection (duplicate, dropped link, shutdown).
        var stop: AsyncStream<Never>.Continuation
        /// Unix time (seconds) the link was registered, for the status page.
        var connectedAt: Double
        /// Unix time (seconds) of the last admitted message from the peer on this link.
        var lastMessageAt: Double?
    }
    var links: [NodeID: Link] = [:]
    var nextLinkID = 0
    var dialing: Set<NodeID> = []
    var dialSchedule: [NodeID: (attempts: Int, next: Double)] = [:]
    /// Every announcement ID in the log, for range summaries (anti-entropy).
    var idIndex: IDIndex
    /// Per link: the entries pushed to the peer lately, not to push them again
    /// while they are in flight (both ends reconcile at once).
    var antiEntropySent: [NodeID: (since: Double, ids: Set<AnnouncementID>)] = [:]
    /// Which peer each announcement logged lately came from: where this agent's
    /// ack goes, and acks it relays, when the announcer is not linked.
    var receivedFrom: [AnnouncementID: (peer: NodeID, announcer: NodeID)] = [:]
    /// Test hook: false leaves out the summary sent on connect, so that a test
    /// can tell delivery by forwarding from delivery by anti-entropy.
    var summarizesOnConnect = true
    func setSummarizesOnConnect(_ value: Bool) { summarizesOnConnect = value }
    /// Acks relayed lately (hash of the signed ack → when), so that none is
    /// relayed twice in a row, while a repeat after a lost relay still goes.
    var relayedAcks: [Keccak256.Digest: Double] = [:]
    /// Anti-entropy entries that had expired on arrival and wait for enough
    /// witnesses to their receipt in time (see ``LateEntry``).
    var lateEntries: [AnnouncementID: LateEntry] = [:]
    var maxSeenLamport: UInt64
    var pendingJoins: [NodeID: String]   // subject → agent enode URL, if announced
    /// The hash of the log's policy in force that ``policy`` last followed (see ``followConsortiumPolicy()``).
    var followedPolicyHash: PolicyHash
    /// Verified acks not yet stored, and whether a flush is under way (see `flushAcks`).
    var pendingAcks: [AgentStore.ReceivedAck] = []
    var flushingAcks = false
    var applying = false
    var applyAgain = false
    /// Per-adapter apply state (configuration order) and the backoff of failed applies (AgentApplying.swift).
    var applyStates: [AdapterApplyState]
    let applyRetry: RetryPolicy
    /// This agent's metrics, in a registry of its own (AgentMetrics.swift).
    let metrics: AgentMetrics
    /// The bound metrics port once ``run()`` serves `GET /metrics` (nil when disabled).
    public private(set) var metricsPort: Int?
    /// Envelopes and bytes queued for peers so far.
    public internal(set) var wireCounters = WireCounters()
    /// The bound RLPx port once ``run()`` is listening.
    public private(set) var listeningPort: Int?
    /// Unix time (seconds) ``run()`` started listening, for uptime.
    public private(set) var startedAt: Double?
    /// The membership log's integrity check when the agent opened it (chain,
    /// entry hashes, re-derived decisions): when it ran and how many entries it covered.
    let logVerified: (at: Double, entries: UInt64)

    /// Opens the agent's state: node key, policy, membership log, agent store, adapters.
    ///
    /// - Throws: ``AgentError`` naming the file or setting at fault.
    public init(configuration: AgentConfiguration,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                logger: Logger? = nil) async throws(AgentError) {
        self.configuration = configuration
        try SecretFile.checkPrivate(configuration.nodeKey, what: "node key")
        do {
            key = try NodeKeyFile.read(from: configuration.nodeKey)
        } catch {
            throw .configuration(path: configuration.nodeKey, message: "\(error)")
        }
        nodeID = key.publicKey.nodeID
        executor = AgentExecutor(label: "herald.agent.\(nodeID.hex.prefix(8))")
        let policySource: String
        do {
            (policy, policySource) = try PolicyLoader.loadWithSource(contentsOf: configuration.policy)
        } catch {
            throw .configuration(path: configuration.policy, message: "\(error)")
        }
        var logger = logger ?? Logger(label: "herald.agent")
        logger[metadataKey: "node"] = "\(nodeID.hex.prefix(8))"
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        self.logger = logger
        let symmetricKey = try ConsortiumKey.resolve(configuration.consortiumKey ?? policy.consortium.keyReference)
        self.symmetricKey = symmetricKey
        topic = Topic(name: policy.consortium.name)
        sealer = HeraldAgent.sealer(for: policy, topic: topic, key: symmetricKey, signingKey: key)
        // Unsigned envelopes open: an ack comes in one; ``EnvelopeIntake`` refuses any other message in one.
        let opener = EnvelopeOpener(decryption: .symmetric(symmetricKey))
        retry = HeraldAgent.retry(for: policy)
        do {
            adapters = try configuration.adapters.map { configuration throws(NodeAdapterError) in try configuration.makeAdapter() }
        } catch {
            throw .configuration(path: "adapters", message: "\(error)")
        }
        let adapterNames = AdapterApplyState.names(forKinds: adapters.map(\.kind))
        applyStates = adapterNames.map(AdapterApplyState.init(name:))
        applyRetry = configuration.applyRetry ?? RetryPolicy()
        metrics = AgentMetrics(adapterNames: adapterNames)
        let directory = URL(fileURLWithPath: configuration.dataDirectory)
        let log: MembershipLog
        do {
            log = try MembershipLog(path: directory.appendingPathComponent(MembershipLog.fileName).path, policy: policy,
                                    source: policySource)
        } catch {
            throw .store(path: configuration.dataDirectory, message: "\(error)")
        }
        if let change = log.policyChanges.last, change.policy.hash != policy.hash {
            // Edited by hand since the consortium's change, or the write after it failed: the consortium's decides.
            logger.warning("\(configuration.policy) differs from the consortium's policy in force; deciding by the consortium's",
                           metadata: ["in-force": "\(change.policy.hash.hex.prefix(12))", "file": "\(policy.hash.hex.prefix(12))",
                                      "hint": "propose the file with 'herald policy propose \(configuration.policy)'"])
            policy = change.policy
            sealer = HeraldAgent.sealer(for: policy, topic: topic, key: symmetricKey, signingKey: key)
            retry = HeraldAgent.retry(for: policy)
        }
        followedPolicyHash = log.policyHashInForce
        let store = try AgentStore(path: directory.appendingPathComponent(AgentStore.fileName).path)
        let allowlist = Allowlist()

        var rlpxConfiguration = RLPxConfiguration(
            privateKey: key, clientID: "Herald/0.1",
            protocols: [LocalProtocol(capability: Capability(name: "shh", version: 6), messageIDCount: 128)],
            isAllowed: { [allowlist] node in allowlist.contains(node) })
        rlpxConfiguration.timeouts.dial = .seconds(3)
        rlpxConfiguration.limits.maxMessageSize = min(rlpxConfiguration.limits.maxMessageSize, policy.transport.maxMessageSize)
        rlpxConfiguration.limits.maxFrameSize = RLPxConfiguration.Limits.frameSize(carrying: rlpxConfiguration.limits.maxMessageSize)
        if let bound = configuration.maxPendingHandshakes { rlpxConfiguration.limits.maxPendingHandshakes = bound }
        if let bound = configuration.maxConnectionsPerAddress { rlpxConfiguration.limits.maxConnectionsPerAddress = bound }
        intake = EnvelopeIntake(topic: topic, opener: opener, validator: Locked(HeraldAgent.validator(for: policy)),
                                seen: SeenEnvelopes(), allowlist: allowlist,
                                maxMessageSize: rlpxConfiguration.limits.maxMessageSize, logger: logger)
        rlpx = RLPxNode(configuration: rlpxConfiguration, eventLoopGroup: eventLoopGroup)

        // Rebuild the in-memory indexes from the log (restart resumes from disk).
        var ids: [AnnouncementID] = []
        var maxSeenLamport: UInt64 = 0
        var pendingJoins: [NodeID: String] = [:]
        var from: UInt64 = 0
        while let page = try? log.entries(from: from, limit: 1000), !page.isEmpty {
            for entry in page {
                ids.append(entry.announcementID)
                // An accepted or pending entry's signature was verified when it was appended (and the
                // log's hashes cover it): no recovery again, or a long log would take seconds to open.
                if let signed = entry.verifiedAnnouncement ?? (try? SignedAnnouncement(decoding: entry.announcement)) {
                    maxSeenLamport = max(maxSeenLamport, signed.announcement.lamportTime)
                    HeraldAgent.note(signed, decision: entry.decision, pendingJoins: &pendingJoins)
                }
            }
            from = page[page.count - 1].index + 1
        }
        if let stored = try? store.lamportTime() { maxSeenLamport = max(maxSeenLamport, stored) }
        allowlist.replace(with: HeraldAgent.allowed(log: log, policy: policy, pendingJoins: pendingJoins))
        self.log = log
        logVerified = (Date().timeIntervalSince1970, log.count)
        self.store = store
        self.allowlist = allowlist
        self.idIndex = IDIndex(ids)
        self.maxSeenLamport = maxSeenLamport
        self.pendingJoins = pendingJoins
    }

    // MARK: - Service

    /// Listens, dials, delivers, exchanges summaries and serves the control
    /// socket until cancelled or asked to shut down gracefully; then closes
    /// every connection and the databases.
    public func run() async throws {
        let listener = try await rlpx.listen(on: configuration.listen.host, port: Int(configuration.listen.port))
        let metricsServer: MetricsServer?
        if let address = configuration.metrics {
            do {
                metricsServer = try await MetricsServer.bind(host: address.host, port: Int(address.port))
            } catch {
                await listener.close()
                store.close()
                try? log.close()
                throw AgentError.configuration(path: "metrics", message: "cannot serve on \(address.host):\(address.port): \(error)")
            }
            metricsPort = metricsServer?.port
            logger.info("serving metrics", metadata: ["address": "\(address.host):\(metricsPort ?? 0)"])
        } else {
            metricsServer = nil
        }
        let control: ControlServer?
        do {
            control = configuration.controlSocket.isEmpty ? nil : try await ControlServer.bind(path: configuration.controlSocket, agent: self)
        } catch {
            await listener.close()
            await metricsServer?.close()
            store.close()
            try? log.close()
            throw AgentError.configuration(path: "control-socket", message: "cannot serve on \(configuration.controlSocket): \(error)")
        }
        // An enode URL (listening) means the RLPx listener, the metrics endpoint and the control socket are bound.
        listeningPort = listener.port
        startedAt = Date().timeIntervalSince1970
        logger.info("listening", metadata: ["enode": "\(enodeURL() ?? "")"])
        await logUnloggedOutbox()
        await applyIfChanged()
        // Policy loaded, log verified (both at init), every listener bound: ready (systemd Type=notify).
        let serviceManager = ServiceNotifier()
        serviceManager.notify("READY=1\nSTATUS=listening on \(configuration.listen.host):\(listener.port)")
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.dialLoop() }
                group.addTask { await self.periodic(every: .milliseconds(200)) { await $0.deliveryTick() } }
                group.addTask {
                    // Not at once: there are no links yet, and each new link gets a summary anyway.
                    let interval = Duration.milliseconds(max(50, self.configuration.antiEntropyIntervalMilliseconds))
                    try? await Task.sleep(for: interval)
                    await self.periodic(every: interval) { await $0.sendSummaries() }
                }
                group.addTask { await self.logEvents() }
                group.addTask { await self.periodic(every: .milliseconds(200)) { await $0.applyIfDue() } }
                if let metricsServer {
                    group.addTask {
                        do { try await metricsServer.run { await self.httpResponse(for: $0) } } catch is CancellationError {} catch {
                            self.logger.error("metrics endpoint: \(error)")
                        }
                    }
                }
                if let control {
                    group.addTask {
                        do { try await control.run() } catch is CancellationError {} catch {
                            self.logger.error("control socket: \(error)")
                        }
                    }
                }
                for await connection in listener.connections {
                    group.addTask { await self.handle(connection) }
                }
                serviceManager.notify("STOPPING=1")
                await self.closeAllLinks()
                group.cancelAll()
            }
        }
        await listener.close()
        store.close()
        try? log.close()
        logger.info("stopped")
    }

    /// This agent's enode URL (its RLPx endpoint) once listening.
    public func enodeURL() -> String? {
        guard let port = listeningPort, let host = Enode.Host(parsing: configuration.advertisedHost) else { return nil }
        return rlpx.enode(host: host, port: UInt16(port)).description
    }

    private func periodic(every interval: Duration, _ body: @Sendable (HeraldAgent) async -> Void) async {
        while !Task.isCancelled {
            await body(self)
            try? await Task.sleep(for: interval)
        }
    }

    private func logEvents() async {
        for await event in rlpx.events {
            if case .refused = event { logger.notice("\(event)") } else { logger.debug("\(event)") }
        }
    }

    static func unixNow() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970)) }

    /// Remembers the subject and agent endpoint of a pending join (allowlist and dial targets).
    static func note(_ signed: SignedAnnouncement, decision: PolicyDecision, pendingJoins: inout [NodeID: String]) {
        let announcement = signed.announcement
        guard announcement.kind == .join, case .pending = decision else { return }
        var url = ""
        if let endpoint = announcement.agentEndpoint, let enode = Enode(announcement.subjectEnode) {
            url = "enode://\(Hex.encode(enode.publicKey.rawRepresentation))@\(endpoint)"
        }
        pendingJoins[announcement.subject] = url
    }

    /// Lets in whom the current log and policy allow (after new entries or a policy reload).
    func refreshAllowlist() {
        allowlist.replace(with: Self.allowed(log: log, policy: policy, pendingJoins: pendingJoins))
    }

    /// Current members, policy identities and subjects of pending joins.
    static func allowed(log: MembershipLog, policy: Policy, pendingJoins: [NodeID: String]) -> Set<NodeID> {
        var nodes = Set(log.members.map(\.node))
        nodes.formUnion(policy.identities.map(\.node))
        nodes.formUnion(pendingJoins.keys)
        return nodes
    }
}
