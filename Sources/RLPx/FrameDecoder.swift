import NIOCore

/// Cuts the inbound byte stream into frames and authenticates each one
/// (spec §7): 32-byte header block first, then the padded body and its MAC.
/// Any MAC or size failure throws, which ends the connection.
package struct FrameDecoder: ByteToMessageDecoder {
    package typealias InboundOut = RLPxFrame

    private enum State {
        case waitingForHeader
        case waitingForBody(frameSize: Int)
    }

    private var reader: FrameReader
    private var state: State = .waitingForHeader

    package init(reader: FrameReader) {
        self.reader = reader
    }

    package mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        switch state {
        case .waitingForHeader:
            guard buffer.readableBytes >= FrameReader.headerBlockSize else { return .needMoreData }
            let frameSize = try buffer.readWithUnsafeReadableBytes { bytes -> (Int, Int) in
                let block = UnsafeRawBufferPointer(rebasing: bytes[0..<FrameReader.headerBlockSize])
                return (FrameReader.headerBlockSize, try reader.openHeader(block))
            }
            state = .waitingForBody(frameSize: frameSize)
            return .continue
        case .waitingForBody(let frameSize):
            let bodySize = FrameReader.bodySize(frameSize: frameSize)
            guard buffer.readableBytes >= bodySize else { return .needMoreData }
            // MAC check and decryption happen in place in the cumulation
            // buffer; the message data is copied out once, for the layer above.
            let (id, payload) = try buffer.readWithUnsafeMutableReadableBytes { bytes -> (Int, (UInt64, [UInt8])) in
                let body = UnsafeMutableRawBufferPointer(rebasing: bytes[0..<bodySize])
                let (id, range) = try reader.openBody(body, frameSize: frameSize)
                return (bodySize, (id, Array(UnsafeRawBufferPointer(rebasing: body[range]))))
            }
            state = .waitingForHeader
            context.fireChannelRead(Self.wrapInboundOut(RLPxFrame(messageID: id, payload: payload)))
            return .continue
        }
    }

    package mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A truncated frame at EOF is simply dropped with the connection.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// Seals outbound frames with the egress stream and MAC.
package final class FrameEncoder: MessageToByteEncoder {
    package typealias OutboundIn = RLPxFrame

    private var writer: FrameWriter

    package init(writer: FrameWriter) {
        self.writer = writer
    }

    package func encode(data: RLPxFrame, out: inout ByteBuffer) throws {
        try writer.seal(messageID: data.messageID, payload: data.payload, into: &out)
    }
}
