import RLPx
import TestSupport
import Testing

@Suite("capability matching")
struct CapabilityTableTests {
    /// `capability_matching` (geth TestMatchProtocols); offsets relative to 0x10.
    @Test("geth TestMatchProtocols cases", arguments: 0..<10)
    func vector(index: Int) throws {
        let cases = try Vectors.section("capability_matching").list("cases")
        #expect(cases.count == 10)
        let v = cases[index]
        let remote = try v.list("remote").map { Capability(name: try $0.string("name"), version: UInt64(try $0.int("version"))) }
        let local = try v.list("local").map {
            LocalProtocol(capability: Capability(name: try $0.string("name"), version: UInt64(try $0.int("version"))),
                          messageIDCount: UInt64(try $0.int("length")))
        }
        let table = CapabilityTable(local: local, remote: remote)
        let expected = try v.dict("match")
        #expect(table.shared.count == expected.count, "\(v["comment"] ?? "")")
        for (name, value) in expected {
            let want = try #require(value as? [String: Any])
            let got = try #require(table.capability(named: name))
            #expect(got.capability.version == UInt64(try want.int("version")))
            #expect(got.offset - BaseProtocol.messageIDCount == UInt64(try want.int("offset")))
        }
    }

    @Test("wire ids route to (capability, local id) and back")
    func routing() {
        let local = [LocalProtocol(capability: Capability(name: "shh", version: 6), messageIDCount: 128),
                     LocalProtocol(capability: Capability(name: "abc", version: 1), messageIDCount: 4)]
        let remote = [Capability(name: "shh", version: 6), Capability(name: "abc", version: 1), Capability(name: "eth", version: 68)]
        let table = CapabilityTable(local: local, remote: remote)
        #expect(table.shared.map(\.capability.name) == ["abc", "shh"])
        #expect(table.wireID(capability: "abc", localID: 3) == 0x13)
        #expect(table.wireID(capability: "abc", localID: 4) == nil)
        #expect(table.wireID(capability: "shh", localID: 0) == 0x14)
        #expect(table.route(wireID: 0x14)?.capability.capability.name == "shh")
        #expect(table.route(wireID: 0x14 + 127)?.localID == 127)
        #expect(table.route(wireID: 0x14 + 128) == nil)
        #expect(table.route(wireID: 0x0f) == nil)
    }
}
