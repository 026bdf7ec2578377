import HeraldCrypto
import RLP
import TestSupport
import Testing
@testable import Whisper

@Suite struct EnvelopeSealerTests {
    static let now: UInt32 = 1_714_564_805
    static let topic = Topic(name: "herald/test")

    static func counterRandom() -> @Sendable (Int) -> [UInt8] {
        { count in (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }
    }

    /// Herald's profile: symmetric, signed, PoW 0. Checks every byte of the
    /// layout with injected padding and GCM nonce.
    @Test func symmetricSignedLayoutAsGeth() throws {
        let key = try SymmetricKey(rawRepresentation: Array(1...32))
        let signer = try Secp256k1.PrivateKey(rawRepresentation: hexBytes("1adf5c18167d96a1f9a0b1ef63be8aa27eaf6032c233b2b38f7850cf5b859fd9"))
        var sealer = EnvelopeSealer(topic: Self.topic, encryption: .symmetric(key), signingKey: signer, timeToLive: 60)
        sealer.randomBytes = Self.counterRandom()
        let envelope = try sealer.seal(Array("hi".utf8), now: Self.now)

        #expect(envelope.expiry == Self.now + 60)
        #expect(envelope.timeToLive == 60)
        #expect(envelope.topic == Self.topic)
        #expect(envelope.nonce == 0)
        #expect(envelope.data.count == 256 + 16 + 12)   // spec §8.4 worked size
        let gcmNonce = Array(envelope.data.suffix(12))
        #expect(gcmNonce == Self.counterRandom()(12))
        let plaintext = try AES.GCM.open(envelope.data.dropLast(12), key: key.rawRepresentation, nonce: gcmNonce)
        #expect(plaintext.count == 256)
        #expect(plaintext[0] == 0x05)             // 1-byte size field | signature flag
        #expect(plaintext[1] == 2)
        #expect(Array(plaintext[2..<4]) == Array("hi".utf8))
        #expect(Array(plaintext[4..<191]) == Self.counterRandom()(187))   // 256 - (1+1+2+65)
        let signature = try Secp256k1.RecoverableSignature(rawRepresentation: plaintext[191...])
        #expect(try signature.recoverPublicKey(forDigest: Keccak256.hash(plaintext[..<191])) == signer.publicKey)
    }

    /// Spec §8.4: a 300-byte signed payload gives Data 540, RLP 558, short RLP 557, size 560.
    @Test func workedSizesOfA300BytePayload() throws {
        let sealer = EnvelopeSealer(topic: Self.topic, encryption: .symmetric(SymmetricKey()),
                                    signingKey: Secp256k1.PrivateKey(), timeToLive: 60)
        let envelope = try sealer.seal([UInt8](repeating: 0x41, count: 300), now: Self.now)
        #expect(envelope.data.count == 540)
        #expect(RLP.encode(envelope).count == 558)
        #expect(envelope.shortRLP.count == 557)
        #expect(envelope.size == 560)
    }

    @Test func asymmetricSizesAsGeth() throws {
        let recipient = Secp256k1.PrivateKey()
        let sealer = EnvelopeSealer(topic: .zero, encryption: .asymmetric(recipient: recipient.publicKey),
                                    signingKey: nil, timeToLive: 10)
        let envelope = try sealer.seal([1, 2, 3], now: Self.now)
        #expect(envelope.data.count == 256 + ECIES.overhead)
        #expect(envelope.data[0] == 0x04)
        let plaintext = try ECIES.open(envelope.data, with: recipient)
        #expect(Array(plaintext.prefix(5)) == [0x01, 0x03, 1, 2, 3])
    }

    @Test func explicitPaddingIsUsedVerbatim() throws {
        let key = SymmetricKey()
        let sealer = EnvelopeSealer(topic: Self.topic, encryption: .symmetric(key), signingKey: nil)
        let envelope = try sealer.seal([0xaa], padding: [1, 2, 3, 4, 5], now: Self.now)
        #expect(envelope.data.count == 1 + 1 + 1 + 5 + 28)
        let opened = try EnvelopeOpener(decryption: .symmetric(key)).open(envelope)
        #expect(Array(opened.padding) == [1, 2, 3, 4, 5])
        let bare = try sealer.seal([0xaa], padding: [], now: Self.now)
        #expect(bare.data.count == 3 + 28)
    }

    /// PoW 0: no nonce search at all — even with no work time it succeeds, nonce 0.
    @Test func zeroTargetRunsNoSearch() throws {
        let sealer = EnvelopeSealer(topic: Self.topic, encryption: .symmetric(SymmetricKey()), signingKey: nil,
                                    proofOfWorkTarget: 0, maxWorkTime: .zero)
        for _ in 0..<10 {
            #expect(try sealer.seal([1, 2, 3], now: Self.now).nonce == 0)
        }
    }

    @Test func positiveTargetIsReached() throws {
        let sealer = EnvelopeSealer(topic: Self.topic, encryption: .symmetric(SymmetricKey()), signingKey: nil,
                                    timeToLive: 20, proofOfWorkTarget: 0.05, maxWorkTime: .seconds(60))
        let envelope = try sealer.seal([1, 2, 3], now: Self.now)
        #expect(envelope.proofOfWork() >= 0.05)
    }

    @Test func positiveTargetWithoutTimeFails() {
        let sealer = EnvelopeSealer(topic: Self.topic, encryption: .symmetric(SymmetricKey()), signingKey: nil,
                                    proofOfWorkTarget: 1000, maxWorkTime: .zero)
        #expect(throws: SealError.proofOfWorkTimedOut(target: 1000)) { try sealer.seal([1], now: Self.now) }
    }

    // MARK: Refusals

    @Test func refusals() {
        let key = SymmetricKey()
        func sealer(_ change: (inout EnvelopeSealer) -> Void) -> EnvelopeSealer {
            var sealer = EnvelopeSealer(topic: Self.topic, encryption: .symmetric(key), signingKey: nil)
            change(&sealer)
            return sealer
        }
        #expect(throws: SealError.zeroTimeToLive) { try sealer { $0.timeToLive = 0 }.seal([1], now: Self.now) }
        #expect(throws: SealError.expiryOverflow(now: UInt32.max - 5, timeToLive: 50)) {
            try sealer { _ in }.seal([1], now: UInt32.max - 5)
        }
        #expect(throws: SealError.zeroTopic) { try sealer { $0.topic = .zero }.seal([1], now: Self.now) }
        #expect(throws: SealError.invalidProofOfWorkTarget(-0.5)) {
            try sealer { $0.proofOfWorkTarget = -0.5 }.seal([1], now: Self.now)
        }
        #expect(throws: SealError.invalidProofOfWorkTarget(.infinity)) {
            try sealer { $0.proofOfWorkTarget = .infinity }.seal([1], now: Self.now)
        }
        // 200 payload bytes → plaintext 256 → data 284 → size 304.
        #expect(throws: SealError.envelopeTooLarge(size: 304, limit: 300)) {
            try sealer { $0.maxEnvelopeSize = 300 }.seal([UInt8](repeating: 0, count: 200), now: Self.now)
        }
        // Huge caller padding is refused before anything is encrypted.
        #expect(throws: SealError.envelopeTooLarge(size: 20 + 28 + 3 + (1 << 20), limit: 1 << 20)) {
            try sealer { _ in }.seal([1], padding: [UInt8](repeating: 0, count: 1 << 20), now: Self.now)
        }
    }

    @Test func payloadBeyondThreeByteSizeField() {
        let sealer = EnvelopeSealer(topic: Self.topic, encryption: .symmetric(SymmetricKey()), signingKey: nil,
                                    maxEnvelopeSize: 64 << 20)
        #expect(throws: SealError.payloadTooLarge(byteCount: 1 << 24)) {
            try sealer.seal([UInt8](repeating: 0, count: 1 << 24), now: Self.now)
        }
    }

    @Test func errorDescriptionsAreSentences() {
        #expect(SealError.zeroTopic.description.contains("00000000"))
        #expect(SealError.envelopeTooLarge(size: 304, limit: 300).description
                == "sealed envelope would be 304 bytes, over the limit of 300 bytes")
    }
}
