/// Applies the consortium's member list to the local node's peer set.
///
/// Implementations are idempotent: applying the same ``DesiredPeerSet`` twice
/// changes nothing the second time and makes no call beyond reading the
/// current state; a new set makes only the calls it needs. A failed apply
/// throws ``NodeAdapterError`` and leaves what was already applied in place,
/// so the caller can simply apply again later (see ``RetryPolicy``).
public protocol NodeAdapter: Sendable {
    /// The adapter's kind as named in the agent configuration, e.g. `besu`.
    var kind: String { get }

    /// Makes the local node's peer set match `desired`.
    /// - Returns: what changed.
    /// - Throws: ``NodeAdapterError`` naming the adapter, the call and the node's error text.
    func apply(_ desired: DesiredPeerSet) async throws -> ApplyReport
}
