// Benchmarks for Whisper (issue 3).
//
// Opening a signed symmetric envelope cannot cost less than one secp256k1
// public-key recovery plus one AES-256-GCM open of the same bytes: that
// floor is measured in the same run ("floor: recover + GCM open"), so the
// ratio floor/open shows how much avoidable work opening adds (goal ≥ 0.85).
import Benchmark
import HeraldCrypto
import Whisper

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    let announcement = SecureRandom.bytes(count: 300)
    let key = SymmetricKey()
    let signer = Secp256k1.PrivateKey()
    let sealer = EnvelopeSealer(topic: Topic(name: "herald/bench"), encryption: .symmetric(key),
                                signingKey: signer, timeToLive: 60)
    let opener = EnvelopeOpener(decryption: .symmetric(key), requiresSignature: true)
    let now: UInt32 = 1_764_000_000
    let envelope = try! sealer.seal(announcement, now: now)

    Benchmark("Whisper seal 300 B signed (symmetric, PoW 0)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! sealer.seal(announcement, now: now))
        }
    }
    Benchmark("Whisper open 300 B signed (symmetric)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! opener.open(envelope))
        }
    }

    // The floor: the same GCM open and one recover over a 32-byte digest.
    let data = envelope.data
    let split = data.count - 12
    let ciphertext = Array(data[..<split])
    let nonce = Array(data[split...])
    let digest = Keccak256.hash(announcement)
    let signature = try! signer.signature(forDigest: digest)
    Benchmark("floor: recover + GCM open (same bytes)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! AES.GCM.open(ciphertext, key: key.rawRepresentation, nonce: nonce))
            blackHole(try! signature.recoverPublicKey(forDigest: digest))
        }
    }
    Benchmark("secp256k1 recover (bare)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! signature.recoverPublicKey(forDigest: digest))
        }
    }

    Benchmark("Envelope PoW computation (\(envelope.size) B envelope)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(envelope.proofOfWork())
        }
    }
}
