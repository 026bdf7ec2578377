import HeraldCrypto

/// What one `apply` changed on the local node.
public struct ApplyReport: Hashable, Sendable, CustomStringConvertible {
    /// The adapter's kind, e.g. `goquorum-files`.
    public var adapter: String
    /// Entries that were added (in the form the node was given).
    public var added: [Enode]
    /// Entries that were removed (in the form the node had).
    public var removed: [Enode]
    /// How many desired entries were already in place.
    public var unchanged: Int
    /// Desired peers not (yet) seen connected after the apply, when the
    /// adapter verifies connections (`geth-admin`). Connecting takes time, so
    /// this is information, not a failure.
    public var notConnected: [Enode]

    /// Creates a report.
    public init(adapter: String, added: [Enode] = [], removed: [Enode] = [], unchanged: Int = 0, notConnected: [Enode] = []) {
        self.adapter = adapter
        self.added = added
        self.removed = removed
        self.unchanged = unchanged
        self.notConnected = notConnected
    }

    /// True when the apply changed anything.
    public var changed: Bool { !added.isEmpty || !removed.isEmpty }

    /// One line for logs, e.g. `besu: +1 -0 =3`.
    public var description: String {
        var text = "\(adapter): +\(added.count) -\(removed.count) =\(unchanged)"
        if !notConnected.isEmpty { text += ", \(notConnected.count) not connected yet" }
        return text
    }
}
