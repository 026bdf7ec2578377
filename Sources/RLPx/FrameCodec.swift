import HeraldCrypto
import NIOCore

/// RLPx framing (spec §7) for both directions of one connection: a writer
/// (egress CTR stream and MAC) and a reader (ingress CTR stream and MAC).
///
/// Pure and synchronous; the NIO decoder and encoder each own one half.
package struct FrameCodec {
    /// Largest frame-size the 3-byte header can express.
    package static let maxFrameSize = 0xFF_FFFF

    package var writer: FrameWriter
    package var reader: FrameReader

    /// Sets up both directions from handshake secrets.
    package init(secrets: SessionSecrets, maxIncomingFrameSize: Int = FrameCodec.maxFrameSize) throws(AES.Error) {
        writer = try FrameWriter(aesSecret: secrets.aesSecret,
                                 mac: FrameMAC(hash: .keccak(secrets.egressMAC), macSecret: secrets.macSecret))
        reader = try FrameReader(aesSecret: secrets.aesSecret,
                                 mac: FrameMAC(hash: .keccak(secrets.ingressMAC), macSecret: secrets.macSecret),
                                 maxFrameSize: maxIncomingFrameSize)
    }

    /// Test entry (go-ethereum `InitWithSecrets`): any MAC hashes, e.g. the
    /// constant fake of the golden frame vector.
    package init(aesSecret: [UInt8], macSecret: [UInt8], egress: FrameMAC.Hash, ingress: FrameMAC.Hash,
                 maxIncomingFrameSize: Int = FrameCodec.maxFrameSize) throws(AES.Error) {
        writer = try FrameWriter(aesSecret: aesSecret, mac: FrameMAC(hash: egress, macSecret: macSecret))
        reader = try FrameReader(aesSecret: aesSecret, mac: FrameMAC(hash: ingress, macSecret: macSecret),
                                 maxFrameSize: maxIncomingFrameSize)
    }

    /// frame-size rounded up to a multiple of 16.
    @inline(__always)
    package static func paddedSize(_ frameSize: Int) -> Int { (frameSize + 15) & ~15 }

    /// The RLP encoding of a message id (a canonical RLP integer).
    package static func encodeMessageID(_ id: UInt64) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: messageIDLength(id))
        out.withUnsafeMutableBytes { writeMessageID(id, into: $0) }
        return out
    }

    /// Length of `encodeMessageID(id)`: 1 byte below 0x80, else 1 + its bytes.
    @inline(__always)
    package static func messageIDLength(_ id: UInt64) -> Int {
        id < 0x80 ? 1 : 1 + (64 - id.leadingZeroBitCount + 7) / 8
    }

    /// Writes `encodeMessageID(id)` into `out`, which is exactly `messageIDLength(id)` bytes.
    package static func writeMessageID(_ id: UInt64, into out: UnsafeMutableRawBufferPointer) {
        if id == 0 {
            out[0] = 0x80
        } else if id < 0x80 {
            out[0] = UInt8(id)
        } else {
            let byteCount = out.count - 1
            out[0] = 0x80 + UInt8(byteCount)
            for index in 0..<byteCount {
                out[1 + index] = UInt8(truncatingIfNeeded: id >> UInt64((byteCount - 1 - index) * 8))
            }
        }
    }
}

