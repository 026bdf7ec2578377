import HeraldCrypto

/// The plaintext inside an envelope (spec §8):
/// `flags ‖ sizeField (0–3, little-endian) ‖ payload ‖ padding ‖ [signature (65)]`.
enum MessageLayout {
    /// Flag bits 0–1: number of payload-size bytes.
    static let sizeFieldMask: UInt8 = 0x03
    /// Flag bit 2: a signature is appended.
    static let signatureFlag: UInt8 = 0x04
    /// Flag bits 3–7: unused.
    static let reservedFlagsMask: UInt8 = 0xf8
    /// `r ‖ s ‖ v`.
    static let signatureLength = 65
    /// geth pads flags‖sizeField‖payload‖padding‖signature to a multiple of this.
    static let paddingAlignment = 256
    /// Payloads must fit a 3-byte size field.
    static let maxPayloadCount = (1 << 24) - 1

    /// geth `getSizeOfPayloadSizeField`: 1 byte below 256, 2 below 65536, else 3.
    static func sizeFieldLength(payloadCount: Int) -> Int {
        var length = 1
        var remaining = payloadCount
        while remaining >= 256 {
            length += 1
            remaining /= 256
        }
        return length
    }

    /// geth `appendPadding` without caller padding: 1...256 bytes so that
    /// the plaintext, signature included, is a multiple of 256.
    static func automaticPaddingLength(payloadCount: Int, signed: Bool) -> Int {
        let raw = 1 + sizeFieldLength(payloadCount: payloadCount) + payloadCount + (signed ? signatureLength : 0)
        return paddingAlignment - raw % paddingAlignment
    }

    /// Total plaintext length for these parts.
    static func plaintextLength(payloadCount: Int, paddingCount: Int, signed: Bool) -> Int {
        1 + sizeFieldLength(payloadCount: payloadCount) + payloadCount + paddingCount + (signed ? signatureLength : 0)
    }

    /// Little-endian unsigned integer of up to 8 bytes (geth `bytesToUintLittleEndian`).
    static func littleEndianInteger(_ bytes: some Collection<UInt8>) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for byte in bytes.prefix(8) {
            value |= UInt64(byte) << shift
            shift += 8
        }
        return value
    }

    /// Builds the plaintext as geth's `NewSentMessage` + `sign` do: flags
    /// with the size-field length, the little-endian size, the payload, the
    /// padding, then — with the signature flag set first — a signature over
    /// keccak256 of everything so far.
    ///
    /// The caller has checked the payload length against ``maxPayloadCount``.
    static func build(payload: some Collection<UInt8>, padding: [UInt8],
                      signingKey: Secp256k1.PrivateKey?) throws(SealError) -> [UInt8] {
        let payloadCount = payload.count
        let sizeLength = sizeFieldLength(payloadCount: payloadCount)
        var plaintext: [UInt8] = []
        plaintext.reserveCapacity(plaintextLength(payloadCount: payloadCount, paddingCount: padding.count,
                                                  signed: signingKey != nil))
        plaintext.append(UInt8(sizeLength))
        for index in 0..<sizeLength {
            plaintext.append(UInt8(truncatingIfNeeded: payloadCount >> (8 * index)))
        }
        plaintext.append(contentsOf: payload)
        plaintext.append(contentsOf: padding)
        if let signingKey {
            plaintext[0] |= signatureFlag
            let digest = plaintext.withUnsafeBytes { Keccak256.hash($0) }
            do throws(Secp256k1.SignatureError) {
                let signature = try signingKey.signature(forDigest: digest)
                plaintext.append(contentsOf: signature.rawRepresentation)
            } catch {
                throw .signingFailed(error)
            }
        }
        return plaintext
    }

    /// Where the parts of a parsed plaintext are.
    struct Parsed {
        var payload: Range<Int>
        var padding: Range<Int>
        var signer: Secp256k1.PublicKey?
    }

    /// Parses a decrypted plaintext strictly (spec §8.5): reserved flag bits
    /// clear; a flagged signature leaves more than one byte before it; the
    /// size field and the payload both lie before the padding's end. Then,
    /// if signed, recovers the signer from keccak256 of the bytes before the
    /// signature (hashed once, in place).
    static func parse(_ plaintext: [UInt8], requiresSignature: Bool) throws(OpenError) -> Parsed {
        guard let flags = plaintext.first else {
            throw .emptyMessage
        }
        guard flags & reservedFlagsMask == 0 else {
            throw .reservedFlagBits(flags: flags)
        }
        let signed = flags & signatureFlag != 0
        var end = plaintext.count
        if signed {
            end -= signatureLength
            guard end > 1 else {
                throw .truncatedSignature(plaintextCount: plaintext.count)
            }
        } else if requiresSignature {
            throw .unsigned
        }
        let sizeLength = Int(flags & sizeFieldMask)
        guard 1 + sizeLength <= end else {
            throw .truncatedSizeField(fieldCount: sizeLength, available: end - 1)
        }
        let declared = Int(littleEndianInteger(plaintext[1 ..< 1 + sizeLength]))
        let payloadStart = 1 + sizeLength
        guard declared <= end - payloadStart else {
            throw .payloadSizeExceedsMessage(declared: declared, available: end - payloadStart)
        }
        var parsed = Parsed(payload: payloadStart ..< payloadStart + declared,
                            padding: payloadStart + declared ..< end,
                            signer: nil)
        if signed {
            let signedEnd = end
            let digest = plaintext.withUnsafeBytes { Keccak256.hash(UnsafeRawBufferPointer(rebasing: $0[..<signedEnd])) }
            do throws(Secp256k1.SignatureError) {
                let signature = try Secp256k1.RecoverableSignature(rawRepresentation: plaintext[end...])
                parsed.signer = try signature.recoverPublicKey(forDigest: digest)
            } catch {
                throw .invalidSignature(error)
            }
        }
        return parsed
    }
}
