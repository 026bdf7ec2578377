import HeraldCrypto
import RLP

/// Which encoding a handshake packet used (spec §5.4, §5.5).
public enum HandshakeFormat: Sendable, Equatable {
    /// EIP-8: 2-byte size prefix, RLP body, padding. The only one we send first.
    case eip8
    /// Pre-EIP-8 fixed layout (307-byte auth, 210-byte ack). Recognised, and
    /// answered in kind, never initiated.
    case legacy
}

/// Limits and fixed sizes of the handshake packets.
package enum HandshakePacket {
    /// geth refuses a size prefix above this (since June 2024).
    package static let maxSize = 2048
    package static let legacyAuthSize = 307
    package static let legacyAckSize = 210
    /// geth pads with 100–199 bytes.
    package static let paddingRange = 100...199

    /// Wraps an RLP body as an EIP-8 packet: size prefix ‖ ECIES(body ‖ padding),
    /// with the prefix as the ECIES shared MAC data.
    package static func sealEIP8(body: [UInt8], to recipient: Secp256k1.PublicKey, paddingLength: Int) -> [UInt8] {
        let plaintext = body + [UInt8](repeating: 0, count: paddingLength)
        let size = plaintext.count + ECIES.overhead
        let prefix = [UInt8(truncatingIfNeeded: size >> 8), UInt8(truncatingIfNeeded: size)]
        return prefix + ECIES.seal(plaintext, to: recipient, sharedMACData: prefix)
    }

    /// Decrypts a complete EIP-8 packet (prefix included).
    package static func openEIP8(_ packet: [UInt8], with key: Secp256k1.PrivateKey) throws(HandshakeError) -> [UInt8] {
        guard packet.count >= 2 else { throw .packetTooSmall(size: packet.count) }
        let size = Int(packet[0]) << 8 | Int(packet[1])
        guard size <= maxSize else { throw .packetTooLarge(size: size, limit: maxSize) }
        guard size >= ECIES.overhead, packet.count == size + 2 else { throw .packetTooSmall(size: size) }
        do {
            return try ECIES.open(packet[2...], with: key, sharedMACData: packet[0..<2])
        } catch {
            throw .decryptionFailed(String(describing: error))
        }
    }

    /// Decrypts a legacy packet (no prefix, empty shared MAC data).
    package static func openLegacy(_ packet: [UInt8], with key: Secp256k1.PrivateKey) throws(HandshakeError) -> [UInt8] {
        do {
            return try ECIES.open(packet, with: key)
        } catch {
            throw .decryptionFailed(String(describing: error))
        }
    }

    /// Opens a complete packet in either format: a legacy packet is tried
    /// first when the length fits, as the spec's detection recipe says.
    package static func open(_ packet: [UInt8], legacySize: Int, with key: Secp256k1.PrivateKey) throws(HandshakeError) -> ([UInt8], HandshakeFormat) {
        if packet.count == legacySize, packet.first == 0x04, let plain = try? openLegacy(packet, with: key) {
            return (plain, .legacy)
        }
        return (try openEIP8(packet, with: key), .eip8)
    }

    static func padding() -> Int { Int.random(in: paddingRange) }
}

/// The auth message (initiator → recipient, spec §5.2).
package struct AuthMessage: Equatable {
    package var signature: Secp256k1.RecoverableSignature
    package var initiatorPublicKey: Secp256k1.PublicKey
    package var initiatorNonce: [UInt8]
    /// auth-vsn: read, never checked (EIP-8).
    package var version: UInt64
    /// Extra list elements after the version, each as its raw RLP (ignored).
    package var extraElements: [[UInt8]]
    /// Legacy only: keccak256 of the initiator's ephemeral public key.
    package var ephemeralKeyHash: [UInt8]?

    package init(signature: Secp256k1.RecoverableSignature, initiatorPublicKey: Secp256k1.PublicKey,
                 initiatorNonce: [UInt8], version: UInt64 = 4, extraElements: [[UInt8]] = [], ephemeralKeyHash: [UInt8]? = nil) {
        self.signature = signature
        self.initiatorPublicKey = initiatorPublicKey
        self.initiatorNonce = initiatorNonce
        self.version = version
        self.extraElements = extraElements
        self.ephemeralKeyHash = ephemeralKeyHash
    }

    /// RLP body `[sig, initiator-pubkey, initiator-nonce, 4]` (169 bytes).
    package func encodedBody() -> [UInt8] {
        var writer = RLPWriter()
        writer.writeList { list in
            list.write(bytes: signature.rawRepresentation)
            list.write(bytes: initiatorPublicKey.rawRepresentation)
            list.write(bytes: initiatorNonce)
            list.write(version)
            for extra in extraElements { list.write(rawEncoded: extra) }
        }
        return writer.bytes
    }

    /// Decodes an EIP-8 plaintext: the first RLP item only (padding follows).
    package init(eip8Plaintext plaintext: [UInt8]) throws(HandshakeError) {
        var reader = RLPReader(plaintext)
        let fields: ([UInt8], [UInt8], [UInt8], UInt64, [[UInt8]])
        do throws(RLPError) {
            fields = try reader.readList { (list: inout RLPReader) throws(RLPError) in
                let sig = try list.readBytes(count: 65)
                let key = try list.readBytes(count: 64)
                let nonce = try list.readBytes(count: 32)
                let version = try list.read(UInt64.self)
                var extras: [[UInt8]] = []
                while !list.isAtEnd { extras.append(Array(try list.readRawItem())) }
                return (sig, key, nonce, version, extras)
            }
        } catch {
            throw .malformedMessage("auth: \(error)")
        }
        self.init(signature: try Self.signature(fields.0), initiatorPublicKey: try publicKey(fields.1),
                  initiatorNonce: fields.2, version: fields.3, extraElements: fields.4)
    }

    /// Decodes a legacy plaintext: sig (65) ‖ keccak(eph-pub) (32) ‖ pub (64) ‖ nonce (32) ‖ 0x00.
    package init(legacyPlaintext plaintext: [UInt8]) throws(HandshakeError) {
        guard plaintext.count == 194 else { throw .malformedMessage("legacy auth has \(plaintext.count) bytes, want 194") }
        self.init(signature: try Self.signature(Array(plaintext[0..<65])),
                  initiatorPublicKey: try publicKey(Array(plaintext[97..<161])),
                  initiatorNonce: Array(plaintext[161..<193]), version: 4,
                  ephemeralKeyHash: Array(plaintext[65..<97]))
    }

    /// Decrypts and decodes a complete auth packet in either format.
    package static func open(_ packet: [UInt8], with key: Secp256k1.PrivateKey) throws(HandshakeError) -> (AuthMessage, HandshakeFormat) {
        let (plaintext, format) = try HandshakePacket.open(packet, legacySize: HandshakePacket.legacyAuthSize, with: key)
        switch format {
        case .eip8: return (try AuthMessage(eip8Plaintext: plaintext), .eip8)
        case .legacy: return (try AuthMessage(legacyPlaintext: plaintext), .legacy)
        }
    }

    private static func signature(_ bytes: [UInt8]) throws(HandshakeError) -> Secp256k1.RecoverableSignature {
        do { return try Secp256k1.RecoverableSignature(rawRepresentation: bytes) } catch { throw .invalidSignature }
    }
}

