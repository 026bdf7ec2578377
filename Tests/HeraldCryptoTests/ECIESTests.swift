import HeraldCrypto
import Testing
import TestSupport

@Suite("ECIES")
struct ECIESTests {
    static let vectors = RLPxVectors.shared

    static func key(_ hex: String) throws -> Secp256k1.PrivateKey {
        try Secp256k1.PrivateKey(rawRepresentation: hexBytes(hex))
    }

    // MARK: Known ciphertexts

    @Test("aleth interop decryptions (empty s1, s2)", arguments: vectors.ecies.aleth_interop_primitives.decrypt.indices)
    func alethDecrypt(index: Int) throws {
        let vector = Self.vectors.ecies.aleth_interop_primitives.decrypt[index]
        let plaintext = try ECIES.open(hexBytes(vector.ciphertext), with: try Self.key(vector.private_key))
        #expect(plaintext == Array(vector.plaintext_ascii.utf8))
    }

    @Test("whisper ecies_decrypt vectors", arguments: WhisperVectors.category("ecies_decrypt"))
    func whisperDecrypt(vector: WhisperVectors.Vector) throws {
        let key = try Self.key(try #require(vector.input.recipient_private_key))
        let plaintext = try ECIES.open(
            hexBytes(try #require(vector.input.ciphertext)), with: key,
            sharedInfo: hexBytes(vector.input.s1 ?? ""), sharedMACData: hexBytes(vector.input.s2 ?? ""))
        #expect(hexString(plaintext) == vector.expected.plaintext)
    }

    /// Pre-EIP-8 auth/ack plaintexts; only the listed slices are known, plus
    /// (per the vector notes) a public key whose private key the note names.
    @Test("whisper ecies_decrypt_partial vectors", arguments: WhisperVectors.category("ecies_decrypt_partial"))
    func whisperDecryptPartial(vector: WhisperVectors.Vector) throws {
        let key = try Self.key(try #require(vector.input.recipient_private_key))
        let plaintext = try ECIES.open(hexBytes(try #require(vector.input.ciphertext)), with: key)
        #expect(plaintext.count == vector.expected.plaintext_length)
        for slice in vector.expected.plaintext_slices ?? [] {
            #expect(hexString(plaintext[slice.offset..<(slice.offset + slice.length)]) == slice.hex, "offset \(slice.offset)")
        }
        let notes = [(97, vector.expected.plaintext_slice_offset97_length64), (0, vector.expected.plaintext_slice_offset0_length64)]
        for case let (offset, note?) in notes {
            let named = try #require(note.split(separator: " ").first { $0.count == 64 && $0.allSatisfy(\.isHexDigit) })
            let publicKey = try Self.key(String(named)).publicKey
            #expect(Array(plaintext[offset..<(offset + 64)]) == publicKey.rawRepresentation, "public key at \(offset)")
        }
    }

    @Test("go handshake transcript: auth and ack decrypt to the recorded plaintexts")
    func goTranscript() throws {
        let transcript = Self.vectors.go_handshake_transcript
        let receiver = try Self.key(transcript.receiver_private_key)
        let initiator = try Self.key(transcript.initiator_private_key)
        #expect(hexString(try ECIES.open(hexBytes(transcript.auth_ciphertext), with: receiver)) == transcript.auth_plaintext)
        #expect(hexString(try ECIES.open(hexBytes(transcript.ack_ciphertext), with: initiator)) == transcript.ack_plaintext)
    }

    static var handshakePackets: [RLPxVectors.EIP8.Packet] {
        vectors.eip8_handshake.auth_packets + vectors.eip8_handshake.ack_packets
    }

    @Test("EIP-8 handshake packets decrypt with the right static key", arguments: handshakePackets)
    func eip8Packet(packet: RLPxVectors.EIP8.Packet) throws {
        let keys = Self.vectors.eip8_handshake.keys
        let key = try Self.key(packet.decrypt_with == "static_key_a" ? keys.static_key_a : keys.static_key_b)
        let wire = hexBytes(packet.packet)
        let isEIP8 = !packet.ecies_shared_mac_data.isEmpty
        // EIP-8: a 2-byte big-endian size prefix, which is also the ECIES s2.
        let prefix = isEIP8 ? Array(wire[0..<2]) : []
        let ciphertext = Array(wire[prefix.count...])
        #expect(hexString(prefix) == packet.ecies_shared_mac_data)
        if isEIP8 {
            #expect(Int(prefix[0]) << 8 | Int(prefix[1]) == ciphertext.count)
        }
        let plaintext = try ECIES.open(ciphertext, with: key, sharedMACData: prefix)
        #expect(plaintext.count == ciphertext.count - ECIES.overhead)
        // Without the prefix as s2 the tag does not match.
        if isEIP8 {
            #expect(throws: ECIES.Error.macMismatch) { try ECIES.open(ciphertext, with: key) }
        }

        let expect = packet.expect
        let isAuth = packet.id.hasPrefix("Auth")
        if isEIP8 {
            // RLP list [fields…, version, rest…] followed by padding.
            let items = try #require(TinyRLP.listItems(plaintext))
            let fixed = isAuth
                ? [expect.signature, expect.initiator_pubkey, expect.initiator_nonce]
                : [expect.recipient_ephemeral_pubkey, expect.recipient_nonce]
            #expect(items.count == fixed.count + 1 + (expect.rest?.count ?? 0))
            for (item, hex) in zip(items, fixed) {
                #expect(hexString(TinyRLP.stringContent(item)) == hex)
            }
            #expect(TinyRLP.integer(items[fixed.count]) == expect.version)
            #expect(items[(fixed.count + 1)...].map { hexString($0) } == expect.rest ?? [])
        } else if isAuth {
            // Legacy auth: sig 65 | keccak256(ephemeral pubkey) 32 | pubkey 64 | nonce 32 | 0x00.
            #expect(plaintext.count == 194)
            #expect(hexString(plaintext[0..<65]) == expect.signature)
            #expect(Array(plaintext[65..<97]) == Keccak256.hash(hexBytes(Self.vectors.eip8_handshake.public_keys.ephemeral_pubkey_a)).bytes)
            #expect(hexString(plaintext[97..<161]) == expect.initiator_pubkey)
            #expect(hexString(plaintext[161..<193]) == expect.initiator_nonce)
            #expect(plaintext[193] == 0)
        } else {
            // Legacy ack: ephemeral pubkey 64 | nonce 32 | 0x00.
            #expect(plaintext.count == 97)
            #expect(hexString(plaintext[0..<64]) == expect.recipient_ephemeral_pubkey)
            #expect(hexString(plaintext[64..<96]) == expect.recipient_nonce)
            #expect(plaintext[96] == 0)
        }
    }

    // MARK: Round trips

    @Test("seal then open returns the plaintext, for random sizes, s1 and s2")
    func roundTrip() throws {
        var generator = SeededGenerator(seed: 0xEC1E5)
        for length in [0, 1, 15, 16, 17, 100, 300, 1000] {
            let recipient = Secp256k1.PrivateKey()
            let plaintext = generator.bytes(length)
            let s1 = generator.bytes(Int.random(in: 0...40, using: &generator))
            let s2 = generator.bytes(Int.random(in: 0...40, using: &generator))
            let sealed = ECIES.seal(plaintext, to: recipient.publicKey, sharedInfo: s1, sharedMACData: s2)
            #expect(sealed.count == length + ECIES.overhead)
            #expect(sealed[0] == 0x04)
            #expect(try ECIES.open(sealed, with: recipient, sharedInfo: s1, sharedMACData: s2) == plaintext)
            // Fresh ephemeral key and IV each time.
            #expect(ECIES.seal(plaintext, to: recipient.publicKey)[0..<81] != sealed[0..<81])
        }
    }

    @Test("seal with a given ephemeral key and IV is deterministic and lays out R ‖ iv ‖ c ‖ tag")
    func deterministicSeal() throws {
        let recipient = Secp256k1.PrivateKey()
        let ephemeral = Secp256k1.PrivateKey()
        let iv = [UInt8](0..<16)
        let plaintext = Array("hello, herald".utf8)
        let a = ECIES.seal(plaintext, to: recipient.publicKey, ephemeralKey: ephemeral, iv: iv)
        let b = ECIES.seal(plaintext, to: recipient.publicKey, ephemeralKey: ephemeral, iv: iv)
        #expect(a == b)
        #expect(Array(a[0..<65]) == ephemeral.publicKey.uncompressedRepresentation)
        #expect(Array(a[65..<81]) == iv)
        // c = AES-128-CTR(kE, iv, m) with kE = KDF(ECDH)[0..<16].
        let z = ephemeral.sharedSecret(with: recipient.publicKey)
        let k = ConcatKDF.deriveKey(sharedSecret: z, byteCount: 32)
        #expect(Array(a[81..<(81 + plaintext.count)]) == (try AES.CTR.apply(key: k[0..<16], iv: iv, to: plaintext)))
        // tag = HMAC-SHA256(SHA256(K[16..<32]), iv ‖ c).
        let tag = HMACSHA256.authenticationCode(for: a[65..<(81 + plaintext.count)], key: SHA256.hash(k[16..<32]))
        #expect(Array(a[(81 + plaintext.count)...]) == tag)
        #expect(try ECIES.open(a, with: recipient) == plaintext)
    }

    // MARK: Rejections

    static func sealedSample() -> (key: Secp256k1.PrivateKey, sealed: [UInt8], s2: [UInt8]) {
        let key = Secp256k1.PrivateKey()
        let s2: [UInt8] = [0x01, 0x23]
        return (key, ECIES.seal(Array("attack at dawn".utf8), to: key.publicKey, sharedMACData: s2), s2)
    }

    @Test("tampered IV, ciphertext or tag fails the MAC check", arguments: [65, 80, 81, 90, 94, 95, 126])
    func tampered(offset: Int) throws {
        // 65..<81 IV, 81..<95 ciphertext, 95..<127 tag (14-byte plaintext).
        let (key, sealed, s2) = Self.sealedSample()
        var bad = sealed
        bad[offset] ^= 0x01
        #expect(throws: ECIES.Error.macMismatch) { try ECIES.open(bad, with: key, sharedMACData: s2) }
    }

    @Test("wrong key, s1 or s2 fails the MAC check")
    func wrongContext() throws {
        let (key, sealed, s2) = Self.sealedSample()
        #expect(throws: ECIES.Error.macMismatch) { try ECIES.open(sealed, with: Secp256k1.PrivateKey(), sharedMACData: s2) }
        #expect(throws: ECIES.Error.macMismatch) { try ECIES.open(sealed, with: key) }
        #expect(throws: ECIES.Error.macMismatch) { try ECIES.open(sealed, with: key, sharedInfo: [1], sharedMACData: s2) }
        #expect(try ECIES.open(sealed, with: key, sharedMACData: s2) == Array("attack at dawn".utf8))
    }

    @Test("an ephemeral key off the curve or with a bad prefix is rejected before ECDH")
    func invalidEphemeralKey() throws {
        let (key, sealed, s2) = Self.sealedSample()
        var offCurve = sealed
        offCurve[64] ^= 0x01  // last byte of Y
        #expect(throws: ECIES.Error.invalidEphemeralKey) { try ECIES.open(offCurve, with: key, sharedMACData: s2) }
        var zeroPoint = sealed
        for i in 1..<65 { zeroPoint[i] = 0 }
        #expect(throws: ECIES.Error.invalidEphemeralKey) { try ECIES.open(zeroPoint, with: key, sharedMACData: s2) }
        for prefix: UInt8 in [0x00, 0x02, 0x03, 0x06, 0x07] {
            var bad = sealed
            bad[0] = prefix
            #expect(throws: ECIES.Error.invalidEphemeralKey) { try ECIES.open(bad, with: key, sharedMACData: s2) }
        }
    }

    @Test("messages shorter than the overhead are rejected")
    func tooShort() throws {
        let key = Secp256k1.PrivateKey()
        #expect(throws: ECIES.Error.tooShort(112)) { try ECIES.open([UInt8](repeating: 4, count: 112), with: key) }
        #expect(throws: ECIES.Error.tooShort(0)) { try ECIES.open([UInt8](), with: key) }
        // Exactly the overhead is an empty plaintext.
        let empty = ECIES.seal([UInt8](), to: key.publicKey)
        #expect(empty.count == ECIES.overhead)
        #expect(try ECIES.open(empty, with: key) == [])
    }

    @Test("error descriptions")
    func descriptions() {
        #expect(ECIES.Error.tooShort(5).description == "ECIES message has 5 bytes, fewer than the 113-byte overhead")
        #expect(ECIES.Error.macMismatch.description.contains("authentication failed"))
    }
}

/// Just enough RLP to check the EIP-8 plaintexts without the RLP module:
/// splits the first item, a list, into the raw encodings of its elements.
enum TinyRLP {
    /// (header length, payload length) of the item at the start of `bytes`.
    static func header(_ bytes: ArraySlice<UInt8>) -> (Int, Int)? {
        guard let first = bytes.first else { return nil }
        func bigEndian(_ count: Int) -> Int? {
            guard bytes.count > count else { return nil }
            return bytes.dropFirst().prefix(count).reduce(0) { $0 << 8 | Int($1) }
        }
        switch first {
        case 0x00...0x7f: return (0, 1)
        case 0x80...0xb7: return (1, Int(first) - 0x80)
        case 0xb8...0xbf: return bigEndian(Int(first) - 0xb7).map { (1 + Int(first) - 0xb7, $0) }
        case 0xc0...0xf7: return (1, Int(first) - 0xc0)
        default: return bigEndian(Int(first) - 0xf7).map { (1 + Int(first) - 0xf7, $0) }
        }
    }

    static func listItems(_ bytes: [UInt8]) -> [[UInt8]]? {
        guard let first = bytes.first, first >= 0xc0, let (headerLength, payloadLength) = header(bytes[...]) else { return nil }
        var items: [[UInt8]] = []
        var offset = headerLength
        let end = headerLength + payloadLength
        guard end <= bytes.count else { return nil }
        while offset < end {
            guard let (h, p) = header(bytes[offset..<end]), offset + h + p <= end else { return nil }
            items.append(Array(bytes[offset..<(offset + h + p)]))
            offset += h + p
        }
        return items
    }

    static func stringContent(_ item: [UInt8]) -> [UInt8] {
        guard let (h, _) = header(item[...]) else { return [] }
        return Array(item[h...])
    }

    static func integer(_ item: [UInt8]) -> Int {
        stringContent(item).reduce(0) { $0 << 8 | Int($1) }
    }
}
