import HeraldCrypto
import RLPx
import TestSupport
import Testing

@Suite("p2p base protocol messages")
struct BaseProtocolTests {
    @Test("Hello vectors decode (EIP-8 extras, old ethereumj v2)", arguments: ["hello_eip8_forward_compat", "hello_ethereumj_sample"])
    func helloDecode(name: String) throws {
        let v = try Vectors.section("base_protocol", name)
        let expect = try v.dict("expect")
        let hello = try Hello(decoding: try v.bytes("payload"))
        #expect(hello.protocolVersion == UInt64(try expect.int("protocol_version")))
        #expect(hello.clientID == (try expect.string("client_id")))
        #expect(hello.capabilities.count == (try expect.int("capabilities_count")))
        #expect(hello.listenPort == UInt64(try expect.int("listen_port")))
        #expect(hello.nodeID == (try expect.bytes("node_id")))
    }

    @Test("Hello encodes like Nethermind's serializer")
    func helloEncode() throws {
        let v = try Vectors.section("base_protocol", "hello_nethermind_roundtrip")
        let input = try v.dict("input")
        let caps = try #require(input["capabilities"] as? [[Any]]).map {
            Capability(name: $0[0] as! String, version: UInt64($0[1] as! Int))
        }
        let hello = Hello(protocolVersion: UInt64(try input.int("protocol_version")), clientID: try input.string("client_id"),
                          capabilities: caps, listenPort: UInt64(try input.int("listen_port")), nodeID: try input.bytes("node_id"))
        #expect(hello.encoded() == (try v.bytes("payload")))
        #expect(try Hello(decoding: hello.encoded()) == hello)
    }

    @Test("Disconnect vectors: list form and bare byte")
    func disconnect() throws {
        let cases = try Vectors.section("base_protocol").list("disconnect")
        #expect(cases.count == 2)
        for v in cases {
            let reason = DisconnectReason(rawValue: UInt8(try v.int("reason")))
            #expect(BaseProtocol.decodeDisconnect(try v.bytes("payload")) == reason)
        }
        #expect(BaseProtocol.encodeDisconnect(.alreadyConnected) == [0xc1, 0x05])
        #expect(BaseProtocol.encodeDisconnect(.requested) == [0xc1, 0x80])
        #expect(BaseProtocol.decodeDisconnect([0xc1, 0x80]) == .requested)
        #expect(BaseProtocol.decodeDisconnect([0xc0]) == .invalid)
        #expect(BaseProtocol.decodeDisconnect([]) == .invalid)
        #expect(BaseProtocol.decodeDisconnect([0x82, 0x01, 0x00]) == .invalid)
        #expect(BaseProtocol.decodeDisconnect([0x42]) == DisconnectReason(rawValue: 0x42))
        #expect(DisconnectReason.uselessPeer.description == "useless peer")
        #expect(DisconnectReason(rawValue: 0x42).description == "unknown disconnect reason 66")
    }

    @Test("Ping is the empty list")
    func ping() throws {
        let v = try Vectors.section("base_protocol", "ping")
        #expect(BaseProtocol.emptyListPayload.first == (try v.bytes("payload_first_byte")).first)
    }

    @Test("Hello decoding refuses malformed payloads")
    func helloMalformed() {
        #expect(throws: (any Error).self) { _ = try Hello(decoding: [0xc0]) }
        #expect(throws: (any Error).self) { _ = try Hello(decoding: [0x80]) }
        #expect(throws: (any Error).self) { _ = try Hello(decoding: [0xc3, 0x05, 0x80, 0x80]) }
    }
}
