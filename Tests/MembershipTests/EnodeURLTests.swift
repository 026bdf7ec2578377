import HeraldCrypto
import Testing
@testable import Membership

@Suite("Enode URLs in announcements")
struct EnodeURLTests {
    static let key = Hex.encode(Fixtures.key(1).publicKey.rawRepresentation)

    @Test("any spelling geth accepts parses; identity-only and bad keys are refused")
    func parsing() throws {
        #expect(try EnodeURL.parse("enode://\(Self.key.uppercased())@10.0.0.1:30303").nodeID == Fixtures.node(1))
        #expect(try EnodeURL.parse("enode://\(Self.key)@[::1]:30303").host == .ipv6("::1"))
        #expect(throws: AnnouncementError.self) { try EnodeURL.parse("enode://\(String(repeating: "0", count: 128))@10.0.0.1:30303") }
        #expect(throws: AnnouncementError.self) { try EnodeURL.parse("enode://\(Self.key)") }
    }
}
