import TestSupport
import Testing
@testable import Whisper
import HeraldCrypto

@Suite struct SymmetricKeyTests {
    /// Spec §9.3 check value (computed with Python `hashlib.pbkdf2_hmac`,
    /// not a vector): PBKDF2-HMAC-SHA256("test", empty salt, 65356, 32).
    @Test func passwordDerivationAsGeth() {
        let key = SymmetricKey(password: "test")
        #expect(key.rawRepresentation == hexBytes("a82a520aff70f7a989098376e48ec128f25f767085e84d7fb995a9815eebff0a"))
    }

    /// RFC 7914 §11 PBKDF2-HMAC-SHA256 test vector (P = "passwd", S = "salt", c = 1, 64 bytes).
    @Test func pbkdf2KnownAnswer() {
        let derived = PBKDF2.sha256(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1, byteCount: 64)
        #expect(hexString(derived) == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
    }

    /// RFC 7914 §11, second PBKDF2-HMAC-SHA256 vector (P = "Password", S = "NaCl", c = 80000, 64 bytes).
    @Test func pbkdf2ManyIterationsKnownAnswer() {
        let derived = PBKDF2.sha256(password: Array("Password".utf8), salt: Array("NaCl".utf8), iterations: 80000, byteCount: 64)
        #expect(hexString(derived) == "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d")
    }

    @Test func rawKeysMustBe32NonZeroBytes() throws {
        #expect(throws: SymmetricKeyError.wrongLength(actual: 31)) { try SymmetricKey(rawRepresentation: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: SymmetricKeyError.wrongLength(actual: 33)) { try SymmetricKey(rawRepresentation: [UInt8](repeating: 1, count: 33)) }
        #expect(throws: SymmetricKeyError.allZero) { try SymmetricKey(rawRepresentation: [UInt8](repeating: 0, count: 32)) }
        let key = try SymmetricKey(rawRepresentation: Array(1...32))
        #expect(key == (try SymmetricKey(rawRepresentation: Array(1...32))))
        #expect(key != SymmetricKey())
    }

    @Test func descriptionHidesTheKey() throws {
        let key = try SymmetricKey(rawRepresentation: Array(1...32))
        #expect(!key.description.contains(hexString(key.rawRepresentation.prefix(4))))
        #expect(key.description.hasPrefix("SymmetricKey(id "))
    }
}
