import Membership

// Range-based anti-entropy over the set of announcement IDs.
//
// Two agents' logs hold the same announcements in different orders, so the
// ranges they compare are ranges of the ID space, not of log positions: a
// range is every ID that starts with a given string of hex nibbles. The root
// range (no nibbles) holds every ID; each range has 16 children, one per next
// nibble. A range's fingerprint is its ID count and the XOR of its IDs, so an
// agent can tell in 16 fingerprints which of a range's children differ from a
// peer's, and descend only into those.

/// An announcement ID as four big-endian words: it orders like its bytes and
/// XORs in four operations, which keeps the index and its fingerprints cheap.
struct IDKey: Hashable, Comparable, Sendable {
    var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    static let zero = IDKey(w0: 0, w1: 0, w2: 0, w3: 0)

    init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        (self.w0, self.w1, self.w2, self.w3) = (w0, w1, w2, w3)
    }

    /// Exactly 32 bytes; nil for any other count.
    init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        for (offset, byte) in bytes.enumerated() { words[offset / 8] = words[offset / 8] << 8 | UInt64(byte) }
        self.init(w0: words[0], w1: words[1], w2: words[2], w3: words[3])
    }

    init(_ id: AnnouncementID) {
        self.init(bytes: id.rawRepresentation)!
    }

    /// The 32 bytes, big-endian.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for word in [w0, w1, w2, w3] {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return out
    }

    var id: AnnouncementID { AnnouncementID(rawRepresentation: bytes)! }

    /// Nibble `index` (0 is the high nibble of the first byte), 0...15.
    func nibble(_ index: Int) -> UInt8 {
        let word: UInt64
        switch index / 16 {
        case 0: word = w0
        case 1: word = w1
        case 2: word = w2
        default: word = w3
        }
        return UInt8((word >> UInt64(60 - 4 * (index % 16))) & 0xF)
    }

    static func ^ (lhs: IDKey, rhs: IDKey) -> IDKey {
        IDKey(w0: lhs.w0 ^ rhs.w0, w1: lhs.w1 ^ rhs.w1, w2: lhs.w2 ^ rhs.w2, w3: lhs.w3 ^ rhs.w3)
    }

    static func < (lhs: IDKey, rhs: IDKey) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }
}

/// A range of the ID space: every ID whose first nibbles are ``nibbles``.
struct IDPrefix: Hashable, Sendable, CustomStringConvertible {
    /// An ID has 64 nibbles; a prefix that long holds at most one ID.
    static let maxLength = 64
    /// Every ID.
    static let root = IDPrefix(checked: [])

    /// The nibbles, each 0...15, at most ``maxLength``.
    let nibbles: [UInt8]

    private init(checked nibbles: [UInt8]) { self.nibbles = nibbles }

    /// Nil when longer than ``maxLength`` or a nibble exceeds 15.
    init?(nibbles: [UInt8]) {
        guard nibbles.count <= Self.maxLength, nibbles.allSatisfy({ $0 < 16 }) else { return nil }
        self.nibbles = nibbles
    }

    /// Reads the wire form: `count` nibbles packed two a byte, high nibble
    /// first; with an odd count the last low nibble must be 0 (one encoding per prefix).
    init?(packed: [UInt8], count: Int) {
        guard (0...Self.maxLength).contains(count), packed.count == (count + 1) / 2 else { return nil }
        if count % 2 == 1, packed[packed.count - 1] & 0x0F != 0 { return nil }
        var nibbles: [UInt8] = []
        nibbles.reserveCapacity(count)
        for index in 0..<count {
            let byte = packed[index / 2]
            nibbles.append(index % 2 == 0 ? byte >> 4 : byte & 0x0F)
        }
        self.nibbles = nibbles
    }

    var count: Int { nibbles.count }

    /// The wire form (see ``init(packed:count:)``).
    var packed: [UInt8] {
        stride(from: 0, to: nibbles.count, by: 2).map { index in
            nibbles[index] << 4 | (index + 1 < nibbles.count ? nibbles[index + 1] : 0)
        }
    }

