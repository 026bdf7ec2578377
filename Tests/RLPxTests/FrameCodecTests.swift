import HeraldCrypto
import RLPx
import TestSupport
import Testing

@Suite("frame codec")
struct FrameCodecTests {
    /// A connected pair of codecs from a real in-memory handshake.
    static func pair(maxIncomingFrameSize: Int = FrameCodec.maxFrameSize) throws -> (FrameCodec, FrameCodec) {
        let a = Secp256k1.PrivateKey()
        let b = Secp256k1.PrivateKey()
        var initiator = HandshakeStateMachine(role: .initiator(remote: b.publicKey), staticKey: a)
        var recipient = HandshakeStateMachine(role: .recipient, staticKey: b)
        _ = recipient.start()
        guard case .send(let auth) = initiator.start(),
              case .complete(let recipientOutcome, let ack?) = recipient.receive(auth),
              case .complete(let initiatorOutcome, nil) = initiator.receive(ack) else {
            throw HandshakeError.invalidState
        }
        return (try FrameCodec(secrets: initiatorOutcome.secrets, maxIncomingFrameSize: maxIncomingFrameSize),
                try FrameCodec(secrets: recipientOutcome.secrets, maxIncomingFrameSize: maxIncomingFrameSize))
    }

    static func open(_ frame: [UInt8], with reader: inout FrameReader) throws -> (UInt64, [UInt8]) {
        let size = try reader.openHeader(Array(frame[0..<32]))
        var body = Array(frame[32...])
        #expect(body.count == FrameReader.bodySize(frameSize: size))
        let (id, range) = try reader.openBody(&body, frameSize: size)
        return (id, Array(body[range]))
    }

    /// `frame.geth_frame_read_write`: MAC hashes replaced by a constant fake,
    /// so the vector pins the header layout, the padding and the CTR stream.
    @Test("geth TestFrameReadWrite golden frame")
    func gethGoldenFrame() throws {
        let v = try Vectors.section("frame", "geth_frame_read_write")
        let fake = FrameMAC.Hash.constant(try v.bytes("fake_mac_digest"))
        var writer = try FrameCodec(aesSecret: try v.bytes("aes_secret"), macSecret: try v.bytes("mac_secret"),
                                    egress: fake, ingress: fake)
        let frame = try writer.writer.seal(messageID: UInt64(try v.int("msg_code")), payload: try v.bytes("payload"))
        #expect(hexString(frame) == (try v.string("frame")))

        var reader = try FrameCodec(aesSecret: try v.bytes("aes_secret"), macSecret: try v.bytes("mac_secret"),
                                    egress: fake, ingress: fake)
        let (id, payload) = try Self.open(try v.bytes("frame"), with: &reader.reader)
        #expect(FrameCodec.encodeMessageID(id) + payload == (try v.bytes("frame_content")))
    }

    @Test("frames round-trip in both directions across sizes and ids")
    func roundTrip() throws {
        var (a, b) = try Self.pair()
        let sizes = [0, 1, 14, 15, 16, 17, 31, 32, 1000, 65_536]
        let ids: [UInt64] = [0, 1, 0x0f, 0x10, 0x7f, 0x80, 0xff, 0x1234]
        for (index, size) in sizes.enumerated() {
            let payload = SecureRandom.bytes(count: size)
            let id = ids[index % ids.count]
            let frame = try a.writer.seal(messageID: id, payload: payload)
            #expect((frame.count - 48) % 16 == 0)
            let (readID, readPayload) = try Self.open(frame, with: &b.reader)
            #expect(readID == id)
            #expect(readPayload == payload)
            let reply = try b.writer.seal(messageID: id, payload: payload.reversed())
            let (replyID, replyPayload) = try Self.open(reply, with: &a.reader)
            #expect(replyID == id)
            #expect(replyPayload == payload.reversed())
        }
    }

    @Test("a flipped header MAC bit fails before decryption")
    func badHeaderMAC() throws {
        var (a, b) = try Self.pair()
        var frame = try a.writer.seal(messageID: 0x10, payload: [1, 2, 3])
        frame[20] ^= 0x80
        #expect(throws: FrameError.headerMACMismatch) { _ = try Self.open(frame, with: &b.reader) }
        #expect(FrameError.headerMACMismatch.description == "frame header MAC mismatch; peer disconnected")
    }

    @Test("a flipped body or frame-MAC bit fails")
    func badFrameMAC() throws {
        for position in [32, 47, 48] {
            var (a, b) = try Self.pair()
            var frame = try a.writer.seal(messageID: 0x10, payload: [UInt8](repeating: 7, count: 10))
            frame[position] ^= 0x01
            #expect(throws: FrameError.frameMACMismatch) { _ = try Self.open(frame, with: &b.reader) }
        }
    }

    @Test("a header announcing more than the limit is refused before the body is read")
    func oversizedHeader() throws {
        var (a, b) = try Self.pair(maxIncomingFrameSize: 1024)
        let frame = try a.writer.seal(messageID: 0x10, payload: [UInt8](repeating: 0, count: 2000))
        #expect(throws: FrameError.frameTooLarge(size: 2001, limit: 1024)) {
            _ = try b.reader.openHeader(Array(frame[0..<32]))
        }
    }

    @Test("non-canonical or missing message ids are refused")
    func messageIDs() throws {
        #expect(throws: FrameError.invalidMessageID) { _ = try FrameReader.parseMessageID([0x00]) }
        #expect(throws: FrameError.invalidMessageID) { _ = try FrameReader.parseMessageID([]) }
        #expect(throws: FrameError.invalidMessageID) { _ = try FrameReader.parseMessageID([0x81, 0x05]) }
        #expect(throws: FrameError.invalidMessageID) { _ = try FrameReader.parseMessageID([0x82, 0x00, 0x80]) }
        #expect(throws: FrameError.invalidMessageID) { _ = try FrameReader.parseMessageID([0xc0]) }
        #expect(try FrameReader.parseMessageID([0x80, 0xc0]) == (0, 1))
        #expect(try FrameReader.parseMessageID([0x81, 0x80]) == (0x80, 2))
        #expect(FrameCodec.encodeMessageID(0x80) == [0x81, 0x80])
        #expect(FrameCodec.encodeMessageID(0) == [0x80])
        #expect(FrameCodec.encodeMessageID(0x1234) == [0x82, 0x12, 0x34])
    }
}
