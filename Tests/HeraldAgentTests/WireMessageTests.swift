import HeraldCrypto
@testable import HeraldAgent
import Membership
import RLP
import Testing

/// The agents' wire format: every case round-trips, and malformed or
/// oversized input is refused with an error, never a crash.
@Suite("wire messages")
struct WireMessageTests {
    static let ids = (0..<40).map { AnnouncementID(of: [UInt8(truncatingIfNeeded: $0), 1, 2]) }
    static let node = AgentFixtures.key(1).publicKey.nodeID

    static func rlp(_ body: (inout RLPWriter) -> Void) -> [UInt8] {
        var writer = RLPWriter()
        writer.writeList(body)
        return writer.bytes
    }

    static var samples: [WireMessage] {
        let index = IDIndex(ids)
        let prefix = IDPrefix(nibbles: [IDKey(ids[0]).nibble(0)])!
        return [
            .announcement([1, 2, 3]),
            .announcement([1, 2, 3], reached: [node, AgentFixtures.key(2).publicKey.nodeID]),
            .ack([9, 9]),
            .reconcile([RangeReconciliation.rootSummary(of: index)]),
            .reconcile([.ids(prefix, index.ids(in: prefix)), .ids(.root, []), .fingerprints(prefix, index.childFingerprints(of: prefix))]),
            .entries([.init(encoded: [1], receivedAt: 0), .init(encoded: [2, 3], receivedAt: 1_700_000_000)]),
            .entries([.init(encoded: [4], receivedAt: 7, witnesses: [[5, 6], [7]]), .init(encoded: [8], receivedAt: 9)]),
            .want(Array(ids.prefix(3))),
            .want([]),
            .clusterQuery(nonce: [UInt8](repeating: 0x5a, count: 16)),
            .clusterReply(reply),
        ]
    }

    static let reply = WireMessage.ClusterReply(
        nonce: Array(0..<16), digest: [UInt8](repeating: 0xd1, count: 32), logEntries: 42,
        logHead: [UInt8](repeating: 0xae, count: 32), members: 3, policyHash: [UInt8](repeating: 0x9c, count: 32))

    @Test("every message round-trips", arguments: WireMessageTests.samples)
    func roundTrip(message: WireMessage) throws {
        #expect(try WireMessage(decoding: message.encoded()) == message)
    }

    @Test("an entry without witnesses keeps the original encoding")
    func entryEncoding() throws {
        let plain = Self.rlp { message in
            message.write(UInt8(4))
            message.writeList { $0.writeList { $0.write(bytes: [7]); $0.write(UInt64(3)) } }
        }
        #expect(WireMessage.entries([.init(encoded: [7], receivedAt: 3)]).encoded() == plain)
    }

    @Test("an announcement without a reached list keeps the original encoding")
    func announcementEncoding() throws {
        let plain = Self.rlp { $0.write(UInt8(1)); $0.write(bytes: [7, 7]) }
        #expect(WireMessage.announcement([7, 7]).encoded() == plain)
        #expect(try WireMessage(decoding: plain) == .announcement([7, 7], reached: []))
    }

    static func part(kind: UInt8, count: UInt8, packed: [UInt8], _ items: @escaping (inout RLPWriter) -> Void) -> [UInt8] {
        rlp { message in
            message.write(UInt8(3))
            message.writeList { parts in
                parts.writeList { part in
                    part.write(kind); part.write(count); part.write(bytes: packed)
                    part.writeList(items)
                }
            }
        }
    }

    static func children(_ n: Int) -> (inout RLPWriter) -> Void {
        { list in for _ in 0..<n { list.writeList { $0.write(UInt64(1)); $0.write(bytes: [UInt8](repeating: 0, count: 32)) } } }
    }

    static func idList(_ keys: [IDKey]) -> (inout RLPWriter) -> Void {
        { list in for key in keys { list.write(bytes: key.bytes) } }
    }

