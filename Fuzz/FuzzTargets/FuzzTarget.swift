import Foundation
import HeraldAgent
import HeraldCrypto
import Membership
import RLP
import RLPx
import Whisper

/// One fuzz target per decoder that reads bytes from the network or a file
/// from an operator. Each takes any input: it must refuse what is malformed
/// with an error and never trap, and where a roundtrip exists it checks it
/// (a failed check traps, which is what the fuzzer reports). `make fuzz`
/// runs them under libFuzzer with AddressSanitizer; `FuzzRegressionTests`
/// replays their seeds and every input kept in Fuzz/Regressions.
package enum FuzzTarget: String, CaseIterable, Sendable {
    /// RLP decoder, differential: what decodes re-encodes to exactly the input.
    case rlp
    /// A `shh/6` Messages packet: envelopes decoded, validated and opened with the consortium key.
    case whisperEnvelope = "whisper-envelope"
    /// The input sealed as a message body (symmetric, signed), then opened: the same body and signer.
    case whisperSealed = "whisper-sealed"
    /// RLPx auth and ack: EIP-8 and legacy plaintexts, and whole packets opened with a fixed key.
    case rlpxHandshake = "rlpx-handshake"
    /// RLPx frames with fixed session secrets: raw input into the reader, and the input sealed then read.
    case rlpxFrames = "rlpx-frames"
    /// Hello and Disconnect payloads, and Snappy decompression with the agent's limit.
    case rlpxMessages = "rlpx-messages"
    /// Messages between agents (announcements, acks, ranges, entries, cluster queries); announcements and acks.
    case wireMessage = "wire-message"
    /// Policy YAML.
    case policyYAML = "policy-yaml"
    /// `agent.yaml`.
    case agentYAML = "agent-yaml"
    /// Control-socket request lines.
    case controlRequest = "control-request"

    /// Runs the target on one input.
    package func run(_ data: [UInt8]) {
        switch self {
        case .rlp: Self.rlp(data)
        case .whisperEnvelope: Self.whisperEnvelope(data)
        case .whisperSealed: Self.whisperSealed(data)
        case .rlpxHandshake: Self.rlpxHandshake(data)
        case .rlpxFrames: Self.rlpxFrames(data)
        case .rlpxMessages: Self.rlpxMessages(data)
        case .wireMessage: Self.wireMessage(data)
        case .policyYAML: _ = try? PolicyLoader.load(yaml: String(decoding: data, as: UTF8.self), path: "fuzz.yaml")
        case .agentYAML: _ = try? AgentConfiguration.load(yaml: String(decoding: data, as: UTF8.self), path: "/fuzz/agent.yaml")
        case .controlRequest: _ = try? JSONDecoder().decode(ControlRequest.self, from: Data(data.prefix(ControlRequest.maxLineLength)))
        }
    }

    // MARK: - Fixed keys (the fuzzer mutates the data, not the secrets)

    static let symmetricKey = try! SymmetricKey(rawRepresentation: [UInt8](repeating: 0x42, count: 32))
    static let nodeKey = try! Secp256k1.PrivateKey(rawRepresentation: [UInt8](repeating: 0x17, count: 31) + [0x01])
    static let topic = Topic(name: "herald-fuzz")

    // MARK: - Targets

    static func rlp(_ data: [UInt8]) {
        guard let item = try? RLP.decode(RLPItem.self, from: data) else { return }
        precondition(RLP.encode(item) == data, "RLP: a decoded item re-encodes to other bytes")
    }

    static func whisperEnvelope(_ data: [UInt8]) {
        guard let packet = try? WhisperPacket.decode(code: WhisperPacket.messagesCode, data: data),
              case .messages(let envelopes) = packet else { return }
        let validator = EnvelopeValidator(minimumProofOfWork: 0)
        let opener = EnvelopeOpener(decryption: .symmetric(symmetricKey))
        for envelope in envelopes {
            _ = try? validator.validate(envelope, now: envelope.expiry &- 1)
            _ = try? opener.open(envelope)
        }
    }

    static func whisperSealed(_ data: [UInt8]) {
        let sealer = EnvelopeSealer(topic: topic, encryption: .symmetric(symmetricKey), signingKey: nodeKey)
        guard let envelope = try? sealer.seal(data, now: 1_800_000_000) else { return }
        let encoded = RLP.encode(envelope)
        let decoded = try! RLP.decode(Envelope.self, from: encoded)
        let opened = try! EnvelopeOpener(decryption: .symmetric(symmetricKey), requiresSignature: true).open(decoded)
        precondition(Array(opened.payload) == data, "Whisper: the opened body differs from the sealed one")
        precondition(opened.signer == nodeKey.publicKey, "Whisper: the recovered signer differs")
    }

    static func rlpxHandshake(_ data: [UInt8]) {
        _ = try? AuthMessage(eip8Plaintext: data)
        _ = try? AuthMessage(legacyPlaintext: data)
        _ = try? AckMessage(eip8Plaintext: data)
        _ = try? AckMessage(legacyPlaintext: data)
        _ = try? AuthMessage.open(data, with: nodeKey)
        _ = try? AckMessage.open(data, with: nodeKey)
    }

    static func rlpxFrames(_ data: [UInt8]) {
        let aes = [UInt8](repeating: 0x0a, count: 32), mac = [UInt8](repeating: 0x0b, count: 32)
        // Raw bytes into a reader: header MAC, size bound, then the body.
        var reader = try! FrameReader(aesSecret: aes, mac: try! FrameMAC(hash: .constant([UInt8](repeating: 1, count: 32)), macSecret: mac))
        if data.count >= FrameReader.headerBlockSize, let size = try? reader.openHeader(Array(data.prefix(FrameReader.headerBlockSize))) {
            var body = Array(data.dropFirst(FrameReader.headerBlockSize))
            if body.count >= FrameReader.bodySize(frameSize: size) {
                body = Array(body.prefix(FrameReader.bodySize(frameSize: size)))
                _ = try? reader.openBody(&body, frameSize: size)
            }
        }
        // The input as a message: sealed by a writer, read back by a reader with the same secrets.
        guard let first = data.first else { return }
        let hash = FrameMAC.Hash.constant([UInt8](repeating: 2, count: 32))
        var writer = try! FrameWriter(aesSecret: aes, mac: try! FrameMAC(hash: hash, macSecret: mac))
        var peer = try! FrameReader(aesSecret: aes, mac: try! FrameMAC(hash: hash, macSecret: mac))
        let messageID = UInt64(first)
        let payload = Array(data.dropFirst())
        guard let frame = try? writer.seal(messageID: messageID, payload: payload) else { return }
        let size = try! peer.openHeader(Array(frame.prefix(FrameReader.headerBlockSize)))
        var body = Array(frame.dropFirst(FrameReader.headerBlockSize))
        let opened = try! peer.openBody(&body, frameSize: size)
        precondition(opened.messageID == messageID && Array(body[opened.payload]) == payload, "RLPx: a frame reads back otherwise")
    }

    static func rlpxMessages(_ data: [UInt8]) {
        _ = try? Hello(decoding: data)
        _ = BaseProtocol.decodeDisconnect(data)
        if let decompressed = try? Snappy.decompress(data, limit: 64 * 1024) {
            precondition(decompressed.count <= 64 * 1024, "Snappy: output beyond the limit")
            precondition(try! Snappy.decompress(Snappy.compress(decompressed), limit: 64 * 1024) == decompressed,
                         "Snappy: compress then decompress changes the bytes")
        }
    }

    static func wireMessage(_ data: [UInt8]) {
        let (decoded, stable) = WireMessageProbe.decodeRoundTrip(data)
        precondition(!decoded || stable, "wire message: decoding its own encoding gives another message")
        if let signed = try? SignedAnnouncement(decoding: data) {
            precondition((try? SignedAnnouncement(decoding: signed.encoded))?.id == signed.id, "announcement: roundtrip changes its ID")
        }
        _ = try? SignedAck(decoding: data)
    }
}
