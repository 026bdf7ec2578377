import HeraldCrypto
@testable import HeraldAgent
import Membership
import Testing
import Whisper

/// The range math of anti-entropy as pure functions, and two in-memory
/// "agents" reconciling through encoded ``WireMessage``s until neither has
/// anything left to send.
@Suite("range reconciliation")
struct RangeReconciliationTests {
    /// A stand-in log entry: `size` bytes whose keccak256 is the ID, as for a signed announcement.
    static func entry(_ n: Int, size: Int = 300) -> [UInt8] {
        var bytes = [UInt8](repeating: UInt8(truncatingIfNeeded: n), count: size)
        withUnsafeBytes(of: UInt64(n).bigEndian) { bytes.replaceSubrange(0..<8, with: $0) }
        return bytes
    }

    static func ids(_ range: Range<Int>) -> [AnnouncementID] { range.map { AnnouncementID(of: entry($0)) } }

    @Test("a prefix packs two nibbles a byte and reads back only its canonical form")
    func prefixPacking() throws {
        let prefix = try #require(IDPrefix(nibbles: [0xa, 0x3, 0xf]))
        #expect(prefix.packed == [0xa3, 0xf0])
        #expect(IDPrefix(packed: [0xa3, 0xf0], count: 3) == prefix)
        #expect(IDPrefix(packed: [0xa3, 0xf1], count: 3) == nil)          // the pad nibble must be 0
        #expect(IDPrefix(packed: [0xa3], count: 3) == nil)                // too short for 3 nibbles
        #expect(IDPrefix(packed: [0xa3, 0xf0, 0x00], count: 3) == nil)    // too long
        #expect(IDPrefix(packed: [], count: 0) == .root)
        #expect(IDPrefix(packed: [UInt8](repeating: 0x11, count: 32), count: 64)?.count == 64)
        #expect(IDPrefix(packed: [UInt8](repeating: 0x11, count: 33), count: 65) == nil)
        #expect(IDPrefix(nibbles: [16]) == nil)
        #expect(IDPrefix(nibbles: [UInt8](repeating: 1, count: 65)) == nil)
    }

    @Test("an ID key orders like its bytes and yields its nibbles", arguments: [0, 1, 77, 1999])
    func keys(n: Int) {
        let id = AnnouncementID(of: Self.entry(n))
        let key = IDKey(id)
        #expect(key.bytes == id.rawRepresentation)
        #expect(key.id == id)
        for index in 0..<64 {
            let byte = id.rawRepresentation[index / 2]
            #expect(key.nibble(index) == (index % 2 == 0 ? byte >> 4 : byte & 0xF))
        }
        let other = AnnouncementID(of: Self.entry(n + 1))
        #expect((IDKey(id) < IDKey(other)) == (id < other))
    }

    @Test("cached and scanned fingerprints agree at every depth, and ranges hold exactly their IDs")
    func fingerprints() throws {
        let all = Self.ids(0..<3000)
        var index = IDIndex(all.prefix(2000))
        for id in all.dropFirst(2000) {
            let inserted = index.insert(id)
            #expect(inserted)
        }
        let again = index.insert(all[0])
        #expect(!again)
        #expect(index.count == 3000)
        #expect(index.keys == all.map(IDKey.init).sorted())
        let total = all.reduce(into: RangeFingerprint.empty) { $0.add(IDKey($1)) }
        #expect(index.fingerprint(of: .root) == total)

        // Walk down the prefixes of one ID: each level's children sum to the level, and match a brute-force count.
        let probe = IDKey(all[1234])
        var prefix = IDPrefix.root
        for depth in 0..<6 {
            let children = index.childFingerprints(of: prefix)
            let sum = children.reduce(into: RangeFingerprint.empty) { $0.add($1) }
            #expect(sum == index.fingerprint(of: prefix))
            for nibble in 0..<16 {
                let child = prefix.child(UInt8(nibble))
                let inside = all.map(IDKey.init).filter(child.contains)
                #expect(children[nibble].count == UInt64(inside.count))
                let expected = inside.reduce(into: RangeFingerprint.empty) { $0.add($1) }
                #expect(children[nibble] == expected)
                #expect(index.ids(in: child) == inside.sorted().map(\.id))
            }
            prefix = prefix.child(probe.nibble(depth))
        }
        #expect(index.contains(all[1234]))
        #expect(!index.contains(AnnouncementID(of: Self.entry(5000))))
    }