    static var malformed: [(String, [UInt8])] {
        let sorted = ids.map(IDKey.init).sorted()
        let first = sorted[0].nibble(0)
        let inside = sorted.filter { $0.nibble(0) == first }
        return [
            ("not a list", [0x01]),
            ("unknown type", rlp { $0.write(UInt8(99)); $0.write(bytes: [1]) }),
            ("trailing bytes", WireMessage.ack([1]).encoded() + [0x80]),
            ("15 children", part(kind: 0, count: 0, packed: [], children(15))),
            ("17 children", part(kind: 0, count: 0, packed: [], children(17))),
            ("fingerprints of a 64-nibble prefix", part(kind: 0, count: 64, packed: [UInt8](repeating: 0, count: 32), children(16))),
            ("65-nibble prefix", part(kind: 1, count: 65, packed: [UInt8](repeating: 0, count: 33), idList([]))),
            ("nonzero pad nibble", part(kind: 1, count: 1, packed: [0x01], idList([]))),
            ("nibble count and bytes disagree", part(kind: 1, count: 4, packed: [0x12], idList([]))),
            ("unknown part kind", part(kind: 2, count: 0, packed: [], idList([]))),
            ("IDs out of order", part(kind: 1, count: 0, packed: [], idList([sorted[1], sorted[0]]))),
            ("duplicate IDs", part(kind: 1, count: 0, packed: [], idList([sorted[0], sorted[0]]))),
            ("ID outside its range", part(kind: 1, count: 1, packed: [first << 4], idList([sorted.first { $0.nibble(0) != first }!]))),
            ("33 IDs in a range", part(kind: 1, count: 0, packed: [], idList(Array(sorted.prefix(33))))),
            ("short ID", part(kind: 1, count: 1, packed: [first << 4], { $0.write(bytes: inside[0].bytes.dropLast()) })),
            ("17 parts", rlp { message in
                message.write(UInt8(3))
                message.writeList { parts in
                    for _ in 0..<17 { parts.writeList { $0.write(UInt8(1)); $0.write(UInt8(0)); $0.write(bytes: []); $0.writeList { _ in } } }
                }
            }),
            ("1025 wanted IDs", rlp { message in
                message.write(UInt8(5))
                message.writeList { list in for _ in 0..<1025 { list.write(bytes: sorted[0].bytes) } }
            }),
            ("257 reached nodes", rlp { message in
                message.write(UInt8(1)); message.write(bytes: [1])
                message.writeList { list in for _ in 0..<257 { list.write(bytes: node.rawRepresentation) } }
            }),
            ("short reached node", rlp { message in
                message.write(UInt8(1)); message.write(bytes: [1])
                message.writeList { $0.write(bytes: [1, 2, 3]) }
            }),
            ("1025 entries", rlp { message in
                message.write(UInt8(4))
                message.writeList { list in for _ in 0..<1025 { list.writeList { $0.write(bytes: [1]); $0.write(UInt64(0)) } } }
            }),
            ("9 witnesses on an entry", rlp { message in
                message.write(UInt8(4))
                message.writeList { list in
                    list.writeList { entry in
                        entry.write(bytes: [1]); entry.write(UInt64(0))
                        entry.writeList { acks in for _ in 0..<9 { acks.write(bytes: [2]) } }
                    }
                }
            }),
            ("an entry with a fourth item", rlp { message in
                message.write(UInt8(4))
                message.writeList { $0.writeList { $0.write(bytes: [1]); $0.write(UInt64(0)); $0.writeList { _ in }; $0.write(UInt8(1)) } }
            }),
            ("nested too deep", rlp { message in
                message.write(UInt8(3))
                message.writeList { $0.writeList { $0.writeList { $0.writeList { $0.writeList { $0.writeList { _ in } } } } } }
            }),
        ]
    }

    @Test("malformed input is refused", arguments: WireMessageTests.malformed)
    func refused(_ name: String, bytes: [UInt8]) {
        #expect(throws: WireMessageError.self, "\(name)") { try WireMessage(decoding: bytes) }
    }

    @Test("every truncation of a valid message is refused")
    func truncations() {
        for message in Self.samples {
            let bytes = message.encoded()
            for length in 0..<bytes.count {
                #expect(throws: WireMessageError.self) { try WireMessage(decoding: bytes.prefix(length)) }
            }
        }
    }

    @Test("the ID list at the bound (32) is accepted")
    func boundary() throws {
        let sorted = Self.ids.map(IDKey.init).sorted()
        let bytes = Self.part(kind: 1, count: 0, packed: [], Self.idList(Array(sorted.prefix(32))))
        guard case .reconcile(let parts) = try WireMessage(decoding: bytes), case .ids(_, let ids) = parts.first else {
            Issue.record("not decoded as an ID list"); return
        }
        #expect(ids.count == 32)
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
    func malformedCluster(_ name: String, _ bytes: [UInt8]) {
        #expect(throws: WireMessageError.self, "\(name)") { try WireMessage(decoding: bytes) }
    }
}
