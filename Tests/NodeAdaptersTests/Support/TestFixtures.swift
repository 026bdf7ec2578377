import Foundation
import HeraldCrypto
@testable import NodeAdapters

/// Deterministic keys and members for the tests.
enum Fixtures {
    static func key(_ index: UInt8) -> Secp256k1.PrivateKey {
        try! Secp256k1.PrivateKey(rawRepresentation: [UInt8](repeating: 0, count: 31) + [index])
    }

    static func enode(_ index: UInt8, host: String? = nil, port: UInt16 = 30303) -> Enode {
        try! Enode(parsing: "enode://\(Hex.encode(key(index).publicKey.rawRepresentation))@\(host ?? "10.0.0.\(index)"):\(port)")
    }

    static func member(_ index: UInt8, raftPort: UInt16? = nil) -> PeerSetMember {
        PeerSetMember(enode: enode(index), name: "node\(index)", roles: ["validator"], raftPort: raftPort)
    }

    /// Members `indices`, the local node being `local`.
    static func peerSet(_ indices: [UInt8], local: UInt8 = 1, raftPort: UInt16? = nil) -> DesiredPeerSet {
        DesiredPeerSet(members: indices.map { member($0, raftPort: raftPort) }, localNodeID: key(local).publicKey.nodeID)
    }

    /// The canonical URL of member `index`.
    static func url(_ index: UInt8) -> String { enode(index).description }

    /// The golden file `name`. With `HERALD_UPDATE_GOLDEN=1` in the
    /// environment, `actual` is written as the new golden file first (then
    /// review the diff by eye against the spec's examples).
    static func golden(_ name: String, updatingWith actual: String? = nil) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Golden").appendingPathComponent(name)
        if let actual, ProcessInfo.processInfo.environment["HERALD_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
