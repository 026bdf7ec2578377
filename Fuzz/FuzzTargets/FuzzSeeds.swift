import Foundation
import HeraldCrypto
import Membership
import RLP
import RLPx
import TestSupport
import Whisper

/// Where the fuzzer starts: upstream vectors (Tests/TestVectors, from
/// ../shared/testdata), the example policies, and inputs the tests use.
extension FuzzTarget {
    /// The EIP-8 handshake vectors' static keys: B opens the auth packets, A the acks,
    /// so that the fuzzer's mutations of real packets get past ECIES.
    static let handshakeKeys: (a: Secp256k1.PrivateKey, b: Secp256k1.PrivateKey) = {
        let keys = (try? handshakeVectors())?["keys"] as? [String: Any]
        func key(_ name: String) -> Secp256k1.PrivateKey {
            guard let hex = keys?[name] as? String, let key = try? Secp256k1.PrivateKey(rawRepresentation: hexBytes(hex)) else {
                return nodeKey
            }
            return key
        }
        return (key("static_key_a"), key("static_key_b"))
    }()

    private static func handshakeVectors() throws -> [String: Any]? {
        (try TestVectors.json("rlpx-eip8-vectors.json") as? [String: Any])?["eip8_handshake"] as? [String: Any]
    }

    private static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The seed inputs of this target.
    package func seeds() -> [[UInt8]] {
        switch self {
        case .rlp:
            var seeds: [[UInt8]] = []
            for file in ["rlptest.json", "invalidRLPTest.json"] {
                let cases = (try? TestVectors.json(file)) as? [String: [String: Any]] ?? [:]
                seeds += cases.values.compactMap { ($0["out"] as? String).map(hexBytes) }
            }
            return seeds
        case .whisperEnvelope:
            let sealer = EnvelopeSealer(topic: Self.topic, encryption: .symmetric(Self.symmetricKey), signingKey: Self.nodeKey)
            let envelopes = ["", "hello", String(repeating: "x", count: 300)].compactMap { try? sealer.seal(Array($0.utf8), now: 1_800_000_000) }
            return [WhisperPacket.messages(envelopes).encodedData(), WhisperPacket.messages([]).encodedData()]
        case .whisperSealed:
            return [[], Array("hello".utf8), [UInt8](repeating: 0xff, count: 1024)]
        case .rlpxHandshake:
            let vectors = try? Self.handshakeVectors()
            return ["auth_packets", "ack_packets"].flatMap { name in
                ((vectors?[name] as? [[String: Any]]) ?? []).compactMap { ($0["packet"] as? String).map(hexBytes) }
            }
        case .rlpxFrames:
            return [[0x10] + Array("hello".utf8), [UInt8](repeating: 0, count: 64), [0x00]]
        case .rlpxMessages:
            let hello = Hello(clientID: "Herald/fuzz", capabilities: [Capability(name: "shh", version: 6)], nodeID: Array(Self.nodeKey.publicKey.rawRepresentation))
            return [hello.encoded(), BaseProtocol.encodeDisconnect(.uselessPeer), Snappy.compress(Array("hello hello hello".utf8))]
        case .wireMessage:
            let announcement = Announcement(
                consortium: "herald-fuzz", kind: .join, subject: Self.nodeKey.publicKey.nodeID,
                subjectEnode: "enode://\(Hex.encode(Self.nodeKey.publicKey.rawRepresentation))@10.0.0.1:30303",
                agentEndpoint: nil, roles: ["validator"], lamportTime: 1, issuedAt: 1_800_000_000, expiresAt: 1_800_003_600,
                policyHash: PolicyHash(rawRepresentation: [UInt8](repeating: 7, count: 32))!, approvedID: nil, announcer: Self.nodeKey.publicKey.nodeID)
            // A policy change too: the kind whose body has one more item, a YAML text.
            var change = announcement
            change.kind = .policyChange
            change.subjectEnode = ""
            change.roles = []
            change.policyText = "version: 1\nconsortium: {name: herald-fuzz, key: \"file:k\"}\n"
            guard let signed = try? SignedAnnouncement.sign(announcement, with: Self.nodeKey),
                  let signedChange = try? SignedAnnouncement.sign(change, with: Self.nodeKey) else { return [] }
            var writer = RLPWriter()
            writer.writeList { list in
                list.write(UInt64(1))
                list.write(bytes: signed.encoded)
            }
            return [signed.encoded, writer.bytes, signedChange.encoded]
        case .policyYAML:
            let policies = Self.repository.appendingPathComponent("Policies")
            let files = (try? FileManager.default.contentsOfDirectory(atPath: policies.path)) ?? []
            return files.sorted().compactMap { try? Array(Data(contentsOf: policies.appendingPathComponent($0))) }
        case .agentYAML:
            return [Array("""
                listen: {host: 0.0.0.0, port: 30310}
                advertise: 10.0.0.1
                data-dir: /var/lib/herald
                node-key: nodekey
                policy: policy.yaml
                control-socket: herald.sock
                peers: ["enode://\(Hex.encode(Self.nodeKey.publicKey.rawRepresentation))@10.0.0.2:30310"]
                adapters:
                  - {type: goquorum-files, permissionedNodesPath: /data/permissioned-nodes.json}
                metrics: {host: 127.0.0.1, port: 9464}
                """.utf8)]
        case .controlRequest:
            return [#"{"command":"status","id":"00"}"#, #"{"command":"announce","announce":{"kind":"join","enode":"x","roles":[]}}"#,
                    #"{"command":"cluster","timeout":1e308}"#].map { Array($0.utf8) }
        }
    }
}