    /// Runs reconciliation between two indexes through encoded messages until
    /// quiet; returns both indexes and the bytes of every message sent. Each
    /// side pushes an entry to the other at most once, as an agent does on one link.
    static func reconcile(_ a: [Int], _ b: [Int]) throws -> (IDIndex, IDIndex, bytes: Int, messages: Int) {
        var entries: [AnnouncementID: [UInt8]] = [:]
        for n in Set(a).union(b) { entries[AnnouncementID(of: entry(n))] = entry(n) }
        var sides = [IDIndex(a.map { AnnouncementID(of: entry($0)) }), IDIndex(b.map { AnnouncementID(of: entry($0)) })]
        // Both start at once, as on connect.
        var queue: [(to: Int, bytes: [UInt8])] = [
            (1, WireMessage.reconcile([RangeReconciliation.rootSummary(of: sides[0])]).encoded()),
            (0, WireMessage.reconcile([RangeReconciliation.rootSummary(of: sides[1])]).encoded()),
        ]
        var bytes = 0
        var messages = 0
        var pushed: [Set<AnnouncementID>] = [[], []]
        while !queue.isEmpty {
            let (to, encoded) = queue.removeFirst()
            bytes += encoded.count
            messages += 1
            #expect(messages < 10_000)
            func reply(_ message: WireMessage) { queue.append((1 - to, message.encoded())) }
            func push(_ ids: [AnnouncementID]) {
                let ids = ids.filter { pushed[to].insert($0).inserted }
                for start in stride(from: 0, to: ids.count, by: WireMessage.maxEntries) {
                    let chunk = ids[start..<min(start + WireMessage.maxEntries, ids.count)]
                    reply(.entries(chunk.map { WireMessage.Entry(encoded: entries[$0]!, receivedAt: 0) }))
                }
            }
            switch try WireMessage(decoding: encoded) {
            case .reconcile(let parts):
                let response = RangeReconciliation.respond(to: parts, with: sides[to])
                for start in stride(from: 0, to: response.parts.count, by: WireMessage.maxRangeParts) {
                    reply(.reconcile(Array(response.parts[start..<min(start + WireMessage.maxRangeParts, response.parts.count)])))
                }
                if !response.want.isEmpty { reply(.want(response.want)) }
                push(response.push)
            case .want(let ids):
                push(ids.filter(sides[to].contains))
            case .entries(let batch):
                for item in batch { sides[to].insert(AnnouncementID(of: item.encoded)) }
            default:
                Issue.record("unexpected message")
            }
        }
        return (sides[0], sides[1], bytes, messages)
    }

    @Test("logs of 2000 entries that differ by 3 converge for a few KiB, not the whole log")
    func smallDifference() throws {
        let common = Array(0..<1997)
        let (a, b, bytes, messages) = try Self.reconcile(common + [5000, 5001], common + [6000])
        #expect(a.keys == b.keys)
        #expect(a.count == 2000)
        let wholeLog = 2000 * 300
        print("range reconciliation, 2000 entries differing by 3: \(bytes) bytes in \(messages) messages (whole log \(wholeLog))")
        #expect(bytes < 16_384)
    }

    @Test("an empty index receives everything, each entry once", arguments: [1, 40, 2000])
    func emptySide(count: Int) throws {
        let (a, b, bytes, _) = try Self.reconcile(Array(0..<count), [])
        #expect(a.keys == b.keys)
        #expect(b.count == count)
        // Both ends start at once, yet no entry travels twice.
        #expect(bytes < count * 300 + count * 8 + 4096)
        let (c, d, _, _) = try Self.reconcile([], Array(0..<count))
        #expect(c.keys == d.keys)
    }

    @Test("disjoint and overlapping sets of every size converge", arguments: [(0, 0), (1, 1), (33, 0), (100, 300), (700, 5)])
    func mixed(sizes: (Int, Int)) throws {
        let a = Array(0..<sizes.0) + [90_000]
        let b = Array(sizes.0 / 2..<(sizes.0 / 2 + sizes.1)) + [90_001]
        let (x, y, _, _) = try Self.reconcile(a, b)
        #expect(x.keys == y.keys)
        #expect(x.count == Set(a).union(b).count)
    }

    @Test("equal logs exchange nothing but the two root summaries")
    func equalLogs() throws {
        let (_, _, _, messages) = try Self.reconcile(Array(0..<500), Array(0..<500))
        #expect(messages == 2)
    }

    @Test("a root summary stays under 1 KiB sealed, whatever the log's length", arguments: [0, 1, 100_000])
    func rootSummarySize(count: Int) throws {
        let index = IDIndex(Self.ids(0..<count))
        let message = WireMessage.reconcile([RangeReconciliation.rootSummary(of: index)])
        let sealer = EnvelopeSealer(topic: Topic(name: "herald-test"), encryption: .symmetric(SymmetricKey()),
                                    signingKey: AgentFixtures.key(1), timeToLive: 60)
        let envelope = try sealer.seal(message.encoded(), now: 1_700_000_000)
        let packet = WhisperPacket.messages([envelope]).encodedData()
        print("root summary of \(count) IDs: \(message.encoded().count) bytes, \(packet.count) bytes sealed")
        #expect(packet.count <= 1024)
    }

    @Test("a hostile part never makes the reply grow past 16 parts per part, nor crash")
    func hostileParts() throws {
        let index = IDIndex(Self.ids(0..<5000))
        let bogus = [RangeFingerprint](repeating: RangeFingerprint(count: .max, xor: IDKey(w0: 1, w1: 2, w2: 3, w3: 4)), count: 16)
        var deep = IDPrefix.root
        for _ in 0..<63 { deep = deep.child(0xf) }
        let parts: [RangePart] = [.fingerprints(.root, bogus), .fingerprints(deep, bogus),
                                  .fingerprints(.root, Array(bogus.prefix(3))), .ids(.root, [])]
        let response = RangeReconciliation.respond(to: parts, with: index)
        #expect(response.parts.count <= 32)
        #expect(response.push.count == 5000)    // `.ids(root, [])` asks for everything, each once
        #expect(response.want.isEmpty)
    }
}
