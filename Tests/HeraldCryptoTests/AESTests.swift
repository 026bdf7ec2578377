import HeraldCrypto
import Testing
import TestSupport

@Suite("AES-CTR and the single-block encryptor")
struct AESTests {
    /// NIST SP 800-38A Appendix F.5: four-block plaintext and initial counter.
    static let nistPlaintext = hexBytes(
        "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
            + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
    static let nistCounter = hexBytes("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")

    @Test("SP 800-38A F.5.1 CTR-AES128.Encrypt")
    func ctr128() throws {
        let ciphertext = try AES.CTR.apply(
            key: hexBytes("2b7e151628aed2a6abf7158809cf4f3c"), iv: Self.nistCounter, to: Self.nistPlaintext)
        #expect(hexString(ciphertext) == "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
            + "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee")
    }

    @Test("SP 800-38A F.5.5 CTR-AES256.Encrypt")
    func ctr256() throws {
        let ciphertext = try AES.CTR.apply(
            key: hexBytes("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"),
            iv: Self.nistCounter, to: Self.nistPlaintext)
        #expect(hexString(ciphertext) == "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
            + "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6")
    }

    @Test("a stream split across calls equals one-shot, and decrypts back")
    func splitCalls() throws {
        var generator = SeededGenerator(seed: 0xAE5C7)
        for keyLength in [16, 32] {
            let key = generator.bytes(keyLength)
            let iv = generator.bytes(16)
            let message = generator.bytes(1000)
            let oneShot = try AES.CTR.apply(key: key, iv: iv, to: message)
            for _ in 0..<20 {
                let stream = try AES.CTR(key: key, iv: iv)
                var output: [UInt8] = []
                var offset = 0
                while offset < message.count {
                    let step = Int.random(in: 0...min(70, message.count - offset), using: &generator)
                    var chunk = Array(message[offset..<(offset + step)])
                    if Bool.random(using: &generator) {
                        stream.apply(&chunk)
                    } else {
                        chunk.withUnsafeMutableBytes { stream.apply($0) }
                    }
                    output += chunk
                    offset += step
                }
                #expect(output == oneShot)
            }
            #expect(try AES.CTR.apply(key: key, iv: iv, to: oneShot) == message)
        }
    }

    @Test("the counter is one 128-bit big-endian integer (Go cipher.NewCTR)")
    func fullCounterIncrement() throws {
        let key = [UInt8](repeating: 0x11, count: 32)
        let block = try AES.BlockEncryptor(key: key)
        let zeros = [UInt8](repeating: 0, count: 32)
        // All ones wraps to all zeros.
        let allOnes = [UInt8](repeating: 0xff, count: 16)
        #expect(try AES.CTR.apply(key: key, iv: allOnes, to: zeros)
            == block.encrypt(block: allOnes) + block.encrypt(block: [UInt8](repeating: 0, count: 16)))
        // The carry crosses the low 32 bits (OpenSSL's ctr32 fast path must carry on).
        let low32Full = [UInt8](repeating: 0, count: 12) + [0xff, 0xff, 0xff, 0xff]
        let carried = [UInt8](repeating: 0, count: 11) + [1, 0, 0, 0, 0]
        #expect(try AES.CTR.apply(key: key, iv: low32Full, to: zeros)
            == block.encrypt(block: low32Full) + block.encrypt(block: carried))
        // …and the low 64 bits.
        let low64Full = [UInt8](repeating: 0, count: 8) + [UInt8](repeating: 0xff, count: 8)
        let carried64 = [UInt8](repeating: 0, count: 7) + [1] + [UInt8](repeating: 0, count: 8)
        #expect(try AES.CTR.apply(key: key, iv: low64Full, to: zeros)
            == block.encrypt(block: low64Full) + block.encrypt(block: carried64))
    }

    @Test("FIPS 197 C.3 AES-256 single block")
    func blockEncryptor() throws {
        let encryptor = try AES.BlockEncryptor(key: [UInt8](0..<32))
        let plaintext = hexBytes("00112233445566778899aabbccddeeff")
        #expect(hexString(encryptor.encrypt(block: plaintext)) == "8ea2b7ca516745bfeafc49904b496089")
        // Reusable: no chaining between calls.
        #expect(hexString(encryptor.encrypt(block: plaintext)) == "8ea2b7ca516745bfeafc49904b496089")
    }

    @Test("wrong key and IV lengths are rejected")
    func lengths() {
        #expect(throws: AES.Error.wrongKeyLength(24)) {
            try AES.CTR(key: [UInt8](repeating: 0, count: 24), iv: [UInt8](repeating: 0, count: 16))
        }
        #expect(throws: AES.Error.wrongIVLength(12)) {
            try AES.CTR(key: [UInt8](repeating: 0, count: 16), iv: [UInt8](repeating: 0, count: 12))
        }
        #expect(throws: AES.Error.wrongKeyLength(16)) { try AES.BlockEncryptor(key: [UInt8](repeating: 0, count: 16)) }
        #expect(AES.Error.wrongKeyLength(24).description == "AES key has 24 bytes; AES-128 needs 16, AES-256 needs 32")
    }
}