    /// The child range one nibble longer; the prefix must be shorter than ``maxLength``.
    func child(_ nibble: UInt8) -> IDPrefix {
        precondition(count < Self.maxLength && nibble < 16)
        return IDPrefix(checked: nibbles + [nibble])
    }

    /// Whether `key` lies in this range.
    func contains(_ key: IDKey) -> Bool {
        order(of: key) == .inside
    }

    /// Where `key` lies relative to this range, comparing only the prefix's nibbles.
    func order(of key: IDKey) -> RangeOrder {
        for (index, nibble) in nibbles.enumerated() {
            let other = key.nibble(index)
            if other != nibble { return other < nibble ? .before : .after }
        }
        return .inside
    }

    /// The nibbles as a number (for the cached levels of ``IDIndex``).
    var ordinal: Int { nibbles.reduce(0) { $0 << 4 | Int($1) } }

    var description: String {
        nibbles.isEmpty ? "root" : nibbles.map { String($0, radix: 16) }.joined() + "…"
    }
}

/// Where a key lies relative to a range of the ID space.
enum RangeOrder { case before, inside, after }

/// How many IDs a range holds and their XOR: equal fingerprints mean (up to
/// an XOR collision, which no honest log produces by chance) equal ID sets.
struct RangeFingerprint: Hashable, Sendable {
    var count: UInt64
    var xor: IDKey

    static let empty = RangeFingerprint(count: 0, xor: .zero)

    mutating func add(_ key: IDKey) {
        count += 1
        xor = xor ^ key
    }

    mutating func add(_ other: RangeFingerprint) {
        count += other.count
        xor = xor ^ other.xor
    }
}

/// The sorted set of announcement IDs in the log, with the fingerprints of
/// the top ``cachedDepth`` levels of ranges kept up to date on insert, so a
/// root or near-root summary costs 16 table reads whatever the log's length.
/// Deeper ranges hold few IDs and are fingerprinted by scanning them.
struct IDIndex: Sendable {
    /// Levels 1...cachedDepth hold 16, 256 and 4096 fingerprints.
    static let cachedDepth = 3

    /// Every ID, ascending, without duplicates.
    private(set) var keys: [IDKey] = []
    /// `levels[d - 1][p.ordinal]` is the fingerprint of prefix `p` of length `d`.
    private var levels: [[RangeFingerprint]]

    init() {
        levels = (1...Self.cachedDepth).map { [RangeFingerprint](repeating: .empty, count: 1 << (4 * $0)) }
    }

    /// An index of `ids` (duplicates are ignored).
    init(_ ids: some Sequence<AnnouncementID>) {
        self.init()
        keys = Array(Set(ids.map(IDKey.init))).sorted()
        for key in keys { cache(key) }
    }

    var count: Int { keys.count }

    /// Adds `id`; false when it was already there.
    @discardableResult
    mutating func insert(_ id: AnnouncementID) -> Bool {
        let key = IDKey(id)
        let position = lowerBound { $0 < key }
        guard position == keys.count || keys[position] != key else { return false }
        keys.insert(key, at: position)
        cache(key)
        return true
    }

    func contains(_ id: AnnouncementID) -> Bool {
        let key = IDKey(id)
        let position = lowerBound { $0 < key }
        return position < keys.count && keys[position] == key
    }

    /// The positions in ``keys`` of the IDs in `prefix`.
    func bounds(of prefix: IDPrefix) -> Range<Int> {
        let lower = lowerBound { prefix.order(of: $0) == .before }
        let upper = lowerBound { prefix.order(of: $0) != .after }
        return lower..<upper
    }

    /// The IDs in `prefix`, ascending.
    func ids(in prefix: IDPrefix) -> [AnnouncementID] {
        keys[bounds(of: prefix)].map(\.id)
    }

    func fingerprint(of prefix: IDPrefix) -> RangeFingerprint {
        if prefix.count == 0 {
            return levels[0].reduce(into: RangeFingerprint.empty) { $0.add($1) }
        }
        if prefix.count <= Self.cachedDepth { return levels[prefix.count - 1][prefix.ordinal] }
        return keys[bounds(of: prefix)].reduce(into: RangeFingerprint.empty) { $0.add($1) }
    }

