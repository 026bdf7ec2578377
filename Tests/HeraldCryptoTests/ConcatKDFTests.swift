import HeraldCrypto
import Testing
import TestSupport

@Suite("ConcatKDF")
struct ConcatKDFTests {
    static let geth = RLPxVectors.shared.ecies.geth_concat_kdf

    @Test("geth TestKDF (z = \"input\", counter from 1)", arguments: geth.cases.map(\.length))
    func gethKDF(length: Int) throws {
        let vector = try #require(Self.geth.cases.first { $0.length == length })
        let output = ConcatKDF.deriveKey(sharedSecret: Array(Self.geth.z_ascii.utf8), byteCount: length)
        #expect(hexString(output) == vector.output)
    }

    @Test("whisper ecies_concat_kdf_sha256 vectors", arguments: WhisperVectors.category("ecies_concat_kdf_sha256"))
    func whisperKDF(vector: WhisperVectors.Vector) throws {
        let output = ConcatKDF.deriveKey(
            sharedSecret: hexBytes(try #require(vector.input.z)), sharedInfo: hexBytes(vector.input.s1 ?? ""),
            byteCount: try #require(vector.input.length))
        #expect(hexString(output) == vector.expected.output)
    }

    @Test("aleth interop kdf")
    func alethKDF() {
        for vector in RLPxVectors.shared.ecies.aleth_interop_primitives.kdf {
            let output = ConcatKDF.deriveKey(sharedSecret: hexBytes(vector.z), byteCount: vector.length)
            #expect(hexString(output) == vector.output)
        }
    }

    @Test("shared info is hashed after z, and lengths are exact")
    func sharedInfoAndLength() {
        let z: [UInt8] = Array(0..<32)
        let s1: [UInt8] = [9, 9, 9]
        #expect(ConcatKDF.deriveKey(sharedSecret: z, sharedInfo: s1, byteCount: 32) == SHA256.hash([0, 0, 0, 1] + z + s1))
        #expect(ConcatKDF.deriveKey(sharedSecret: z, byteCount: 0) == [])
        #expect(ConcatKDF.deriveKey(sharedSecret: z, byteCount: 33).count == 33)
        #expect(ConcatKDF.deriveKey(sharedSecret: z, byteCount: 64)[32...] == SHA256.hash([0, 0, 0, 2] + z)[...])
    }
}
