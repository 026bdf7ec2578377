import Foundation
import HeraldCrypto
import Logging
import Membership
import RLPx
import Whisper

/// The stateless, CPU-heavy half of receiving: decode the `shh` packet,
/// validate each envelope, drop those seen before, open it (AES-GCM and, for
/// a signed envelope, one public-key recovery), decode the message, verify
/// the announcement or ack it carries (a recovery), and check its signer
/// against the allowlist.
///
/// It runs in each connection's own task, so the recoveries of messages from
/// different peers proceed on every core at once; only what changes the
/// agent's state waits for the agent's actor. An announcer collecting acks
/// from N − 1 peers would otherwise do 2(N − 1) recoveries one after another.
struct EnvelopeIntake: Sendable {
    /// An envelope that passed every check, with what it carries.
    struct Admitted: Sendable {
        /// The envelope's Whisper signer (for an ack in an unsigned envelope,
        /// the ack's receiver), on the allowlist.
        var signer: NodeID
        var message: WireMessage
        /// For `.ack`: the decoded ack, its signature verified.
        var ack: SignedAck?
        /// For `.announcement`: the decoded announcement, its signature verified.
        var announcement: SignedAnnouncement?
        /// For `.entries`: each well-formed entry, decoded and verified.
        var entries: [ReceivedEntry] = []
    }

    /// An anti-entropy entry whose announcement's signature is verified.
    struct ReceivedEntry: Sendable {
        var signed: SignedAnnouncement
        /// The receipt time the sender's log holds.
        var claimedReceivedAt: UInt64
        /// Allowlisted agents whose signed acks that came with it say they
        /// took it in time (accepted or pending, not rejected). Checked only
        /// for an entry that has expired on arrival; empty otherwise.
        var witnesses: Set<NodeID>
    }

    let topic: Topic
    let opener: EnvelopeOpener
    /// Replaced when the policy is reloaded.
    let validator: Locked<EnvelopeValidator>
    let seen: SeenEnvelopes
    let allowlist: Allowlist
    let maxMessageSize: Int
    let logger: Logger

    /// The envelopes of one `shh` message; nil when the packet is malformed (the peer should be dropped).
    func envelopes(of message: CapabilityMessage, from peer: NodeID) -> [Envelope]? {
        guard message.capability == "shh" else { return [] }
        let packet: WhisperPacket
        do {
            packet = try WhisperPacket.decode(code: message.id, data: message.payload, maxSize: maxMessageSize)
        } catch {
            logger.warning("bad shh packet from \(peer): \(error)")
            return nil
        }
        switch packet {
        case .messages(let batch): return Array(batch.prefix(256))
        case .p2pMessage(let envelope): return [envelope]
        default: return []
        }
    }

    /// Checks and opens one envelope; nil (logged through `warnings` when suspicious) when it is to be dropped.
    func admit(_ envelope: Envelope, from peer: NodeID, now: UInt64, warnings: inout WarningThrottle) -> Admitted? {
        func warn(_ message: String) { warnings.warning(message, about: peer, to: logger) }
        do {
            _ = try validator.value.validate(envelope, now: UInt32(clamping: now))
        } catch {
            if case .recentlyExpired = error { return nil }
            warn("envelope from \(peer) refused: \(error)")
            return nil
        }
        guard envelope.topic == topic, seen.insert(envelope.hash) else { return nil }
        let opened: OpenedMessage
        do {
            opened = try opener.open(envelope)
        } catch {
            warn("envelope from \(peer) does not open: \(error)")
            return nil
        }
        let message: WireMessage
        do { message = try WireMessage(decoding: opened.payload) } catch {
            warn("malformed message from \(peer): \(error)")
            return nil
        }
        var ack: SignedAck?
        if case .ack(let bytes) = message {
            do { ack = try SignedAck(decoding: bytes) } catch {
                warn("ack from \(peer) dropped: \(error)")
                return nil
            }
        }
        // An ack comes in an unsigned envelope (``WireMessage/isSelfSigned``):
        // its receiver, whose signature over it has just verified, is its signer.
        guard let signer = opened.signer?.nodeID ?? ack?.ack.receiver else {
            warn("unsigned envelope from \(peer) carries a message that needs a signed one")
            return nil
        }
        guard allowlist.contains(signer) else {
            warn("envelope from \(peer) signed by a node not on the allowlist")
            return nil
        }
        var admitted = Admitted(signer: signer, message: message, ack: ack)
        switch message {
        case .announcement(let bytes, _):
            do { admitted.announcement = try SignedAnnouncement(decoding: bytes) } catch {
                warn("announcement from \(peer) dropped: \(error)")
                return nil
            }
        case .entries(let entries):
            admitted.entries = entries.compactMap { received($0, from: peer, now: now, warnings: &warnings) }
        default:
            break
        }
        return admitted
    }
}

extension EnvelopeIntake {
    /// Decodes one anti-entropy entry and, when it has expired by `now`,
    /// verifies the witness acks that came with it; nil (logged) when the
    /// announcement is malformed or its signature does not verify.
    func received(_ entry: WireMessage.Entry, from peer: NodeID, now: UInt64, warnings: inout WarningThrottle) -> ReceivedEntry? {
        let signed: SignedAnnouncement
        do { signed = try SignedAnnouncement(decoding: entry.encoded) } catch {
            warnings.warning("anti-entropy entry from \(peer) dropped: \(error)", about: peer, to: logger)
            return nil
        }
        var witnesses: Set<NodeID> = []
        if now > signed.announcement.expiresAt {
            for bytes in entry.witnesses {
                // A forged, foreign or rejecting ack is simply no witness.
                guard let ack = try? SignedAck(decoding: bytes).ack, ack.announcementID == signed.id,
                      allowlist.contains(ack.receiver) else { continue }
                if case .rejected = ack.decision { continue }
                witnesses.insert(ack.receiver)
            }
        }
        return ReceivedEntry(signed: signed, claimedReceivedAt: entry.receivedAt, witnesses: witnesses)
    }
}

/// Hashes of envelopes already received, shared by every connection's
/// intake; bounded by starting over when full (a repeat is then merely
/// processed again, which every handler tolerates).
final class SeenEnvelopes: @unchecked Sendable {
    private let lock = NSLock()
    private var hashes: Set<Keccak256.Digest> = []
    private let limit: Int

    init(limit: Int = 16_384) { self.limit = limit }

    /// True when `hash` was not seen before.
    func insert(_ hash: Keccak256.Digest) -> Bool {
        lock.withLock {
            guard hashes.insert(hash).inserted else { return false }
            if hashes.count > limit { hashes = [hash] }
            return true
        }
    }
}

/// A value read from several tasks and replaced now and then.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }

    /// Reads and changes the value under the lock, in one step.
    func update<Result>(_ body: (inout Value) -> Result) -> Result {
        lock.withLock { body(&stored) }
    }
}
