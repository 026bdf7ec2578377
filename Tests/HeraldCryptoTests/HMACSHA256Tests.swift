import HeraldCrypto
import Testing
import TestSupport

@Suite("HMACSHA256")
struct HMACSHA256Tests {
    @Test("aleth interop hmac_sha256")
    func aleth() {
        for vector in RLPxVectors.shared.ecies.aleth_interop_primitives.hmac_sha256 {
            let tag = HMACSHA256.authenticationCode(for: hexBytes(vector.input), key: hexBytes(vector.key))
            #expect(hexString(tag) == vector.output)
        }
    }

    @Test("RFC 4231 test cases 1 and 6 (long key)")
    func rfc4231() {
        let tag1 = HMACSHA256.authenticationCode(for: Array("Hi There".utf8), key: [UInt8](repeating: 0x0b, count: 20))
        #expect(hexString(tag1) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        let tag6 = HMACSHA256.authenticationCode(
            for: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            key: [UInt8](repeating: 0xaa, count: 131))
        #expect(hexString(tag6) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test("empty key and message")
    func empty() {
        // Python: hmac.new(b"", b"", hashlib.sha256).hexdigest()
        #expect(hexString(HMACSHA256.authenticationCode(for: [UInt8](), key: [UInt8]()))
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }
}