/// The sending half: header, header-MAC, padded body, frame-MAC.
package struct FrameWriter {
    /// Header, header-MAC and frame-MAC around the padded body.
    private static let overhead = 32 + 16

    private let cipher: AES.CTR
    package private(set) var mac: FrameMAC

    package init(aesSecret: [UInt8], mac: FrameMAC) throws(AES.Error) {
        cipher = try AES.CTR(key: aesSecret, iv: [UInt8](repeating: 0, count: 16))
        self.mac = mac
    }

    /// Seals one message (already compressed if Snappy is on) into a frame
    /// appended to `out`. The frame is laid out, encrypted and MACed where
    /// it will be sent from, so sealing copies the payload once.
    package mutating func seal(messageID: UInt64, payload: some Collection<UInt8>, into out: inout ByteBuffer) throws(FrameError) {
        let idLength = FrameCodec.messageIDLength(messageID)
        let frameSize = idLength + payload.count
        guard frameSize <= FrameCodec.maxFrameSize else {
            throw .outgoingFrameTooLarge(size: frameSize, limit: FrameCodec.maxFrameSize)
        }
        let padded = FrameCodec.paddedSize(frameSize)
        let total = Self.overhead + padded
        let cipher = self.cipher
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: total) { space in
            let frame = UnsafeMutableRawBufferPointer(rebasing: space[0..<total])
            // Header: 3-byte size, header-data RLP [0, 0] = c2 80 80, zeros
            // to 16; then the header-MAC slot, all zero until filled in.
            frame.initializeMemory(as: UInt8.self, repeating: 0)
            frame[0] = UInt8(truncatingIfNeeded: frameSize >> 16)
            frame[1] = UInt8(truncatingIfNeeded: frameSize >> 8)
            frame[2] = UInt8(truncatingIfNeeded: frameSize)
            frame[3] = 0xc2
            frame[4] = 0x80
            frame[5] = 0x80
            FrameCodec.writeMessageID(messageID, into: UnsafeMutableRawBufferPointer(rebasing: frame[32..<(32 + idLength)]))
            UnsafeMutableRawBufferPointer(rebasing: frame[(32 + idLength)..<(32 + frameSize)]).copyBytes(from: payload)

            let header = UnsafeMutableRawBufferPointer(rebasing: frame[0..<16])
            cipher.apply(header)
            let headerMAC = mac.headerMAC(headerCiphertext: UnsafeRawBufferPointer(header))
            UnsafeMutableRawBufferPointer(rebasing: frame[16..<32]).copyBytes(from: headerMAC)
            let body = UnsafeMutableRawBufferPointer(rebasing: frame[32..<(32 + padded)])
            cipher.apply(body)
            let frameMAC = mac.frameMAC(frameCiphertext: UnsafeRawBufferPointer(body))
            UnsafeMutableRawBufferPointer(rebasing: frame[(32 + padded)...]).copyBytes(from: frameMAC)
            return total
        }
    }

    /// Seals one message into a frame of its own (tests, and the one-off
    /// Disconnect of a refused handshake).
    package mutating func seal(messageID: UInt64, payload: some Collection<UInt8>) throws(FrameError) -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: Self.overhead + FrameCodec.paddedSize(payload.count + 9))
        try seal(messageID: messageID, payload: payload, into: &buffer)
        return Array(buffer.readableBytesView)
    }
}

