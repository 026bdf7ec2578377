import HeraldCrypto
import Testing
import TestSupport

@Suite("SHA256")
struct SHA256Tests {
    @Test("aleth interop sha256")
    func aleth() {
        for vector in RLPxVectors.shared.ecies.aleth_interop_primitives.sha256 {
            #expect(hexString(SHA256.hash(hexBytes(vector.input))) == vector.output)
        }
    }

    @Test("FIPS 180-2 example \"abc\" and a two-block message")
    func fips() {
        #expect(hexString(SHA256.hash(Array("abc".utf8)))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hexString(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Non-contiguous input takes the copying path.
        #expect(SHA256.hash(Array("abc".utf8).lazy.map { $0 }) == SHA256.hash(Array("abc".utf8)))
    }
}
