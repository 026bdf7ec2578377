import HeraldCrypto
import RLP
import TestSupport
import Testing
@testable import Whisper

@Suite struct MessageLayoutTests {
    // MARK: Vectors

    /// Vectors `padding-001..007`: geth's automatic padding length.
    @Test(arguments: WhisperVectors.category("auto_padding_length"))
    func automaticPadding(vector: WhisperVector) throws {
        let payloadCount = try #require(vector.input["payload_length"].int)
        let signed = try #require(vector.input["signed"].bool as Bool?)
        #expect(vector.input["explicit_padding"].isNull)
        let padding = MessageLayout.automaticPaddingLength(payloadCount: payloadCount, signed: signed)
        if let expected = vector.expected["padding_length"].int {
            #expect(padding == expected)
        } else {
            // padding-007: flags ‖ sizeField ‖ payload ‖ padding before the signature.
            let beforeSignature = try #require(vector.expected["length_of_flags_sizefield_payload_padding"].int)
            #expect(MessageLayout.plaintextLength(payloadCount: payloadCount, paddingCount: padding, signed: signed)
                    - (signed ? 65 : 0) == beforeSignature)
        }
        #expect((1...256).contains(padding))
        #expect(MessageLayout.plaintextLength(payloadCount: payloadCount, paddingCount: padding, signed: signed) % 256 == 0)
    }

    /// Vector `uintle-001`: the payload-size field is little-endian. (The
    /// big-endian reading of the same bytes is checked through the RLP
    /// integer decoder, the only big-endian integer reader Whisper uses.)
    @Test(arguments: WhisperVectors.category("payload_size_field_decoding"))
    func payloadSizeFieldIsLittleEndian(vector: WhisperVector) throws {
        let bytes = vector.input["bytes"].bytes
        #expect(MessageLayout.littleEndianInteger(bytes) == UInt64(try #require(vector.expected["little_endian"].int)))
        let bigEndian = try RLP.decode(UInt64.self, from: [0x80 + UInt8(bytes.count)] + bytes)
        #expect(bigEndian == UInt64(try #require(vector.expected["big_endian"].int)))
    }

    // MARK: Layout

    @Test(arguments: [(0, 1), (1, 1), (255, 1), (256, 2), (65_535, 2), (65_536, 3), (16_777_215, 3)])
    func sizeFieldLength(payloadCount: Int, expected: Int) {
        #expect(MessageLayout.sizeFieldLength(payloadCount: payloadCount) == expected)
    }

    @Test func buildWritesFlagsLittleEndianSizePayloadPadding() throws {
        let payload = [UInt8](repeating: 0x61, count: 300)
        let plaintext = try MessageLayout.build(payload: payload, padding: [9, 9, 9], signingKey: nil)
        #expect(plaintext[0] == 0x02)
        #expect(Array(plaintext[1...2]) == [0x2c, 0x01])   // 300 little-endian
        #expect(Array(plaintext[3..<303]) == payload)
        #expect(Array(plaintext[303...]) == [9, 9, 9])
        let parsed = try MessageLayout.parse(plaintext, requiresSignature: false)
        #expect(parsed.payload == 3..<303)
        #expect(parsed.padding == 303..<306)
        #expect(parsed.signer == nil)
    }

    /// The signature flag is set before signing, and the signature covers
    /// flags ‖ sizeField ‖ payload ‖ padding (spec §8.3).
    @Test func signatureCoversPlaintextWithFlagSet() throws {
        let key = try Secp256k1.PrivateKey(rawRepresentation: hexBytes("1adf5c18167d96a1f9a0b1ef63be8aa27eaf6032c233b2b38f7850cf5b859fd9"))
        let plaintext = try MessageLayout.build(payload: Array("hi".utf8), padding: [UInt8](repeating: 7, count: 187),
                                                signingKey: key)
        #expect(plaintext.count == 256)
        #expect(plaintext[0] == 0x05)
        let signature = try Secp256k1.RecoverableSignature(rawRepresentation: plaintext[191...])
        #expect(signature.rawRepresentation[64] <= 1)
        let digest = Keccak256.hash(plaintext[..<191])
        #expect(try signature.recoverPublicKey(forDigest: digest) == key.publicKey)
        #expect(key.publicKey.isValidSignature(signature, forDigest: digest))
        let parsed = try MessageLayout.parse(plaintext, requiresSignature: true)
        #expect(parsed.signer == key.publicKey)
        #expect(parsed.payload == 2..<4)
        #expect(parsed.padding == 4..<191)
    }

    @Test func zeroLengthSizeFieldMeansEmptyPayload() throws {
        let parsed = try MessageLayout.parse([0x00, 1, 2, 3], requiresSignature: false)
        #expect(parsed.payload.isEmpty)
        #expect(parsed.padding == 1..<4)
        let bare = try MessageLayout.parse([0x00], requiresSignature: false)
        #expect(bare.payload.isEmpty && bare.padding.isEmpty)
    }

    // MARK: Hostile plaintexts

    @Test func emptyPlaintext() {
        #expect(throws: OpenError.emptyMessage) { try MessageLayout.parse([], requiresSignature: false) }
    }

    @Test(arguments: [0x08, 0x10, 0x20, 0x40, 0x80, 0xf9, 0xff] as [UInt8])
    func reservedFlagBits(flags: UInt8) {
        #expect(throws: OpenError.reservedFlagBits(flags: flags)) {
            try MessageLayout.parse([flags, 0, 0, 0], requiresSignature: false)
        }
    }

    @Test func sizeFieldBeyondEnd() {
        #expect(throws: OpenError.truncatedSizeField(fieldCount: 3, available: 1)) {
            try MessageLayout.parse([0x03, 0x01], requiresSignature: false)
        }
        #expect(throws: OpenError.truncatedSizeField(fieldCount: 2, available: 0)) {
            try MessageLayout.parse([0x02], requiresSignature: false)
        }
    }

    @Test func declaredPayloadBeyondEnd() {
        #expect(throws: OpenError.payloadSizeExceedsMessage(declared: 4, available: 3)) {
            try MessageLayout.parse([0x01, 0x04, 1, 2, 3], requiresSignature: false)
        }
        // An absurd 3-byte size: 16777215 bytes declared, 2 present; nothing is allocated for it.
        #expect(throws: OpenError.payloadSizeExceedsMessage(declared: 16_777_215, available: 2)) {
            try MessageLayout.parse([0x03, 0xff, 0xff, 0xff, 1, 2], requiresSignature: false)
        }
    }

    /// A size that reaches into the signature is refused (geth only checks
    /// `n + 1 <= end`, which lets the payload overlap the size field's end).
    @Test func payloadMayNotReachIntoSignature() throws {
        let key = Secp256k1.PrivateKey()
        var plaintext = try MessageLayout.build(payload: [1, 2, 3], padding: [], signingKey: key)
        // flags 0x05, size 03, payload 3 bytes, signature 65: claim 4 bytes.
        plaintext[1] = 4
        #expect(throws: OpenError.payloadSizeExceedsMessage(declared: 4, available: 3)) {
            try MessageLayout.parse(plaintext, requiresSignature: false)
        }
    }

    @Test func signatureFlagWithoutRoomForSignature() {
        for count in [1, 2, 65, 66] {
            var plaintext = [UInt8](repeating: 0, count: count)
            plaintext[0] = 0x04
            #expect(throws: OpenError.truncatedSignature(plaintextCount: count)) {
                try MessageLayout.parse(plaintext, requiresSignature: false)
            }
        }
    }

    @Test func malformedSignatures() throws {
        let key = Secp256k1.PrivateKey()
        let good = try MessageLayout.build(payload: Array("payload".utf8), padding: [1, 2, 3], signingKey: key)
        let v = good.count - 1
        // EIP-627's v = 27/28 is not what geth writes and does not recover.
        var eip627 = good
        eip627[v] += 27
        #expect(throws: OpenError.self) { try MessageLayout.parse(eip627, requiresSignature: false) }
        // r = 0.
        var zeroR = good
        for i in (good.count - 65)..<(good.count - 33) { zeroR[i] = 0 }
        #expect(throws: OpenError.self) { try MessageLayout.parse(zeroR, requiresSignature: false) }
        // A different recovery id recovers another key or nothing, never the signer.
        var otherID = good
        otherID[v] ^= 1
        let recovered = try? MessageLayout.parse(otherID, requiresSignature: false).signer
        #expect(recovered != key.publicKey)
        // Each error case is invalidSignature.
        do {
            _ = try MessageLayout.parse(eip627, requiresSignature: false)
        } catch {
            guard case .invalidSignature = error else {
                Issue.record("expected invalidSignature, got \(error)")
                return
            }
        }
    }

    @Test func unsignedWhenSignatureRequired() throws {
        let plaintext = try MessageLayout.build(payload: [1], padding: [2], signingKey: nil)
        #expect(throws: OpenError.unsigned) { try MessageLayout.parse(plaintext, requiresSignature: true) }
        #expect(try MessageLayout.parse(plaintext, requiresSignature: false).payload == 2..<3)
    }
}
