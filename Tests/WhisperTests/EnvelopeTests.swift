import HeraldCrypto
import RLP
import TestSupport
import Testing
@testable import Whisper

@Suite struct EnvelopeTests {
    // MARK: Vectors

    /// Vectors `pow-001`, `pow-002`: PoW hash input (short RLP ‖ 8-byte
    /// big-endian nonce) and the value, divided by the short-RLP length (13).
    @Test(arguments: WhisperVectors.category("envelope_pow"))
    func proofOfWorkVector(vector: WhisperVector) throws {
        let input = vector.input
        let envelope = Envelope(expiry: UInt32(try #require(input["expiry"].int)),
                                timeToLive: UInt32(try #require(input["ttl"].int)),
                                topic: try #require(Topic(rawRepresentation: input["topic"].bytes)),
                                data: input["data"].bytes,
                                nonce: UInt64(try #require(input["nonce"].int)))
        let diff = UInt32(try #require(input["pow_diff"].int))
        #expect(hexString(envelope.proofOfWorkHash) == vector.expected["pow_hash"].string)
        #expect(envelope.proofOfWork(timeToLiveExtension: diff) == vector.expected["pow"].double)
        #expect(envelope.shortRLP.count == 13)
    }

    /// Vectors `powformula-001..003`: leading-zero counting with size = TTL = 1.
    @Test(arguments: WhisperVectors.category("pow_from_hash"))
    func proofOfWorkFromHash(vector: WhisperVector) throws {
        let hash = vector.input["pow_hash"].bytes
        let zeros = ProofOfWork.leadingZeroBits(of: hash)
        #expect(zeros == vector.expected["leading_zero_bits_per_source_comment"].int)
        let value = ProofOfWork.value(leadingZeroBits: zeros,
                                      shortRLPLength: try #require(vector.input["size"].int),
                                      timeToLive: UInt32(try #require(vector.input["ttl"].int)))
        let expected = try #require(vector.expected["pow"].double)
        // The source prints 16 significant digits of 2^256 and 2^255.
        #expect(abs(value - expected) <= expected * 1e-15)
    }

    // MARK: Encoding and hash

    @Test func specExampleShortRLPEncodingAndHash() throws {
        let envelope = Envelope(expiry: 0, timeToLive: 1, topic: .zero, data: [0xde, 0xad, 0xbe, 0xef], nonce: 100_000)
        #expect(hexString(envelope.shortRLP) == "cc8001840000000084deadbeef")
        #expect(hexString(RLP.encode(envelope)) == "d08001840000000084deadbeef830186a0")
        #expect(envelope.hash.description == "660f65a268e219b51aa55347adab435ffa14835a64d247a72bc2ef88cae6dc58")
        #expect(envelope.size == 24)
    }

    /// A symmetric envelope computed independently (Python, pycryptodome
    /// AES-GCM and Keccak; not a vector from any implementation): nonce last,
    /// envelope hash over the full RLP, PoW over the short RLP.
    @Test func independentlyComputedSymmetricEnvelope() throws {
        let key = try SymmetricKey(rawRepresentation: Array(1...32))
        let data = hexBytes(Self.goldenData)
        let envelope = Envelope(expiry: 1_714_564_865, timeToLive: 60, topic: Topic(name: "herald"), data: data, nonce: 0)
        #expect(envelope.topic.description == "27df6cac")
        #expect(RLP.encode(envelope).count == 302)
        #expect(envelope.shortRLP.count == 301)
        #expect(envelope.hash.description == "62d77aee9c53da00fb77b9b75f595fd85eecbca84bfbed68aa769bd94dbaac62")
        #expect(envelope.proofOfWorkHash.description == "e3faa14a5c231bcbca30a7b4fe03638c0e26e0191cb8319fc797f4d130076b50")
        #expect(envelope.proofOfWork() == 5.5370985603543746e-05)

        let opened = try EnvelopeOpener(decryption: .symmetric(key)).open(envelope)
        #expect(Array(opened.payload) == Array("herald".utf8))
        #expect(Array(opened.padding) == (0..<248).map { UInt8($0 % 251 + 1) })
        #expect(opened.signer == nil)
        #expect(opened.sent == 1_714_564_805)
    }

    static let goldenData = "b8d755038fd436607e0ca16ff483278c5eddbb1555666f943649c6e94758cf2d28cb82d4f2ccaf140c54e3bd8310690f309c5be8e1b5d1e579d6b0c4f7003050957898d8931573b19bd205b0479cbc9784d55d0735b81d2698a0956eb29102f95d8459011cbf07c9c5eb2d1216009bae88b8321bbcbeb3a1b5933bc29f3145ad83f73d834cbb9473c0f774c397a4682e6cf906fe5d4cdcf4f19c579aa9e0cccdba4b0147c607bcbbe44a9eb9c1da2becc931ac39bead71d38a33f894c3461aefb8a044175d6f580fe534e5221e25b2d8faa7efc2cb3904a50cc640a3bb524db53a48993ac80544d45d98a90d442f2ed52ce3793d8b5d40eb7a5e52f455c4ed6750fafb0cc6b570ec51919c493b413508a0a1a2a3a4a5a6a7a8a9aaab"

    /// Random envelopes: decode(encode(e)) == e; the incrementally computed
    /// hash equals keccak256 of the encoding; the short RLP is the
    /// four-field list. Sizes cross the 55/56-byte and 1/2/3-byte prefixes.
    @Test func codecRoundTripAndHashOverRandomEnvelopes() throws {
        var generator = SeededGenerator(seed: 0x5eed)
        let dataSizes = [0, 1, 1, 2, 50, 51, 52, 55, 56, 200, 255, 256, 1000, 65_535, 65_536, 70_000]
        for (index, count) in dataSizes.enumerated() {
            var data = generator.bytes(count)
            if index == 1 { data = [0x7f] }   // single byte below 0x80: no prefix
            if index == 2 { data = [0x80] }
            let envelope = Envelope(expiry: index.isMultiple(of: 3) ? 0 : UInt32.random(in: 0...UInt32.max, using: &generator),
                                    timeToLive: UInt32.random(in: 0...300, using: &generator),
                                    topic: Topic(truncatingOrPadding: generator.bytes(4)),
                                    data: data,
                                    nonce: index.isMultiple(of: 2) ? 0 : UInt64.random(in: 0...UInt64.max, using: &generator))
            let encoded = RLP.encode(envelope)
            #expect(try RLP.decode(Envelope.self, from: encoded) == envelope)
            #expect(envelope.hash == Keccak256.hash(encoded))

            var writer = RLPWriter()
            writer.writeList { (list: inout RLPWriter) in
                list.write(envelope.expiry)
                list.write(envelope.timeToLive)
                list.write(bytes: envelope.topic.rawRepresentation)
                list.write(bytes: envelope.data)
            }
            #expect(envelope.shortRLP == writer.bytes)
            #expect(envelope.size == 20 + count)
        }
    }

    @Test func sentTimeWrapsAsGeth() {
        #expect(Envelope(expiry: 100, timeToLive: 60, topic: .zero, data: []).sent == 40)
        #expect(Envelope(expiry: 10, timeToLive: 60, topic: .zero, data: []).sent == UInt32.max - 49)
    }

    // MARK: Hostile encodings

    @Test(arguments: [
        ("four fields", "cc8001840000000084deadbeef"),
        ("six fields", "d18001840000000084deadbeef830186a080"),
        ("three-byte topic", "cf800183000000" + "84deadbeef830186a0"),
        ("five-byte topic", "d1800185000000000084deadbeef830186a0"),
        ("expiry with leading zero", "d2820001" + "01840000000084deadbeef830186a0"),
        ("expiry wider than 32 bits", "d5850100000000" + "01840000000084deadbeef830186a0"),
        ("nonce wider than 64 bits", "d68001840000000084deadbeef89010000000000000000"),
        ("single byte wrapped as string", "d1" + "8105" + "01840000000084deadbeef830186a0"),
        ("not a list", "84deadbeef"),
        ("truncated list", "d08001840000000084deadbeef830186"),
        ("truncated data", "d08001840000000084deadbe"),
        ("data length beyond input", "d28001840000000087deadbeef830186a0"),
        ("topic as a list", "d08001c400000000" + "84deadbeef830186a0"),
        ("trailing bytes", "d08001840000000084deadbeef830186a000"),
        ("long form for short list", "f8108001840000000084deadbeef830186a0"),
        ("absurd list length", "fb7fffffff8001"),
        ("absurd 8-byte list length", "ff7fffffffffffffff8001"),
        ("absurd data length", "d28001840000000088ffffffffffffffff"),
        ("empty input", ""),
    ])
    func malformedEnvelopesAreRejected(name: String, hex: String) {
        #expect(throws: RLPError.self, "\(name)") {
            _ = try RLP.decode(Envelope.self, from: hexBytes(hex))
        }
    }

    // MARK: Proof of work

    @Test func zeroTimeToLiveGivesInfiniteProofOfWork() {
        let envelope = Envelope(expiry: 5, timeToLive: 0, topic: .zero, data: [1, 2, 3])
        #expect(envelope.proofOfWork() == .infinity)
        #expect(envelope.proofOfWork(timeToLiveExtension: 2) < .infinity)
    }

    @Test func proofOfWorkDividesInGethOrder() {
        let envelope = Envelope(expiry: 1000, timeToLive: 7, topic: Topic(truncatingOrPadding: [9, 9, 9, 9]),
                                data: Array(repeating: 0x42, count: 33), nonce: 12345)
        let zeros = ProofOfWork.leadingZeroBits(of: envelope.proofOfWorkHash)
        let expected = (Double(sign: .plus, exponent: zeros, significand: 1) / Double(envelope.shortRLP.count)) / 7.0
        #expect(envelope.proofOfWork() == expected)
        let extended = (Double(sign: .plus, exponent: zeros, significand: 1) / Double(envelope.shortRLP.count)) / 10.0
        #expect(envelope.proofOfWork(timeToLiveExtension: 3) == extended)
    }

    @Test(arguments: [0.001, 0.05, 0.5, 2.0])
    func nonceSearchReachesTarget(target: Double) throws {
        var envelope = Envelope(expiry: 1_714_564_865, timeToLive: 60, topic: Topic(name: "pow"),
                                data: Array(repeating: 0xab, count: 40))
        try envelope.findNonce(reaching: target, isPastDeadline: { false })
        #expect(envelope.proofOfWork() >= target)
        // The search is minimal: no smaller nonce reaches the target.
        let found = envelope.nonce
        for nonce in 0..<found {
            envelope.nonce = nonce
            #expect(envelope.proofOfWork() < target)
        }
    }

    @Test func requiredZeroBitsAreTheFewestThatReachTheTarget() throws {
        for target in [1e-9, 0.001, 0.2, 0.25, 1.0, 3.0, 1e6, 1e40] {
            for (length, ttl) in [(13, 1), (301, 60), (557, 50), (1000, 1)] as [(Int, UInt32)] {
                let zeros = try #require(ProofOfWork.requiredLeadingZeroBits(target: target, shortRLPLength: length,
                                                                             timeToLive: ttl))
                #expect(ProofOfWork.value(leadingZeroBits: zeros, shortRLPLength: length, timeToLive: ttl) >= target)
                if zeros > 0 {
                    #expect(ProofOfWork.value(leadingZeroBits: zeros - 1, shortRLPLength: length, timeToLive: ttl) < target)
                }
            }
        }
        #expect(ProofOfWork.requiredLeadingZeroBits(target: 1e300, shortRLPLength: 13, timeToLive: 1) == nil)
    }

    @Test func nonceSearchFailsCleanly() {
        var envelope = Envelope(expiry: 100, timeToLive: 50, topic: .zero, data: [1])
        #expect(throws: SealError.proofOfWorkTimedOut(target: 1e9)) {
            try envelope.findNonce(reaching: 1e9, isPastDeadline: { true })
        }
        #expect(throws: SealError.proofOfWorkUnreachable(target: 1e300)) {
            try envelope.findNonce(reaching: 1e300, isPastDeadline: { false })
        }
        #expect(throws: SealError.invalidProofOfWorkTarget(-1)) {
            try envelope.findNonce(reaching: -1, isPastDeadline: { false })
        }
        #expect(throws: SealError.self) {
            try envelope.findNonce(reaching: .nan, isPastDeadline: { false })
        }
        #expect(envelope.nonce == 0)
    }
}
