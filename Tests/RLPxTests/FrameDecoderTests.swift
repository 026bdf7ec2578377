import HeraldCrypto
import NIOCore
import NIOEmbedded
import RLPx
import Testing

/// The NIO frame codec on an `EmbeddedChannel`, without sockets.
@Suite("frame decoder and encoder")
struct FrameDecoderTests {
    @Test("frames fed one byte at a time come out whole and in order")
    func dripFeed() throws {
        var (a, b) = try FrameCodecTests.pair()
        let messages: [(UInt64, [UInt8])] = [(0, [0xc0]), (0x10, SecureRandom.bytes(count: 33)), (0x8f, []), (2, [0xc0])]
        var stream: [UInt8] = []
        for (id, payload) in messages { stream += try a.writer.seal(messageID: id, payload: payload) }

        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(reader: b.reader)))
        for byte in stream {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        for (id, payload) in messages {
            let frame = try #require(try channel.readInbound(as: RLPxFrame.self))
            #expect(frame.messageID == id)
            #expect(frame.payload == payload)
        }
        #expect(try channel.readInbound(as: RLPxFrame.self) == nil)
        #expect(try channel.finish().isClean)
    }

    @Test("the encoder's output decodes on the other side")
    func encoderRoundTrip() throws {
        let (a, b) = try FrameCodecTests.pair()
        let sender = EmbeddedChannel(handler: MessageToByteHandler(FrameEncoder(writer: a.writer)))
        let receiver = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(reader: b.reader)))
        let frame = RLPxFrame(messageID: 0x11, payload: SecureRandom.bytes(count: 1000))
        try sender.writeOutbound(frame)
        let bytes = try #require(try sender.readOutbound(as: ByteBuffer.self))
        try receiver.writeInbound(bytes)
        #expect(try receiver.readInbound(as: RLPxFrame.self) == frame)
        #expect(try sender.finish().isClean)
        #expect(try receiver.finish().isClean)
    }

    @Test("a bad header MAC and an oversized header throw")
    func refusals() throws {
        var (a, b) = try FrameCodecTests.pair()
        var frame = try a.writer.seal(messageID: 0x10, payload: [1])
        frame[17] ^= 0xff
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(reader: b.reader)))
        #expect(throws: FrameError.headerMACMismatch) { try channel.writeInbound(ByteBuffer(bytes: frame)) }
        _ = try? channel.finish()

        var (c, d) = try FrameCodecTests.pair(maxIncomingFrameSize: 64)
        let large = try c.writer.seal(messageID: 0x10, payload: [UInt8](repeating: 0, count: 100))
        let limited = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(reader: d.reader)))
        #expect(throws: FrameError.frameTooLarge(size: 101, limit: 64)) {
            try limited.writeInbound(ByteBuffer(bytes: large[0..<32]))
        }
        _ = try? limited.finish()
    }
}
