// Benchmarks for RLPx (issue 4): two nodes on 127.0.0.1 over real TCP.
//
// - Handshakes: one sample = dial, EIP-8 auth/ack, Hello both ways, shh/6
//   status, then close. Throughput (#/s) is handshakes per second.
// - Frames: one sample = 1,000 capability messages of 1 KiB sent from A and
//   received by B (Snappy on, as between two v5 nodes).
// - Floor: the crypto the frames cannot avoid, over the same bytes: for each
//   1 KiB message, AES-256-CTR and Keccak-256 over its 1,088-byte frame, once
//   on the sending side and once on the receiving side. The goal is
//   frame throughput ≥ 0.5× this floor.
import Benchmark
import HeraldCrypto
import NIOCore
import NIOPosix
import RLPx

private let shh = LocalProtocol(capability: Capability(name: "shh", version: 6), messageIDCount: 128)
private let messagesPerSample = 1_000
private let messageSize = 1_024

private func node(_ group: any EventLoopGroup) -> RLPxNode {
    RLPxNode(configuration: RLPxConfiguration(privateKey: Secp256k1.PrivateKey(), clientID: "Herald/bench",
                                              protocols: [shh], isAllowed: { _ in true }),
             eventLoopGroup: group)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock],
        maxDuration: .seconds(3),
        maxIterations: 2_000
    )

    Benchmark("RLPx handshake (dial + Hello + shh status + close)") { benchmark in
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let a = node(group), b = node(group)
        let listener = try await b.listen(on: "127.0.0.1", port: 0)
        let enode = b.enode(host: .ipv4("127.0.0.1"), port: UInt16(listener.port))
        var inbound = listener.connections.makeAsyncIterator()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let outbound = try await a.dial(enode)
            guard let accepted = await inbound.next() else { fatalError("listener closed") }
            await outbound.close()
            await accepted.close()
        }
        benchmark.stopMeasurement()
        await listener.close()
        try await group.shutdownGracefully()
    }

    Benchmark("RLPx frames: \(messagesPerSample) × 1 KiB, A → B over TCP",
              configuration: .init(metrics: [.throughput, .wallClock], maxDuration: .seconds(5), maxIterations: 500)) { benchmark in
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let a = node(group), b = node(group)
        let listener = try await b.listen(on: "127.0.0.1", port: 0)
        try await sendFrames(from: a, to: b, listener: listener, benchmark: benchmark)
        await listener.close()
        try await group.shutdownGracefully()
    }

    Benchmark("floor: AES-256-CTR + Keccak-256, \(messagesPerSample) frames × 2 sides") { benchmark in
        let frame = SecureRandom.bytes(count: 32 + messageSize + 16 + 16)
        let egress = try AES.CTR(key: SecureRandom.bytes(count: 32), iv: [UInt8](repeating: 0, count: 16))
        let ingress = try AES.CTR(key: SecureRandom.bytes(count: 32), iv: [UInt8](repeating: 0, count: 16))
        var egressMAC = Keccak256.Hasher(), ingressMAC = Keccak256.Hasher()
        var sendBuffer = frame, receiveBuffer = frame
        for _ in benchmark.scaledIterations {
            for _ in 0..<messagesPerSample {
                egress.apply(&sendBuffer)
                egressMAC.update(sendBuffer)
                ingressMAC.update(receiveBuffer)
                ingress.apply(&receiveBuffer)
            }
            blackHole(egressMAC.finalize())
            blackHole(ingressMAC.finalize())
        }
    }
}

/// One connection A → B carrying `messagesPerSample` messages per sample. The
/// connections live only inside this function, so that they are gone before
/// the caller shuts their event loops down (a connection released after that
/// would schedule its teardown on a loop that no longer runs).
func sendFrames(from a: RLPxNode, to b: RLPxNode, listener: RLPxListener, benchmark: Benchmark) async throws {
    let outbound = try await a.dial(b.enode(host: .ipv4("127.0.0.1"), port: UInt16(listener.port)))
    var inboundIterator = listener.connections.makeAsyncIterator()
    guard let inbound = await inboundIterator.next() else { fatalError("listener closed") }
    let message = CapabilityMessage(capability: "shh", id: 1, payload: SecureRandom.bytes(count: messageSize))
    // A sender that has a batch of envelopes ready for one peer hands
    // them over at once with `send(contentsOf:)`: one event-loop hop and
    // one flush for the batch. Per-message `send` would mostly measure
    // 1,000 awaits and 1,000 write syscalls rather than the framing.
    let batch = [CapabilityMessage](repeating: message, count: messagesPerSample)
    let samples = benchmark.scaledIterations.count

    // B reports each completed round, so a sample ends when B has read
    // every message of it, not when A has queued its writes.
    let (rounds, roundDone) = AsyncStream.makeStream(of: Void.self)
    async let received: Int = inbound.run { messages, _ in
        var count = 0
        for try await _ in messages {
            count += 1
            if count % messagesPerSample == 0 { roundDone.yield() }
        }
        roundDone.finish()
        return count
    }
    try await outbound.run { _, sender in
        var completed = rounds.makeAsyncIterator()
        // One unmeasured round first, so that buffers and Snappy are warm.
        for round in 0...samples {
            if round == 1 { benchmark.startMeasurement() }
            try await sender.send(contentsOf: batch)
            guard await completed.next() != nil else { fatalError("B stopped reading") }
        }
        benchmark.stopMeasurement()
    }
    let total = try await received
    precondition(total == (samples + 1) * messagesPerSample, "B received \(total) messages")
}