/// The ack message (recipient → initiator, spec §5.3).
package struct AckMessage: Equatable {
    package var recipientEphemeralPublicKey: Secp256k1.PublicKey
    package var recipientNonce: [UInt8]
    /// ack-vsn: read, never checked (EIP-8).
    package var version: UInt64
    /// Extra list elements after the version, each as its raw RLP (ignored).
    package var extraElements: [[UInt8]]

    package init(recipientEphemeralPublicKey: Secp256k1.PublicKey, recipientNonce: [UInt8], version: UInt64 = 4, extraElements: [[UInt8]] = []) {
        self.recipientEphemeralPublicKey = recipientEphemeralPublicKey
        self.recipientNonce = recipientNonce
        self.version = version
        self.extraElements = extraElements
    }

    /// RLP body `[recipient-ephemeral-pubkey, recipient-nonce, 4]` (102 bytes).
    package func encodedBody() -> [UInt8] {
        var writer = RLPWriter()
        writer.writeList { list in
            list.write(bytes: recipientEphemeralPublicKey.rawRepresentation)
            list.write(bytes: recipientNonce)
            list.write(version)
            for extra in extraElements { list.write(rawEncoded: extra) }
        }
        return writer.bytes
    }

    /// Legacy plaintext: eph-pub (64) ‖ nonce (32) ‖ 0x00.
    package func legacyPlaintext() -> [UInt8] {
        recipientEphemeralPublicKey.rawRepresentation + recipientNonce + [0]
    }

    package init(eip8Plaintext plaintext: [UInt8]) throws(HandshakeError) {
        var reader = RLPReader(plaintext)
        let fields: ([UInt8], [UInt8], UInt64, [[UInt8]])
        do throws(RLPError) {
            fields = try reader.readList { (list: inout RLPReader) throws(RLPError) in
                let key = try list.readBytes(count: 64)
                let nonce = try list.readBytes(count: 32)
                let version = try list.read(UInt64.self)
                var extras: [[UInt8]] = []
                while !list.isAtEnd { extras.append(Array(try list.readRawItem())) }
                return (key, nonce, version, extras)
            }
        } catch {
            throw .malformedMessage("ack: \(error)")
        }
        self.init(recipientEphemeralPublicKey: try publicKey(fields.0), recipientNonce: fields.1,
                  version: fields.2, extraElements: fields.3)
    }

    package init(legacyPlaintext plaintext: [UInt8]) throws(HandshakeError) {
        guard plaintext.count == 97 else { throw .malformedMessage("legacy ack has \(plaintext.count) bytes, want 97") }
        self.init(recipientEphemeralPublicKey: try publicKey(Array(plaintext[0..<64])),
                  recipientNonce: Array(plaintext[64..<96]), version: 4)
    }

    /// Decrypts and decodes a complete ack packet in either format.
    package static func open(_ packet: [UInt8], with key: Secp256k1.PrivateKey) throws(HandshakeError) -> (AckMessage, HandshakeFormat) {
        let (plaintext, format) = try HandshakePacket.open(packet, legacySize: HandshakePacket.legacyAckSize, with: key)
        switch format {
        case .eip8: return (try AckMessage(eip8Plaintext: plaintext), .eip8)
        case .legacy: return (try AckMessage(legacyPlaintext: plaintext), .legacy)
        }
    }
}

/// A 64-byte key from a peer must be a point on the curve (spec §1).
private func publicKey(_ bytes: [UInt8]) throws(HandshakeError) -> Secp256k1.PublicKey {
    do { return try Secp256k1.PublicKey(rawRepresentation: bytes) } catch { throw .invalidPublicKey }
}
