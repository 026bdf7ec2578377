import HeraldCrypto
import Testing
import TestSupport

@Suite("AES.GCM")
struct GCMTests {
    /// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test
    /// case 16 (256-bit key, 96-bit IV, 20 bytes of AAD, 60-byte plaintext);
    /// cross-checked with python `cryptography` (AESGCM).
    static let key = hexBytes("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
    static let nonce = hexBytes("cafebabefacedbaddecaf888")
    static let aad = hexBytes("feedfacedeadbeeffeedfacedeadbeefabaddad2")
    static let plaintext = hexBytes(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
    static let ciphertext = hexBytes(
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
            + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662")
    static let tag = hexBytes("76fc6ece0f4e1768cddf8853bb2d551b")

    @Test("GCM spec test case 16")
    func knownAnswer() throws {
        let sealed = try AES.GCM.seal(Self.plaintext, key: Self.key, nonce: Self.nonce, authenticating: Self.aad)
        #expect(sealed == Self.ciphertext + Self.tag)
        #expect(try AES.GCM.open(sealed, key: Self.key, nonce: Self.nonce, authenticating: Self.aad) == Self.plaintext)
    }

    @Test("GCM spec test case 13 (zero key, empty input): tag only")
    func emptyInput() throws {
        let sealed = try AES.GCM.seal([UInt8](), key: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 12))
        #expect(hexString(sealed) == "530f8afbc74536b9a963b4f1c4cb738b")
        #expect(try AES.GCM.open(sealed, key: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 12)) == [])
    }

    @Test("round trip for random sizes")
    func roundTrip() throws {
        var generator = SeededGenerator(seed: 0x6C3)
        for length in [0, 1, 15, 16, 17, 255, 1024] {
            let key = generator.bytes(32), nonce = generator.bytes(12), aad = generator.bytes(length % 40)
            let message = generator.bytes(length)
            let sealed = try AES.GCM.seal(message, key: key, nonce: nonce, authenticating: aad)
            #expect(sealed.count == length + AES.GCM.tagByteCount)
            #expect(try AES.GCM.open(sealed, key: key, nonce: nonce, authenticating: aad) == message)
        }
    }

    @Test("tampered tag, ciphertext, aad, nonce or key fail authentication")
    func tampering() throws {
        let sealed = Self.ciphertext + Self.tag
        for offset in [0, 30, 59, 60, 75] {
            var bad = sealed
            bad[offset] ^= 0x01
            #expect(throws: AES.Error.authenticationFailure) {
                try AES.GCM.open(bad, key: Self.key, nonce: Self.nonce, authenticating: Self.aad)
            }
        }
        var badAAD = Self.aad
        badAAD[0] ^= 1
        #expect(throws: AES.Error.authenticationFailure) {
            try AES.GCM.open(sealed, key: Self.key, nonce: Self.nonce, authenticating: badAAD)
        }
        #expect(throws: AES.Error.authenticationFailure) {
            try AES.GCM.open(sealed, key: Self.key, nonce: Self.nonce)
        }
        var badNonce = Self.nonce
        badNonce[11] ^= 1
        #expect(throws: AES.Error.authenticationFailure) {
            try AES.GCM.open(sealed, key: Self.key, nonce: badNonce, authenticating: Self.aad)
        }
        var badKey = Self.key
        badKey[0] ^= 1
        #expect(throws: AES.Error.authenticationFailure) {
            try AES.GCM.open(sealed, key: badKey, nonce: Self.nonce, authenticating: Self.aad)
        }
        // Truncated to less than a tag.
        #expect(throws: AES.Error.inputTooShort(15)) {
            try AES.GCM.open(Self.tag.dropLast(), key: Self.key, nonce: Self.nonce)
        }
    }

    @Test("wrong key and nonce lengths are rejected")
    func lengths() {
        #expect(throws: AES.Error.wrongKeyLength(16)) {
            try AES.GCM.seal([1], key: [UInt8](repeating: 0, count: 16), nonce: [UInt8](repeating: 0, count: 12))
        }
        #expect(throws: AES.Error.wrongNonceLength(16)) {
            try AES.GCM.seal([1], key: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 16))
        }
        #expect(throws: AES.Error.wrongNonceLength(0)) {
            try AES.GCM.open([UInt8](repeating: 0, count: 16), key: [UInt8](repeating: 0, count: 32), nonce: [UInt8]())
        }
    }
}
