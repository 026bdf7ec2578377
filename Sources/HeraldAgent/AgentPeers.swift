import Foundation
import HeraldCrypto
import Membership
import RLPx
import Whisper

/// Connections: one link per peer, dialling with backoff, and the receive path.
extension HeraldAgent {
    /// Owns one admitted connection until it ends: registers it (or refuses a
    /// duplicate) and hands every incoming message to ``receive(_:from:limiter:)``.
    /// What the agent sends goes from its actor straight to the connection
    /// (``PeerConnection/enqueue(_:)``), with no task in between; finishing
    /// the link's `stop` stream ends the connection.
    nonisolated func handle(_ connection: PeerConnection) async {
        let (stop, stopper) = AsyncStream.makeStream(of: Never.self)
        guard let linkID = await register(connection, stop: stopper) else {
            await connection.close(reason: .alreadyConnected)
            return
        }
        let peer = connection.remoteNodeID
        do {
            try await connection.run { messages, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { for await _ in stop {} }
                    // Reading on the connection's event loop: a message is taken and checked by the
                    // thread that read it, then handed to the actor; one thread hop, not two.
                    let rate = configuration.maxEnvelopesPerSecond
                    if #available(macOS 15.0, *) {
                        group.addTask(executorPreference: connection.taskExecutor) {
                            var limiter = EnvelopeRateLimiter(envelopesPerSecond: rate)
                            var warnings = WarningThrottle()
                            for try await message in messages {
                                await self.receive(message, from: peer, limiter: &limiter, warnings: &warnings)
                            }
                        }
                    } else {
                        group.addTask {
                            var limiter = EnvelopeRateLimiter(envelopesPerSecond: rate)
                            var warnings = WarningThrottle()
                            for try await message in messages {
                                await self.receive(message, from: peer, limiter: &limiter, warnings: &warnings)
                            }
                        }
                    }
                    _ = try await group.next()
                    group.cancelAll()
                }
            }
        } catch {
            logger.debug("connection with \(peer) ended: \(error)")
        }
        await unregister(peer, linkID: linkID)
    }

    /// Adds a link; with one already there, keeps the connection dialled by
    /// the lower node ID (both ends decide alike) and finishes the other.
    private func register(_ connection: PeerConnection, stop: AsyncStream<Never>.Continuation) -> Int? {
        let info = connection.peer
        let peer = info.nodeID
        guard peer != nodeID else { return nil }
        if let existing = links[peer] {
            let preferred = (info.direction == .outbound) == (nodeID < peer)
            guard preferred else { return nil }
            existing.stop.finish()
        }
        nextLinkID += 1
        links[peer] = Link(id: nextLinkID, info: info, connection: connection, stop: stop,
                           connectedAt: Date().timeIntervalSince1970)
        dialSchedule[peer] = nil
        antiEntropySent[peer] = nil
        logger.info("peer connected", metadata: ["peer": "\(peer.hex.prefix(8))", "direction": "\(info.direction.rawValue)"])
        if summarizesOnConnect { sendSummary(to: peer) }
        resendPending(to: peer)
        return nextLinkID
    }

    private func unregister(_ peer: NodeID, linkID: Int) {
        guard links[peer]?.id == linkID else { return }
        links[peer]?.stop.finish()
        links[peer] = nil
        antiEntropySent[peer] = nil
        logger.info("peer disconnected", metadata: ["peer": "\(peer.hex.prefix(8))"])
    }

    func closeAllLinks() {
        for link in links.values { link.stop.finish() }
    }

    /// Test hook: ends the link to `peer`, or every link when `peer` is nil,
    /// as a broken connection would; whoever dialled it dials again.
    ///
    /// - Returns: How many links were dropped.
    @discardableResult
    package func dropLinks(to peer: NodeID? = nil) -> Int {
        let dropped = links.filter { peer == nil || $0.key == peer }
        for link in dropped.values { link.stop.finish() }
        return dropped.count
    }

    /// Seals `message` for the consortium and queues it for `peer`; false when not connected or not sealable.
    @discardableResult
    func send(_ message: WireMessage, to peer: NodeID) -> Bool {
        send(message, to: [peer]).contains(peer)
    }

    /// Seals `message` once (one signature, however many peers) and queues
    /// the same envelope for each connected peer of `peers`; returns those it was queued for.
    @discardableResult
    func send(_ message: WireMessage, to peers: [NodeID]) -> Set<NodeID> {
        let connected = peers.compactMap { peer in links[peer].map { (peer, $0) } }
        guard !connected.isEmpty else { return [] }
        var sealer = self.sealer
        // An ack's own signature is what its announcer checks; one on the
        // envelope too would cost a signature here and a recovery there.
        if message.isSelfSigned { sealer.signingKey = nil }
        let envelope: Envelope
        do {
            envelope = try sealer.seal(message.encoded(), now: UInt32(clamping: Self.unixNow()))
        } catch {
            logger.error("cannot seal message: \(error)")
            return []
        }
        let payload = WhisperPacket.messages([envelope]).encodedData()
        var queued: Set<NodeID> = []
        for (peer, link) in connected {
            let packet = CapabilityMessage(capability: "shh", id: WhisperPacket.messagesCode, payload: payload)
            if link.connection.enqueue(packet) {
                countSent(message, bytes: payload.count)
                queued.insert(peer)
            }
        }
        return queued
    }

    // MARK: - Dialling

    /// Dials every known agent endpoint that is not connected, with backoff per peer.
    func dialLoop() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                for target in dueDialTargets() {
                    group.addTask { await self.dial(target) }
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    private func dueDialTargets() -> [Enode] {
        var targets: [NodeID: Enode] = [:]
        for url in configuration.peers { if let enode = Enode(url) { targets[enode.nodeID] = enode } }
        for member in log.members {
            guard let endpoint = member.agentEndpoint, let enode = Enode(member.enode),
                  let target = Enode("enode://\(Hex.encode(enode.publicKey.rawRepresentation))@\(endpoint)") else { continue }
            targets[member.node] = target
        }
        for url in pendingJoins.values { if let enode = Enode(url) { targets[enode.nodeID] = enode } }
        let now = Date().timeIntervalSince1970
        let due = targets.values.filter { target in
            target.nodeID != nodeID && links[target.nodeID] == nil && !dialing.contains(target.nodeID)
                && (dialSchedule[target.nodeID]?.next ?? 0) <= now
        }
        for target in due { dialing.insert(target.nodeID) }
        return due
    }

    private func dial(_ target: Enode) async {
        do {
            let connection = try await rlpx.dial(target)
            dialing.remove(target.nodeID)
            await handle(connection)
        } catch {
            dialing.remove(target.nodeID)
            let attempts = (dialSchedule[target.nodeID]?.attempts ?? 0) + 1
            dialSchedule[target.nodeID] = (attempts, Date().timeIntervalSince1970 + dialBackoff.delay(attempt: attempts))
            logger.debug("dial \(target.nodeID) failed: \(error)")
        }
    }

    // MARK: - Receiving

    /// Runs one `shh` message through the intake in the calling (connection)
    /// task, then hands each admitted envelope to the actor; anything
    /// malformed is dropped and logged, never trusted, and a malformed packet ends the link.
    /// Envelopes over the peer's rate (`limiter`) are dropped unopened, counted, and logged once in a while;
    /// what is wrong with the others is logged at most `warnings` allows.
    nonisolated func receive(_ message: CapabilityMessage, from peer: NodeID, limiter: inout EnvelopeRateLimiter,
                             warnings: inout WarningThrottle) async {
        guard let envelopes = intake.envelopes(of: message, from: peer) else {
            await dropLink(peer)
            return
        }
        for envelope in envelopes {
            metrics.envelopesReceived.increment()
            guard limiter.admit() else {
                metrics.envelopesRateLimited.increment()
                if let dropped = limiter.report() {
                    logger.warning("peer \(peer) is over \(Int(limiter.ratePerSecond)) envelopes per second: dropped \(dropped) unopened")
                }
                continue
            }
            let now = Self.unixNow()
            guard let admitted = intake.admit(envelope, from: peer, now: now, warnings: &warnings) else { continue }
            await process(admitted, from: peer, now: now)
        }
    }

    private func dropLink(_ peer: NodeID) {
        links[peer]?.stop.finish()
    }

    private func process(_ admitted: EnvelopeIntake.Admitted, from peer: NodeID, now: UInt64) async {
        links[peer]?.lastMessageAt = Date().timeIntervalSince1970
        switch admitted.message {
        case .announcement(_, let reached):
            guard let signed = admitted.announcement else { return }
            await accept(signed, receivedAt: now, from: peer, reached: reached)
        case .ack(let bytes):
            guard let signed = admitted.ack else { return }
            receiveAck(signed, encoded: bytes, from: peer)
        case .reconcile(let parts):
            reconcile(parts, from: peer)
        case .entries:
            await merge(admitted.entries, from: peer, receivedAt: now)
        case .want(let ids):
            sendEntries(ids, to: peer)
        case .clusterQuery(let nonce):
            answerClusterQuery(nonce, from: admitted.signer)
        case .clusterReply(let reply):
            receiveClusterReply(reply, from: admitted.signer)
        }
    }
}
