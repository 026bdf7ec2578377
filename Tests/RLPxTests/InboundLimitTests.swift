import HeraldCrypto
import NIOCore
import NIOPosix
import RLPx
import Testing
import TestTurns

/// Silent TCP connections beyond the listener's bounds are closed on accept,
/// with a `refused` event naming the bound, before any handshake work.
@Suite("inbound connection bounds")
struct InboundLimitTests {
    /// Opens `count` TCP connections to `port` that send nothing.
    static func silentConnections(_ count: Int, port: Int, group: any EventLoopGroup) async throws -> [any Channel] {
        var channels: [any Channel] = []
        for _ in 0..<count {
            channels.append(try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get())
        }
        return channels
    }

    /// Waits until `count` of `channels` have been closed by the server.
    static func untilClosed(_ channels: [any Channel], count: Int, within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        while channels.filter({ !$0.isActive }).count < count {
            guard ContinuousClock.now < deadline else {
                Issue.record("\(channels.filter { !$0.isActive }.count) of \(channels.count) closed, expected \(count)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The reasons of the next `count` refusals whose reason contains `text`.
    static func refusals(_ node: RLPxNode, count: Int, containing text: String) async throws -> [String] {
        var reasons: [String] = []
        while reasons.count < count {
            let event = try await Net.nextEvent(node.events, within: .seconds(30)) {
                if case .refused(_, _, _, let reason) = $0 { return reason.contains(text) } else { return false }
            }
            if case .refused(_, _, _, let reason) = event { reasons.append(reason) }
        }
        return reasons
    }

    @Test("connections over max-pending-handshakes are closed at once; the rest when the handshake times out",
          .takesTurns, .timeLimit(.minutes(6)))
    func pendingHandshakes() async throws {
        try await Net.withGroup { group in
            // Long enough that, even on a loaded machine, no handshake times out before all 20 are open.
            var configuration = Net.configuration(handshake: .seconds(8))
            configuration.limits.maxPendingHandshakes = 8
            let server = RLPxNode(configuration: configuration, eventLoopGroup: group)
            try await Net.withListener(server) { listener in
                let start = ContinuousClock.now
                let channels = try await Self.silentConnections(20, port: listener.port, group: group)
                let early = try await Self.refusals(server, count: 12, containing: "already pending")
                #expect(early.allSatisfy { $0 == "8 handshakes already pending (max-pending-handshakes 8)" }, "\(early)")
                try await Self.untilClosed(channels, count: 12, within: .seconds(15))
                if ContinuousClock.now - start < .seconds(8) {
                    #expect(channels.filter { !$0.isActive }.count == 12, "only the 12 over the bound are closed before the timeout")
                }
                try await Self.untilClosed(channels, count: 20, within: .seconds(60))
                let timedOut = try await Self.refusals(server, count: 8, containing: "did not complete in time")
                #expect(timedOut.count == 8)

                // The slots are free again: a real peer gets in.
                let good = RLPxNode(configuration: Net.configuration(), eventLoopGroup: group)
                let outbound = try await good.dial(server.enode(host: .ipv4("127.0.0.1"), port: UInt16(listener.port)))
                var iterator = listener.connections.makeAsyncIterator()
                let inbound = try #require(await iterator.next())
                await outbound.close()
                await inbound.close()
            }
        }
    }

    @Test("connections over max-connections-per-address are closed at once", .takesTurns, .timeLimit(.minutes(6)))
    func perAddress() async throws {
        try await Net.withGroup { group in
            var configuration = Net.configuration(handshake: .seconds(20))
            configuration.limits.maxConnectionsPerAddress = 3
            let server = RLPxNode(configuration: configuration, eventLoopGroup: group)
            try await Net.withListener(server) { listener in
                let channels = try await Self.silentConnections(5, port: listener.port, group: group)
                let reasons = try await Self.refusals(server, count: 2, containing: "already open")
                #expect(reasons == Array(repeating: "3 connections already open from 127.0.0.1 (max-connections-per-address 3)", count: 2))
                try await Self.untilClosed(channels, count: 2, within: .seconds(10))
                #expect(channels.filter { $0.isActive }.count == 3)
                for channel in channels { try? await channel.close() }
            }
        }
    }
}
