import HeraldCrypto
import Testing

@Suite("Hex")
struct HexTests {
    @Test("encode is lowercase without prefix")
    func encode() {
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(Hex.encode(Array(0...255)).count == 512)
    }

    @Test("decode accepts 0x/0X and either case", arguments: ["000fa0ff", "0x000FA0FF", "0X000fA0fF"])
    func decode(text: String) throws {
        #expect(try Hex.decode(text) == [0x00, 0x0f, 0xa0, 0xff])
        #expect(try Hex.decode(text[...]) == [0x00, 0x0f, 0xa0, 0xff])
    }

    @Test("empty input and bare prefix decode to nothing")
    func empty() throws {
        #expect(try Hex.decode("") == [])
        #expect(try Hex.decode("0x") == [])
    }

    @Test("round trip of all byte values")
    func roundTrip() throws {
        let bytes = [UInt8](0...255)
        #expect(try Hex.decode(Hex.encode(bytes)) == bytes)
    }

    @Test("errors")
    func errors() {
        #expect(throws: Hex.Error.oddLength(3)) { try Hex.decode("abc") }
        #expect(throws: Hex.Error.oddLength(1)) { try Hex.decode("0x1") }
        #expect(throws: Hex.Error.invalidCharacter("g", offset: 2)) { try Hex.decode("abgd") }
        #expect(throws: Hex.Error.invalidCharacter("z", offset: 4)) { try Hex.decode("0xabz") }
        #expect(throws: Hex.Error.invalidCharacter(" ", offset: 2)) { try Hex.decode("ab cd") }
        // Offsets count characters, not bytes; non-ASCII digits are not hex.
        #expect(throws: Hex.Error.invalidCharacter("é", offset: 2)) { try Hex.decode("abé0") }
        #expect(throws: Hex.Error.invalidCharacter("０", offset: 0)) { try Hex.decode("０1") }
        #expect(Hex.Error.oddLength(3).description == "hex string has an odd number of digits (3); each byte needs two")
        #expect(Hex.Error.invalidCharacter("g", offset: 2).description == "invalid hex character \"g\" at offset 2")
    }
}
