import Foundation
import HeraldCrypto

/// The node IDs allowed to connect, read by RLPx on its event loops while
/// the agent replaces the set after every log append.
final class Allowlist: @unchecked Sendable {
    private let lock = NSLock()
    private var nodes: Set<NodeID> = []

    func contains(_ node: NodeID) -> Bool { lock.withLock { nodes.contains(node) } }

    func replace(with nodes: Set<NodeID>) { lock.withLock { self.nodes = nodes } }
}
