import HeraldCrypto
import Testing
@testable import Membership

@Suite("Enode URLs in announcements")
struct EnodeURLTests {
    static let key = Hex.encode(Fixtures.key(1).publicKey.rawRepresentation)

    @Test("the fast path gives what Enode(parsing:) gives", arguments: [
        "10.0.0.1:30303", "255.255.255.255:1", "0.0.0.0:65535", "192.168.1.20:30310",
    ])
    func fastPathAgrees(address: String) throws {
        let url = "enode://\(Self.key)@\(address)"
        let fast = try #require(EnodeURL.canonicalIPv4(url))
        #expect(fast == (try Enode(parsing: url)))
        #expect(fast.description == url)
    }

    @Test("other spellings fall back to the general parser", arguments: [
        "010.0.0.1:30303", "10.0.0.1:030303", "256.0.0.1:30303", "10.0.0.1:30303?discport=30301",
        "[::1]:30303", "node.example:30303", "10.0.0.1:70000", "10.0.0:30303",
    ])
    func fallsBack(address: String) {
        #expect(EnodeURL.canonicalIPv4("enode://\(Self.key)@\(address)") == nil)
    }

    @Test("uppercase hex and a bad key fall back; the general parser then decides")
    func fallbackDecides() throws {
        #expect(EnodeURL.canonicalIPv4("enode://\(Self.key.uppercased())@10.0.0.1:30303") == nil)
        #expect(try EnodeURL.parse("enode://\(Self.key.uppercased())@10.0.0.1:30303").nodeID == Fixtures.node(1))
        #expect(try EnodeURL.parse("enode://\(Self.key)@[::1]:30303").host == .ipv6("::1"))
        #expect(throws: AnnouncementError.self) { try EnodeURL.parse("enode://\(String(repeating: "0", count: 128))@10.0.0.1:30303") }
        #expect(throws: AnnouncementError.self) { try EnodeURL.parse("enode://\(Self.key)") }
    }
}
