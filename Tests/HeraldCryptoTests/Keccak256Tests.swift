import HeraldCrypto
import Testing
import TestSupport

@Suite("Keccak-256")
struct Keccak256Tests {
    /// Known answers. The pattern inputs are bytes i mod 251 for i in
    /// 0..<length, chosen to straddle the 136-byte rate; their digests were
    /// computed with pycryptodome 3.x/4.4 (`Crypto.Hash.keccak.new(digest_bits=256)`),
    /// which implements the original Keccak padding (0x01).
    static let knownAnswers: [(name: String, input: [UInt8], digest: String)] = [
        ("empty", [], "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        ("abc", Array("abc".utf8), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        // 200 × 0xa3, the customary Keccak test message; value cross-checked with pycryptodome.
        ("200 x a3", [UInt8](repeating: 0xa3, count: 200), "3a57666b048777f2c953dc4456f45a2588e1cb6f2da760122d530ac2ce607d4a"),
        ("135 pattern", pattern(135), "cbdfd9dee5faad3818d6b06f95a219fd290b0e1706f6a82e5a595b9ce9faca62"),
        ("136 pattern", pattern(136), "7ce759f1ab7f9ce437719970c26b0a66ff11fe3e38e17df89cf5d29c7d7f807e"),
        ("137 pattern", pattern(137), "ac73d4fae68b8453f764007c1a20ce95994187861f0c3227a3a8e99a73a3b1db"),
        ("272 pattern", pattern(272), "8e2476e65823b24d96ebe239f2c1534cdf763e689e2410c3b1cb0c74e6177bfc"),
        ("1000 pattern", pattern(1000), "af692982e84a5a9688359025660a7857cd28ee7c8d867cfa1677baf2e6d1f63b"),
    ]

    static func pattern(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8($0 % 251) }
    }

    @Test("known answers", arguments: knownAnswers.indices)
    func knownAnswer(index: Int) {
        let vector = Self.knownAnswers[index]
        #expect(Keccak256.hash(vector.input).description == vector.digest, "\(vector.name)")
        vector.input.withUnsafeBytes { buffer in
            #expect(Keccak256.hash(buffer).description == vector.digest, "\(vector.name), pointer API")
        }
        // A non-contiguous collection takes the copying path.
        #expect(Keccak256.hash(vector.input.lazy.map { $0 }).description == vector.digest, "\(vector.name), lazy collection")
    }

    @Test("whisper-v6 keccak256 vectors", arguments: WhisperVectors.category("keccak256"))
    func whisperVector(vector: WhisperVectors.Vector) throws {
        let data = try #require(vector.input.data)
        #expect(Keccak256.hash(hexBytes(data)).description == vector.expected.keccak256)
    }

    @Test("incremental hashing equals one-shot for random splits")
    func incrementalEqualsOneShot() {
        var generator = SeededGenerator(seed: 0x4B45_4343_414B)
        for trial in 0..<200 {
            let length = Int.random(in: 0...1200, using: &generator)
            let message = generator.bytes(length)
            var hasher = Keccak256.Hasher()
            var offset = 0
            while offset < length {
                let step = Int.random(in: 0...min(300, length - offset), using: &generator)
                hasher.update(message[offset..<(offset + step)])
                offset += step
            }
            #expect(hasher.finalize() == Keccak256.hash(message), "trial \(trial), length \(length)")
        }
    }

    @Test("finalize mid-stream does not end the state")
    func finalizeMidStream() {
        let message = Self.pattern(700)
        for split in [0, 1, 135, 136, 137, 300, 699, 700] {
            var hasher = Keccak256.Hasher()
            hasher.update(message[..<split])
            #expect(hasher.finalize() == Keccak256.hash(message[..<split]))
            hasher.update(message[split...])
            #expect(hasher.finalize() == Keccak256.hash(message), "split at \(split)")
            #expect(hasher.finalize() == hasher.finalize(), "finalize is repeatable")
        }
    }

    @Test("copying a hasher forks its state")
    func copyForks() {
        var original = Keccak256.Hasher()
        original.update(Array("prefix-".utf8))
        var fork = original
        original.update(Array("left".utf8))
        fork.update(Array("right".utf8))
        #expect(original.finalize() == Keccak256.hash(Array("prefix-left".utf8)))
        #expect(fork.finalize() == Keccak256.hash(Array("prefix-right".utf8)))
    }

    @Test("digest as a collection")
    func digestCollection() {
        let digest = Keccak256.hash([UInt8]())
        #expect(digest.count == Keccak256.byteCount)
        #expect(digest.bytes == hexBytes("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"))
        #expect(Array(digest) == digest.bytes)
        #expect(digest[0] == 0xc5 && digest[31] == 0x70)
        digest.withUnsafeBytes { #expect(Array($0) == digest.bytes) }
        // Hashing a digest (contiguous fast path) equals hashing its bytes.
        #expect(Keccak256.hash(digest) == Keccak256.hash(digest.bytes))
        #expect(Set([digest, Keccak256.hash([UInt8]())]).count == 1)
    }
}
