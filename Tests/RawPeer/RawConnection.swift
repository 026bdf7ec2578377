import HeraldCrypto
import NIOCore
import NIOPosix
import RLPx

/// A plain TCP client that speaks whatever bytes a test wants.
package final class RawConnection {
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    /// What arrived with the end of the handshake (the remote's first frames), read first.
    private var pending: [UInt8] = []

    package init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
    }

    package static func with<R: Sendable>(group: any EventLoopGroup, port: Int, _ body: (RawConnection) async throws -> R) async throws -> R {
        let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(RawConnection(inbound: inbound, outbound: outbound))
        }
    }

    package func write(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// The next chunk, or nil once the server has closed.
    package func read() async -> [UInt8]? {
        if !pending.isEmpty {
            defer { pending = [] }
            return pending
        }
        do {
            guard var buffer = try await inbound.next() else { return nil }
            return buffer.readBytes(length: buffer.readableBytes)
        } catch {
            return nil   // reset by peer counts as closed
        }
    }

    /// Reads until the server closes; returns how long that took.
    package func waitForClose() async -> Duration {
        let start = ContinuousClock.now
        while await read() != nil {}
        return ContinuousClock.now - start
    }

    /// Initiator handshake by hand; returns the codec for framing.
    package func handshake(key: Secp256k1.PrivateKey, remote: Secp256k1.PublicKey) async throws -> FrameCodec {
        var machine = HandshakeStateMachine(role: .initiator(remote: remote), staticKey: key)
        guard case .send(let auth) = machine.start() else { throw HandshakeError.invalidState }
        try await write(auth)
        while let chunk = await read() {
            switch machine.receive(chunk) {
            case .needMoreBytes: continue
            case .complete(let outcome, _):
                pending = outcome.leftover
                return try FrameCodec(secrets: outcome.secrets)
            case .send, .fail: throw HandshakeError.invalidState
            }
        }
        throw SessionError.connectionClosed
    }

    /// Reads until the server closes and returns the frames it sent, opened
    /// with `codec` (a torn last frame is left out).
    package func framesUntilClose(_ codec: inout FrameCodec) async throws -> [(messageID: UInt64, data: [UInt8])] {
        var bytes: [UInt8] = []
        while let chunk = await read() { bytes += chunk }
        var frames: [(messageID: UInt64, data: [UInt8])] = []
        var offset = 0
        while bytes.count - offset >= FrameReader.headerBlockSize {
            let frameSize = try codec.reader.openHeader(Array(bytes[offset..<(offset + FrameReader.headerBlockSize)]))
            let bodyEnd = offset + FrameReader.headerBlockSize + FrameReader.bodySize(frameSize: frameSize)
            guard bodyEnd <= bytes.count else { break }
            var body = Array(bytes[(offset + FrameReader.headerBlockSize)..<bodyEnd])
            let (messageID, payload) = try codec.reader.openBody(&body, frameSize: frameSize)
            frames.append((messageID, Array(body[payload])))
            offset = bodyEnd
        }
        return frames
    }
}
