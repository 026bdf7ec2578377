import HeraldCrypto
import RLP
import TestSupport
import Testing
@testable import Whisper

@Suite struct EnvelopeOpenerTests {
    static let now: UInt32 = 1_700_000_000

    struct Case: Sendable, CustomTestStringConvertible {
        let seed: UInt64
        let symmetric: Bool
        let signed: Bool
        var testDescription: String {
            "seed \(seed), \(symmetric ? "symmetric" : "asymmetric"), \(signed ? "signed" : "unsigned")"
        }
    }

    /// 48 seeded cases: 12 per combination of symmetric/asymmetric and signed/unsigned.
    static let roundTripCases: [Case] = (0..<48).map { (index: Int) -> Case in
        let seed: UInt64 = 0xC0FFEE + UInt64(index)
        return Case(seed: seed, symmetric: index % 2 == 0, signed: (index / 2) % 2 == 0)
    }

    /// seal → encode → decode → validate → open gives back the payload, the
    /// signer, the topic, the send time and the PoW.
    @Test(arguments: roundTripCases)
    func sealThenOpenRoundTrips(testCase: Case) throws {
        var generator = SeededGenerator(seed: testCase.seed)
        let sizes = [0, 1, 2, 55, 189, 190, 254, 255, 256, 300, 700, 70_000]
        var payloadCount: Int = sizes.randomElement(using: &generator)!
        if testCase.seed % 3 == 0 {
            payloadCount += Int.random(in: 0..<64, using: &generator)
        }
        let payload = generator.bytes(payloadCount)
        var topicBytes = generator.bytes(4)
        topicBytes[0] |= 1   // non-zero, as symmetric sealing requires
        let topic = Topic(truncatingOrPadding: topicBytes)
        let signingKey = testCase.signed ? try Secp256k1.PrivateKey(rawRepresentation: Self.scalar(&generator)) : nil
        let ttl = UInt32.random(in: 1...600, using: &generator)

        let sealing: EnvelopeSealer.Encryption
        let opening: EnvelopeOpener.Decryption
        if testCase.symmetric {
            let key = try SymmetricKey(rawRepresentation: generator.bytes(32))
            sealing = .symmetric(key)
            opening = .symmetric(key)
        } else {
            let recipient = try Secp256k1.PrivateKey(rawRepresentation: Self.scalar(&generator))
            sealing = .asymmetric(recipient: recipient.publicKey)
            opening = .asymmetric(recipient)
        }
        let sealer = EnvelopeSealer(topic: topic, encryption: sealing, signingKey: signingKey, timeToLive: ttl)
        let sealed = try sealer.seal(payload, now: Self.now)
        let overhead = testCase.symmetric ? 28 : ECIES.overhead
        #expect((sealed.data.count - overhead) % 256 == 0)

        let received = try RLP.decode(Envelope.self, from: RLP.encode(sealed))
        #expect(received == sealed)
        let proofOfWork = try EnvelopeValidator().validate(received, now: Self.now + 1)

        let opened = try EnvelopeOpener(decryption: opening, requiresSignature: testCase.signed).open(received)
        #expect(Array(opened.payload) == payload)
        #expect(opened.signer == signingKey?.publicKey)
        #expect(opened.topic == topic)
        #expect(opened.sent == Self.now)
        #expect(opened.proofOfWork == proofOfWork)
        #expect(opened.padding.count == MessageLayout.automaticPaddingLength(payloadCount: payloadCount,
                                                                             signed: testCase.signed))
    }

    static func scalar(_ generator: inout SeededGenerator) -> [UInt8] {
        var bytes = generator.bytes(32)
        bytes[0] = min(bytes[0], 0xfe)   // below the group order
        bytes[31] |= 1                   // non-zero
        return bytes
    }

    // MARK: Tampering

    /// Every single-bit flip anywhere in a small sealed envelope's data is
    /// rejected by decryption (GCM tag over ciphertext, tag and nonce).
    @Test(arguments: [true, false])
    func everyFlippedDataBitIsRejectedSymmetric(signed: Bool) throws {
        let key = SymmetricKey()
        let sealer = EnvelopeSealer(topic: Topic(name: "flip"), encryption: .symmetric(key),
                                    signingKey: signed ? Secp256k1.PrivateKey() : nil)
        let envelope = try sealer.seal(Array("ten bytes!".utf8), now: Self.now)
        let opener = EnvelopeOpener(decryption: .symmetric(key))
        #expect(try Array(opener.open(envelope).payload) == Array("ten bytes!".utf8))
        var accepted = 0
        for bit in 0..<(envelope.data.count * 8) {
            var tampered = envelope
            tampered.data[bit / 8] ^= 1 << (bit % 8)
            do {
                _ = try opener.open(tampered)
                accepted += 1
            } catch {
                #expect(error == .decryptionFailed)
            }
        }
        #expect(accepted == 0)
    }

    /// The same for ECIES: a flip in the ephemeral key, IV, ciphertext or
    /// MAC is refused.
    @Test func everyFlippedDataBitIsRejectedAsymmetric() throws {
        let recipient = Secp256k1.PrivateKey()
        let sealer = EnvelopeSealer(topic: Topic(name: "flip"), encryption: .asymmetric(recipient: recipient.publicKey),
                                    signingKey: Secp256k1.PrivateKey())
        let envelope = try sealer.seal(Array("ten bytes!".utf8), now: Self.now)
        let opener = EnvelopeOpener(decryption: .asymmetric(recipient))
        var accepted = 0
        for bit in 0..<(envelope.data.count * 8) {
            var tampered = envelope
            tampered.data[bit / 8] ^= 1 << (bit % 8)
            if (try? opener.open(tampered)) != nil {
                accepted += 1
            }
        }
        #expect(accepted == 0)
    }

    /// Bits flipped in the RLP envelope: the result either fails to decode,
    /// fails to open, or opens to the same payload and signer (the fields
    /// outside Data — expiry, TTL, topic, nonce — are not signed, spec §8.3).
    @Test func flippedEnvelopeBitsNeverYieldADifferentPayload() throws {
        let key = SymmetricKey()
        let signer = Secp256k1.PrivateKey()
        let sealer = EnvelopeSealer(topic: Topic(name: "flip"), encryption: .symmetric(key), signingKey: signer)
        let payload = Array("announcement".utf8)
        let encoded = RLP.encode(try sealer.seal(payload, now: Self.now))
        let opener = EnvelopeOpener(decryption: .symmetric(key), requiresSignature: true)
        var generator = SeededGenerator(seed: 99)
        // Every bit of the first 24 bytes (list prefix, expiry, TTL, topic,
        // data prefix) and of the last 12, plus 300 random bits.
        var bits = Array(0..<(24 * 8)) + Array(((encoded.count - 12) * 8)..<(encoded.count * 8))
        bits += (0..<300).map { _ in Int.random(in: 0..<(encoded.count * 8), using: &generator) }
        var outcomes = (decodeFailed: 0, openFailed: 0, samePayload: 0)
        for bit in bits {
            var tampered = encoded
            tampered[bit / 8] ^= 1 << (bit % 8)
            guard let envelope = try? RLP.decode(Envelope.self, from: tampered) else {
                outcomes.decodeFailed += 1
                continue
            }
            guard let opened = try? opener.open(envelope) else {
                outcomes.openFailed += 1
                continue
            }
            #expect(Array(opened.payload) == payload)
            #expect(opened.signer == signer.publicKey)
            outcomes.samePayload += 1
        }
        #expect(outcomes.decodeFailed > 0 && outcomes.openFailed > 0 && outcomes.samePayload > 0)
    }

    // MARK: Wrong keys and hostile data

    @Test func wrongKeysAreDecryptionFailures() throws {
        let symmetric = try EnvelopeSealer(topic: Topic(name: "k"), encryption: .symmetric(SymmetricKey()), signingKey: nil)
            .seal([1, 2, 3], now: Self.now)
        #expect(throws: OpenError.decryptionFailed) {
            try EnvelopeOpener(decryption: .symmetric(SymmetricKey())).open(symmetric)
        }
        let asymmetric = try EnvelopeSealer(topic: Topic(name: "k"), encryption: .asymmetric(recipient: Secp256k1.PrivateKey().publicKey),
                                            signingKey: nil).seal([1, 2, 3], now: Self.now)
        #expect(throws: OpenError.decryptionFailed) {
            try EnvelopeOpener(decryption: .asymmetric(Secp256k1.PrivateKey())).open(asymmetric)
        }
        // A symmetric envelope tried with a private key, and the reverse.
        #expect(throws: OpenError.decryptionFailed) {
            try EnvelopeOpener(decryption: .asymmetric(Secp256k1.PrivateKey())).open(symmetric)
        }
        #expect(throws: OpenError.decryptionFailed) {
            try EnvelopeOpener(decryption: .symmetric(SymmetricKey())).open(asymmetric)
        }
    }

    @Test func truncatedDataIsRefusedBeforeDecrypting() {
        let envelope = Envelope(expiry: Self.now, timeToLive: 5, topic: .zero, data: [UInt8](repeating: 4, count: 27))
        #expect(throws: OpenError.dataTooShort(byteCount: 27, minimum: 28)) {
            try EnvelopeOpener(decryption: .symmetric(SymmetricKey())).open(envelope)
        }
        let short = Envelope(expiry: Self.now, timeToLive: 5, topic: .zero, data: [UInt8](repeating: 4, count: 112))
        #expect(throws: OpenError.dataTooShort(byteCount: 112, minimum: 113)) {
            try EnvelopeOpener(decryption: .asymmetric(Secp256k1.PrivateKey())).open(short)
        }
        let empty = Envelope(expiry: Self.now, timeToLive: 5, topic: .zero, data: [])
        #expect(throws: OpenError.dataTooShort(byteCount: 0, minimum: 28)) {
            try EnvelopeOpener(decryption: .symmetric(SymmetricKey())).open(empty)
        }
    }

    /// Correctly encrypted but malformed plaintexts: a clear error each.
    @Test(arguments: [
        ("empty plaintext", "", OpenError.emptyMessage),
        ("reserved flag bit", "0901aa", OpenError.reservedFlagBits(flags: 0x09)),
        ("size field cut", "03aa", OpenError.truncatedSizeField(fieldCount: 3, available: 1)),
        ("absurd size", "03ffffff0102", OpenError.payloadSizeExceedsMessage(declared: 16_777_215, available: 2)),
        ("size beyond end", "0105aabbcc", OpenError.payloadSizeExceedsMessage(declared: 5, available: 3)),
        ("signature flag, no room", "05" + String(repeating: "00", count: 65), OpenError.truncatedSignature(plaintextCount: 66)),
    ])
    func malformedPlaintexts(name: String, plaintextHex: String, expected: OpenError) throws {
        let key = SymmetricKey()
        let nonce = [UInt8](repeating: 3, count: 12)
        let data = try AES.GCM.seal(hexBytes(plaintextHex), key: key.rawRepresentation, nonce: nonce) + nonce
        let envelope = Envelope(expiry: Self.now, timeToLive: 5, topic: Topic(name: "x"), data: data)
        #expect(throws: expected, "\(name)") {
            try EnvelopeOpener(decryption: .symmetric(key)).open(envelope)
        }
        let recipient = Secp256k1.PrivateKey()
        let asymmetric = Envelope(expiry: Self.now, timeToLive: 5, topic: Topic(name: "x"),
                                  data: ECIES.seal(hexBytes(plaintextHex), to: recipient.publicKey))
        #expect(throws: expected, "\(name), ECIES") {
            try EnvelopeOpener(decryption: .asymmetric(recipient)).open(asymmetric)
        }
    }

    @Test func unsignedRefusedWhenRequired() throws {
        let key = SymmetricKey()
        let envelope = try EnvelopeSealer(topic: Topic(name: "u"), encryption: .symmetric(key), signingKey: nil)
            .seal([1], now: Self.now)
        #expect(throws: OpenError.unsigned) {
            try EnvelopeOpener(decryption: .symmetric(key), requiresSignature: true).open(envelope)
        }
        #expect(try EnvelopeOpener(decryption: .symmetric(key)).open(envelope).signer == nil)
    }

    @Test func errorDescriptionsAreSentences() {
        #expect(OpenError.payloadSizeExceedsMessage(declared: 16_777_215, available: 2).description
                == "message declares a payload of 16777215 bytes but only 2 bytes are present")
        #expect(OpenError.reservedFlagBits(flags: 0x09).description.contains("0x9"))
    }
}
