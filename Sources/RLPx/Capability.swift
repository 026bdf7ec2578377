/// A sub-protocol advertised in Hello: a name and a version, e.g. `shh/6`.
public struct Capability: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Short ASCII name, case-sensitive (at most 8 characters by the spec).
    public var name: String
    /// The protocol version.
    public var version: UInt64

    public init(name: String, version: UInt64) {
        self.name = name
        self.version = version
    }

    /// geth's `Cap.Cmp`: by name (byte-wise), then by version.
    public static func < (lhs: Capability, rhs: Capability) -> Bool {
        if lhs.name != rhs.name { return Array(lhs.name.utf8).lexicographicallyPrecedes(Array(rhs.name.utf8)) }
        return lhs.version < rhs.version
    }

    /// `name/version`, as geth prints it.
    public var description: String { "\(name)/\(version)" }
}

/// A capability this node runs, with the number of message ids it uses
/// (fixed by that capability's spec; shh/6 uses 128 in geth).
public struct LocalProtocol: Hashable, Sendable {
    public var capability: Capability
    /// How many consecutive message ids the protocol occupies once shared.
    public var messageIDCount: UInt64

    public init(capability: Capability, messageIDCount: UInt64) {
        self.capability = capability
        self.messageIDCount = messageIDCount
    }
}

/// A capability both sides run, with the slice of message ids it got.
public struct SharedCapability: Hashable, Sendable {
    public var capability: Capability
    /// First wire id of this capability (≥ 0x10).
    public var offset: UInt64
    /// Number of ids it occupies.
    public var messageIDCount: UInt64

    public init(capability: Capability, offset: UInt64, messageIDCount: UInt64) {
        self.capability = capability
        self.offset = offset
        self.messageIDCount = messageIDCount
    }
}

/// Capability negotiation and message-id offsets (spec §10): which
/// capabilities both Hellos share, where each one's ids start, and how a wire
/// id maps back to (capability, local id).
public struct CapabilityTable: Hashable, Sendable {
    /// Shared capabilities in offset order (one per name, the highest shared version).
    public private(set) var shared: [SharedCapability]

    /// geth's `matchProtocols`: walk the remote list sorted by (name,
    /// version); each one we also run at that version takes the next ids; a
    /// later (higher) version of an already assigned name first gives back
    /// the lower version's ids and then takes its place.
    public init(local: [LocalProtocol], remote: [Capability]) {
        var offset = BaseProtocol.messageIDCount
        var byName: [String: SharedCapability] = [:]
        var order: [String] = []
        for capability in remote.sorted() {
            guard let match = local.first(where: { $0.capability == capability }) else { continue }
            if let old = byName[capability.name] {
                offset -= old.messageIDCount
            } else {
                order.append(capability.name)
            }
            byName[capability.name] = SharedCapability(capability: capability, offset: offset, messageIDCount: match.messageIDCount)
            offset += match.messageIDCount
        }
        shared = order.compactMap { byName[$0] }
    }

    /// The shared capability with this name, if any.
    public func capability(named name: String) -> SharedCapability? {
        shared.first { $0.capability.name == name }
    }

    /// Maps a wire id (≥ 0x10) to its capability and the capability-local id;
    /// nil when it falls in no assigned range (a protocol error, spec §10).
    public func route(wireID: UInt64) -> (capability: SharedCapability, localID: UInt64)? {
        for entry in shared where wireID >= entry.offset && wireID - entry.offset < entry.messageIDCount {
            return (entry, wireID - entry.offset)
        }
        return nil
    }

    /// The wire id of `localID` in the capability named `name`; nil when the
    /// capability is not shared or the id is out of its range.
    public func wireID(capability name: String, localID: UInt64) -> UInt64? {
        guard let entry = capability(named: name), localID < entry.messageIDCount else { return nil }
        return entry.offset + localID
    }
}
