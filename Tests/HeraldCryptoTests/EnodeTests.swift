import Foundation
import HeraldCrypto
import TestSupport
import Testing

@Suite("enode URLs")
struct EnodeTests {
    /// Every case of `enode_urls` (go-ethereum urlv4_test.go): errors by
    /// substring, successes by field and by round trip.
    @Test("enode_urls vectors", arguments: 0..<15)
    func vector(index: Int) throws {
        let cases = try TestVectors.section(of: "rlpx-eip8-vectors.json", "enode_urls").list("cases")
        #expect(cases.count == 15)
        let vector = cases[index]
        let input = try vector.string("input")
        if let fragment = vector["want_error_contains"] as? String {
            #expect {
                _ = try Enode(parsing: input)
            } throws: { error in
                String(describing: error).contains(fragment)
            }
            return
        }
        let want = try vector.dict("want")
        let node = try Enode(parsing: input)
        #expect(Hex.encode(node.publicKey.rawRepresentation) == (try want.string("pubkey")))
        #expect(Int(node.tcpPort) == (try want.int("tcp")))
        #expect(Int(node.udpPort) == (try want.int("udp")))
        switch node.host {
        case .ipv4(let ip), .ipv6(let ip):
            #expect(ip == want["ip"] as? String)
        case .dnsName(let name):
            #expect(want["ip"] is NSNull)
            #expect(name == want["hostname"] as? String)
        case nil:
            #expect(want["ip"] is NSNull)
            #expect(want["hostname"] == nil)
        }
        // TestNodeString: printing a parsed URL gives the input back.
        #expect(node.description == input)
    }

    @Test("IPv4-mapped IPv6 is an IPv4 node; discport printed only when it differs")
    func formatting() throws {
        let key = Secp256k1.PrivateKey().publicKey
        let hex = Hex.encode(key.rawRepresentation)
        let mapped = try Enode(parsing: "enode://\(hex)@[::ffff:10.0.0.1]:30303")
        #expect(mapped.host == .ipv4("10.0.0.1"))
        #expect(mapped.description == "enode://\(hex)@10.0.0.1:30303")
        let node = Enode(publicKey: key, host: .ipv6("::1"), tcpPort: 30303, udpPort: 30301)
        #expect(node.description == "enode://\(hex)@[::1]:30303?discport=30301")
        #expect(try Enode(parsing: node.description) == node)
        #expect(node.nodeID == key.nodeID)
    }

    @Test("refusals name the problem")
    func refusals() {
        let hex = Hex.encode(Secp256k1.PrivateKey().publicKey.rawRepresentation)
        let bad: [(String, EnodeError)] = [
            ("enode://\(hex)@127.0.0.1:65536", .invalidPort),
            ("enode://\(hex)@127.0.0.1", .invalidPort),
            ("enode://\(hex)@127.0.0.1:-1", .invalidPort),
            ("enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjz", .enrNotSupported),
            ("enode://\(String(repeating: "0", count: 128))@127.0.0.1:1", .invalidPublicKey("not a point on secp256k1")),
            ("enode://\(hex)@bad host:1", .invalidHost("bad host")),
        ]
        for (input, expected) in bad {
            #expect(throws: expected, "\(input)") { _ = try Enode(parsing: input) }
        }
    }

    /// `Enode(parsing:)` reads the canonical IPv4 form byte by byte (the
    /// membership audit parses one URL per logged join); the result must be
    /// exactly what the general parser builds.
    @Test("the canonical-form fast path agrees with the general parser", arguments: [
        ("10.0.0.1", UInt16(30303)), ("255.255.255.255", 1), ("0.0.0.0", 65535), ("192.168.1.20", 30310),
    ])
    func fastPathAgrees(ip: String, port: UInt16) throws {
        let key = Secp256k1.PrivateKey().publicKey
        let url = "enode://\(Hex.encode(key.rawRepresentation))@\(ip):\(port)"
        let fast = try #require(Enode.parseCanonicalIPv4(url))
        #expect(fast == Enode(publicKey: key, host: .ipv4(ip), tcpPort: port))
        #expect(fast.description == url)
    }

    @Test("other spellings are left to the general parser", arguments: [
        "010.0.0.1:30303", "10.0.0.1:030303", "256.0.0.1:30303", "10.0.0.1:30303?discport=30301",
        "[::1]:30303", "node.example:30303", "10.0.0.1:70000", "10.0.0:30303",
    ])
    func fastPathDeclines(address: String) {
        let hex = Hex.encode(Secp256k1.PrivateKey().publicKey.rawRepresentation)
        #expect(Enode.parseCanonicalIPv4("enode://\(hex)@\(address)") == nil)
        #expect(Enode.parseCanonicalIPv4("enode://\(hex.uppercased())@10.0.0.1:30303") == nil)
    }
}
