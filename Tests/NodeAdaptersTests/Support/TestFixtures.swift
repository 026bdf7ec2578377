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

/// A temporary directory removed by `remove()` (tests call it in `defer`).
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/herald-na-XXXXXX".utf8CString)
        guard let result = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: result)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: file(name), atomically: false, encoding: .utf8)
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: file(name), encoding: .utf8)
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

    /// The inode number, to see whether a file was replaced.
    func inode(_ name: String) -> UInt64? {
        var info = stat()
        guard stat(file(name), &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