    /// The fingerprints of the 16 children of `prefix` (shorter than ``IDPrefix/maxLength``).
    func childFingerprints(of prefix: IDPrefix) -> [RangeFingerprint] {
        precondition(prefix.count < IDPrefix.maxLength)
        if prefix.count < Self.cachedDepth {
            let first = prefix.ordinal << 4
            return Array(levels[prefix.count][first..<first + 16])
        }
        var children = [RangeFingerprint](repeating: .empty, count: 16)
        for key in keys[bounds(of: prefix)] { children[Int(key.nibble(prefix.count))].add(key) }
        return children
    }

    private mutating func cache(_ key: IDKey) {
        var ordinal = 0
        for depth in 1...Self.cachedDepth {
            ordinal = ordinal << 4 | Int(key.nibble(depth - 1))
            levels[depth - 1][ordinal].add(key)
        }
    }

    /// The first position whose key does not satisfy `isBefore` (which must be true on a prefix of ``keys``).
    private func lowerBound(_ isBefore: (IDKey) -> Bool) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if isBefore(keys[middle]) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// One item of a reconciliation message about one range.
enum RangePart: Sendable, Equatable {
    /// The sender's fingerprints of the 16 children of the range (prefix
    /// shorter than 64 nibbles): "compare these with yours".
    case fingerprints(IDPrefix, [RangeFingerprint])
    /// Every ID the sender holds in the range (at most
    /// ``RangeReconciliation/maxIDsPerRange``): "send me what I lack here, ask for what you lack".
    case ids(IDPrefix, [AnnouncementID])
}

/// The pure rules of range reconciliation: what an agent answers to a peer's
/// range parts, given its own index. Each side runs the same rules; a
/// difference is settled in about log₁₆(n / 32) + 2 round trips and costs
/// bytes in proportion to the number of differing ranges, not to the log.
enum RangeReconciliation {
    /// A differing range with at most this many IDs on our side is settled by
    /// listing them instead of descending further.
    static let maxIDsPerRange = 32

    /// What to send back.
    struct Response: Equatable {
        /// Range parts for the peer to answer.
        var parts: [RangePart] = []
        /// IDs the peer lacks: send it those entries.
        var push: [AnnouncementID] = []
        /// IDs we lack: ask the peer for them.
        var want: [AnnouncementID] = []
    }

    /// The root summary every exchange starts with.
    static func rootSummary(of index: IDIndex) -> RangePart {
        .fingerprints(.root, index.childFingerprints(of: .root))
    }

    /// Answers `parts` from a peer.
    ///
    /// For a child range whose fingerprints differ: when the peer holds
    /// nothing there, push everything we hold; when we hold few IDs there,
    /// list them (the peer then settles the range in one step); otherwise
    /// descend with that child's own 16 fingerprints. For a listed range,
    /// push what the peer lacks and want what we lack.
    static func respond(to parts: [RangePart], with index: IDIndex) -> Response {
        var response = Response()
        var pushed: Set<AnnouncementID> = []
        var wanted: Set<AnnouncementID> = []
        func push(_ ids: [AnnouncementID]) {
            for id in ids where pushed.insert(id).inserted { response.push.append(id) }
        }
        for part in parts {
            switch part {
            case .fingerprints(let prefix, let theirs):
                guard prefix.count < IDPrefix.maxLength, theirs.count == 16 else { continue }
                let mine = index.childFingerprints(of: prefix)
                for nibble in 0..<16 where mine[nibble] != theirs[nibble] {
                    let child = prefix.child(UInt8(nibble))
                    if theirs[nibble].count == 0 {
                        push(index.ids(in: child))
                    } else if mine[nibble].count <= UInt64(maxIDsPerRange) {
                        response.parts.append(.ids(child, index.ids(in: child)))
                    } else {
                        response.parts.append(.fingerprints(child, index.childFingerprints(of: child)))
                    }
                }
            case .ids(let prefix, let theirs):
                let listed = Set(theirs)
                push(index.ids(in: prefix).filter { !listed.contains($0) })
                for id in theirs where !index.contains(id) && wanted.insert(id).inserted { response.want.append(id) }
            }
        }
        return response
    }
}
