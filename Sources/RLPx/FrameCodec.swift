import HeraldCrypto

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
        if id == 0 { return [0x80] }
        if id < 0x80 { return [UInt8(id)] }
        let byteCount = (64 - id.leadingZeroBitCount + 7) / 8
        var out: [UInt8] = [0x80 + UInt8(byteCount)]
        for shift in stride(from: (byteCount - 1) * 8, through: 0, by: -8) {
            out.append(UInt8(truncatingIfNeeded: id >> UInt64(shift)))
        }
        return out
    }
}

/// The sending half: header, header-MAC, padded body, frame-MAC.
package struct FrameWriter {
    private let cipher: AES.CTR
    package private(set) var mac: FrameMAC

    package init(aesSecret: [UInt8], mac: FrameMAC) throws(AES.Error) {
        cipher = try AES.CTR(key: aesSecret, iv: [UInt8](repeating: 0, count: 16))
        self.mac = mac
    }

    /// Seals one message (already compressed if Snappy is on) into a frame.
    package mutating func seal(messageID: UInt64, payload: some Collection<UInt8>) throws(FrameError) -> [UInt8] {
        let id = FrameCodec.encodeMessageID(messageID)
        let frameSize = id.count + payload.count
        guard frameSize <= FrameCodec.maxFrameSize else {
            throw .outgoingFrameTooLarge(size: frameSize, limit: FrameCodec.maxFrameSize)
        }
        let padded = FrameCodec.paddedSize(frameSize)
        var frame = [UInt8]()
        frame.reserveCapacity(32 + padded + 16)
        // Header: 3-byte size, header-data RLP [0, 0] = c2 80 80, zeros to 16.
        frame.append(UInt8(truncatingIfNeeded: frameSize >> 16))
        frame.append(UInt8(truncatingIfNeeded: frameSize >> 8))
        frame.append(UInt8(truncatingIfNeeded: frameSize))
        frame.append(contentsOf: [0xc2, 0x80, 0x80])
        frame.append(contentsOf: repeatElement(0, count: 10))
        frame.append(contentsOf: repeatElement(0, count: 16))    // header-mac slot
        frame.append(contentsOf: id)
        frame.append(contentsOf: payload)
        frame.append(contentsOf: repeatElement(0, count: padded - frameSize + 16))   // padding + frame-mac slot

        let cipher = self.cipher
        frame.withUnsafeMutableBytes { bytes in
            let header = UnsafeMutableRawBufferPointer(rebasing: bytes[0..<16])
            cipher.apply(header)
            let headerMAC = mac.headerMAC(headerCiphertext: UnsafeRawBufferPointer(header))
            bytes.baseAddress!.advanced(by: 16).copyMemory(from: headerMAC, byteCount: 16)
            let body = UnsafeMutableRawBufferPointer(rebasing: bytes[32..<(32 + padded)])
            cipher.apply(body)
            let frameMAC = mac.frameMAC(frameCiphertext: UnsafeRawBufferPointer(body))
            bytes.baseAddress!.advanced(by: 32 + padded).copyMemory(from: frameMAC, byteCount: 16)
        }
        return frame
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
        var header = Array(ciphertext)
        cipher.apply(&header)
        // geth ignores header-data and the zero fill; so do we.
        let frameSize = Int(header[0]) << 16 | Int(header[1]) << 8 | Int(header[2])
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

    /// Verifies the frame MAC, then decrypts in place. Returns the message id
    /// and the range of the message data inside `body` (padding dropped).
    package mutating func openBody(_ body: inout [UInt8], frameSize: Int) throws(FrameError) -> (messageID: UInt64, payload: Range<Int>) {
        let padded = FrameCodec.paddedSize(frameSize)
        precondition(body.count == padded + 16, "body must be padded size plus MAC")
        let cipher = self.cipher
        let macOK = body.withUnsafeMutableBytes { bytes -> Bool in
            let ciphertext = UnsafeMutableRawBufferPointer(rebasing: bytes[0..<padded])
            let expected = mac.frameMAC(frameCiphertext: UnsafeRawBufferPointer(ciphertext))
            guard ConstantTime.equals(expected, UnsafeRawBufferPointer(rebasing: bytes[padded...])) else { return false }
            cipher.apply(ciphertext)
            return true
        }
        guard macOK else { throw .frameMACMismatch }
        let (id, idLength) = try Self.parseMessageID(body[0..<frameSize])
        return (id, idLength..<frameSize)
    }

    /// The message id is the first RLP item of frame-data: a canonical
    /// integer (geth rejects e.g. 0x00 as an invalid message code).
    package static func parseMessageID(_ data: ArraySlice<UInt8>) throws(FrameError) -> (UInt64, Int) {
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
}
