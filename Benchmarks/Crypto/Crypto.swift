// Benchmarks for HeraldCrypto (issue 2).
//
// Keccak-256 is measured side by side with OpenSSL's SHA3-256 on the same
// inputs in the same run: both are one Keccak-f[1600] sponge with rate 136,
// differing only in the padding byte, so the ratio isolates our permutation
// and absorb loop. Goal: Keccak-256 throughput ≥ 0.8× OpenSSL's.
import Benchmark
import HeraldCrypto
import OpenSSLReference

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    for (label, size) in [("32 B", 32), ("1 KiB", 1024), ("1 MiB", 1 << 20)] {
        let input = [UInt8](repeating: 0xa5, count: size)
        Benchmark("Keccak-256 \(label)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(Keccak256.hash(input))
            }
        }
        Benchmark("OpenSSL SHA3-256 \(label)") { benchmark in
            var digest = [UInt8](repeating: 0, count: 32)
            var digestLength: UInt32 = 0
            let sha3 = EVP_sha3_256()
            for _ in benchmark.scaledIterations {
                input.withUnsafeBytes { bytes in
                    _ = EVP_Digest(bytes.baseAddress, bytes.count, &digest, &digestLength, sha3, nil)
                }
                blackHole(digest)
            }
        }
    }

    let key = Secp256k1.PrivateKey()
    let digest = Keccak256.hash(Array("herald benchmark message".utf8))
    let signature = try! key.signature(forDigest: digest)

    Benchmark("secp256k1 sign") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! key.signature(forDigest: digest))
        }
    }
    Benchmark("secp256k1 recover") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! signature.recoverPublicKey(forDigest: digest))
        }
    }

    let recipient = Secp256k1.PrivateKey()
    let plaintext = SecureRandom.bytes(count: 300)
    let sealed = ECIES.seal(plaintext, to: recipient.publicKey)
    Benchmark("ECIES seal 300 B") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ECIES.seal(plaintext, to: recipient.publicKey))
        }
    }
    Benchmark("ECIES open 300 B") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! ECIES.open(sealed, with: recipient))
        }
    }
}