/// The receiving half. Reading is two steps, as the bytes arrive: the
/// 32-byte header block, then the padded body with its MAC.
package struct FrameReader {
    /// Header ciphertext plus header MAC.
    package static let headerBlockSize = 32

    private let cipher: AES.CTR
    package private(set) var mac: FrameMAC
    package let maxFrameSize: Int

    package init(aesSecret: [UInt8], mac: FrameMAC, maxFrameSize: Int = FrameCodec.maxFrameSize) throws(AES.Error) {
        cipher = try AES.CTR(key: aesSecret, iv: [UInt8](repeating: 0, count: 16))
        self.mac = mac
        self.maxFrameSize = min(maxFrameSize, FrameCodec.maxFrameSize)
    }

    /// Verifies the header MAC (constant time, before decrypting), decrypts
    /// the header and returns frame-size. The body that follows is
    /// `bodySize(frameSize:)` bytes.
    package mutating func openHeader(_ block: UnsafeRawBufferPointer) throws(FrameError) -> Int {
        precondition(block.count == Self.headerBlockSize, "header block must be 32 bytes")
        let ciphertext = UnsafeRawBufferPointer(rebasing: block[0..<16])
        let expected = mac.headerMAC(headerCiphertext: ciphertext)
        guard ConstantTime.equals(expected, block[16..<32]) else { throw .headerMACMismatch }
        // Decrypted on the stack: only the size is needed.
        var header: (UInt64, UInt64) = (0, 0)
        let frameSize = withUnsafeMutableBytes(of: &header) { plain in
            plain.copyMemory(from: ciphertext)
            cipher.apply(plain)
            // geth ignores header-data and the zero fill; so do we.
            return Int(plain[0]) << 16 | Int(plain[1]) << 8 | Int(plain[2])
        }
        guard frameSize <= maxFrameSize else { throw .frameTooLarge(size: frameSize, limit: maxFrameSize) }
        return frameSize
    }

    package mutating func openHeader(_ block: [UInt8]) throws(FrameError) -> Int {
        let result = block.withUnsafeBytes { buffer in
            Result { () throws(FrameError) -> Int in try openHeader(buffer) }
        }
        return try result.get()
    }

    /// Bytes after the header block: padded frame ciphertext plus 16-byte MAC.
    @inline(__always)
    package static func bodySize(frameSize: Int) -> Int { FrameCodec.paddedSize(frameSize) + 16 }

    /// Verifies the frame MAC (constant time), then decrypts `body` in place.
    /// Returns the message id and the range of the message data inside
    /// `body` (padding dropped).
    package mutating func openBody(_ body: UnsafeMutableRawBufferPointer, frameSize: Int) throws(FrameError) -> (messageID: UInt64, payload: Range<Int>) {
        let padded = FrameCodec.paddedSize(frameSize)
        precondition(body.count == padded + 16, "body must be padded size plus MAC")
        let ciphertext = UnsafeMutableRawBufferPointer(rebasing: body[0..<padded])
        let expected = mac.frameMAC(frameCiphertext: UnsafeRawBufferPointer(ciphertext))
        guard ConstantTime.equals(expected, UnsafeRawBufferPointer(rebasing: body[padded...])) else { throw .frameMACMismatch }
        cipher.apply(ciphertext)
        let (id, idLength) = try Self.parseMessageID(UnsafeRawBufferPointer(rebasing: body[0..<frameSize]))
        return (id, idLength..<frameSize)
    }

    package mutating func openBody(_ body: inout [UInt8], frameSize: Int) throws(FrameError) -> (messageID: UInt64, payload: Range<Int>) {
        let result = body.withUnsafeMutableBytes { buffer in
            Result { () throws(FrameError) -> (messageID: UInt64, payload: Range<Int>) in try openBody(buffer, frameSize: frameSize) }
        }
        return try result.get()
    }

    /// The message id is the first RLP item of frame-data: a canonical
    /// integer (geth rejects e.g. 0x00 as an invalid message code).
    package static func parseMessageID(_ data: UnsafeRawBufferPointer) throws(FrameError) -> (UInt64, Int) {
        guard let first = data.first else { throw .invalidMessageID }
        switch first {
        case 0x00:
            throw .invalidMessageID
        case 0x01..<0x80:
            return (UInt64(first), 1)
        case 0x80:
            return (0, 1)
        case 0x81...0x88:
            let count = Int(first - 0x80)
            guard data.count > count else { throw .invalidMessageID }
            let digits = data.dropFirst().prefix(count)
            guard digits.first != 0 else { throw .invalidMessageID }
            if count == 1 && digits.first! < 0x80 { throw .invalidMessageID }
            let value = digits.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return (value, 1 + count)
        default:
            throw .invalidMessageID
        }
    }

    package static func parseMessageID(_ data: [UInt8]) throws(FrameError) -> (UInt64, Int) {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(FrameError) -> (UInt64, Int) in try parseMessageID(bytes) }
        }
        return try result.get()
    }
}
