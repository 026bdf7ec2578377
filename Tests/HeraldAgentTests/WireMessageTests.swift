import Foundation
@testable import HeraldAgent
import RLP
import Testing

@Suite("wire messages")
struct WireMessageTests {
    static let reply = WireMessage.ClusterReply(
        nonce: Array(0..<16), digest: [UInt8](repeating: 0xd1, count: 32), logEntries: 42,
        logHead: [UInt8](repeating: 0xae, count: 32), members: 3, policyHash: [UInt8](repeating: 0x9c, count: 32))

    @Test("every message decodes to itself", arguments: [
        WireMessage.announcement([1, 2, 3]),
        .ack([4, 5]),
        .summary(count: 7, setHash: [UInt8](repeating: 7, count: 32)),
        .entries([.init(encoded: [9, 9], receivedAt: 1_750_000_000)]),
        .clusterQuery(nonce: [UInt8](repeating: 0x5a, count: 16)),
        .clusterReply(reply),
    ])
    func roundTrip(_ message: WireMessage) throws {
        #expect(try WireMessage(decoding: message.encoded()) == message)
    }

    @Test("cluster queries and replies use types 10 and 11")
    func typeNumbers() throws {
        #expect(WireMessage.clusterQuery(nonce: [UInt8](repeating: 0, count: 16)).encoded()[1] == 10)
        #expect(WireMessage.clusterReply(Self.reply).encoded()[2] == 11)   // a long list: two header bytes
    }

    /// `[type, fields...]` as given, for malformed input.
    static func list(_ type: UInt8, _ body: (inout RLPWriter) -> Void) -> [UInt8] {
        var writer = RLPWriter(reservingCapacity: 256)
        writer.writeList { list in
            list.write(type)
            body(&list)
        }
        return writer.bytes
    }

    static func replyFields(nonce: Int = 16, digest: Int = 32, dropLast: Bool = false, extra: Bool = false) -> [UInt8] {
        list(11) { list in
            list.write(bytes: [UInt8](repeating: 1, count: nonce))
            list.write(bytes: [UInt8](repeating: 2, count: digest))
            list.write(UInt64(5))
            list.write(bytes: [UInt8](repeating: 3, count: 32))
            list.write(UInt64(2))
            if !dropLast { list.write(bytes: [UInt8](repeating: 4, count: 32)) }
            if extra { list.write(UInt8(1)) }
        }
    }

    @Test("malformed cluster messages are refused", arguments: [
        ("short nonce", list(10) { $0.write(bytes: [UInt8](repeating: 1, count: 15)) }),
        ("long nonce", list(10) { $0.write(bytes: [UInt8](repeating: 1, count: 17)) }),
        ("query without nonce", list(10) { _ in }),
        ("reply with a short nonce", replyFields(nonce: 8)),
        ("reply with a 31-byte digest", replyFields(digest: 31)),
        ("reply without its policy hash", replyFields(dropLast: true)),
        ("reply with an extra field", replyFields(extra: true)),
        ("unknown type 12", list(12) { $0.write(bytes: [UInt8](repeating: 1, count: 16)) }),
        ("trailing bytes", WireMessage.clusterQuery(nonce: [UInt8](repeating: 1, count: 16)).encoded() + [0x80]),
        ("truncated reply", Array(WireMessage.clusterReply(reply).encoded().dropLast(3))),
    ])
    func malformed(_ name: String, _ bytes: [UInt8]) {
        #expect(throws: RLPError.self, "\(name)") { try WireMessage(decoding: bytes) }
    }
}
