import HeraldCrypto
import Testing
import TestSupport

@Suite("NodeID")
struct NodeIDTests {
    static let enr = RLPxVectors.shared.node_identity.enr_example

    @Test("node ID of the ENR example key is keccak256(X‖Y)")
    func enrNodeID() throws {
        let publicKey = try Secp256k1.PrivateKey(rawRepresentation: hexBytes(Self.enr.private_key)).publicKey
        let id = NodeID(publicKey: publicKey)
        #expect(id.hex == Self.enr.node_id)
        #expect(id.rawRepresentation == Keccak256.hash(publicKey.rawRepresentation).bytes)
        #expect(id == publicKey.nodeID)
        #expect(try NodeID(rawRepresentation: hexBytes(Self.enr.node_id)) == id)
    }

    @Test("description is the short form")
    func shortForm() throws {
        let id = try NodeID(rawRepresentation: hexBytes(Self.enr.node_id))
        #expect(id.description == "a448…f7")
        #expect("\(id)" == "a448…f7")
    }

    @Test("wrong length is rejected")
    func wrongLength() {
        #expect(throws: Secp256k1.KeyError.wrongLength(expected: 32, actual: 31)) {
            try NodeID(rawRepresentation: [UInt8](repeating: 0, count: 31))
        }
    }

    @Test("ordering is byte-wise")
    func ordering() throws {
        let low = try NodeID(rawRepresentation: [0x00] + [UInt8](repeating: 0xff, count: 31))
        let high = try NodeID(rawRepresentation: [0x01] + [UInt8](repeating: 0x00, count: 31))
        let last = try NodeID(rawRepresentation: [0x01] + [UInt8](repeating: 0x00, count: 30) + [1])
        #expect(low < high && high < last)
        #expect([last, low, high].sorted() == [low, high, last])
    }
}
