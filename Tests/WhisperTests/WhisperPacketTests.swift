import RLP
import TestSupport
import Testing
@testable import Whisper

@Suite struct WhisperPacketTests {
    static let envelope = Envelope(expiry: 0, timeToLive: 1, topic: .zero, data: [0xde, 0xad, 0xbe, 0xef], nonce: 100_000)
    static let envelopeHex = "d08001840000000084deadbeef830186a0"

    @Test func codes() {
        #expect(WhisperPacket.status(WhisperStatus()).code == 0)
        #expect(WhisperPacket.messages([]).code == 1)
        #expect(WhisperPacket.proofOfWorkRequirement(0).code == 2)
        #expect(WhisperPacket.bloomFilter(.full).code == 3)
        #expect(WhisperPacket.p2pRequest(Self.envelope).code == 126)
        #expect(WhisperPacket.p2pMessage(Self.envelope).code == 127)
        #expect(WhisperPacket.unknown(code: 42, data: []).code == 42)
    }

    /// Packets 2 and 3 carry bare values; 126/127 one envelope, not a list (spec §12.7–8).
    @Test func encodingsAsGeth() {
        #expect(hexString(WhisperPacket.proofOfWorkRequirement(0.2).encodedData()) == "883fc999999999999a")
        #expect(hexString(WhisperPacket.proofOfWorkRequirement(0).encodedData()) == "80")
        #expect(hexString(WhisperPacket.bloomFilter(.full).encodedData()) == "b840" + String(repeating: "ff", count: 64))
        #expect(hexString(WhisperPacket.messages([]).encodedData()) == "c0")
        #expect(hexString(WhisperPacket.messages([Self.envelope, Self.envelope]).encodedData())
                == "e2" + Self.envelopeHex + Self.envelopeHex)
        #expect(hexString(WhisperPacket.p2pMessage(Self.envelope).encodedData()) == Self.envelopeHex)
        #expect(hexString(WhisperPacket.p2pRequest(Self.envelope).encodedData()) == Self.envelopeHex)
    }

    @Test func roundTrips() throws {
        let other = Envelope(expiry: 1_714_564_865, timeToLive: 60, topic: Topic(name: "x"), data: Array(0..<200), nonce: 7)
        let packets: [WhisperPacket] = [
            .status(WhisperStatus(proofOfWorkRequirement: 0.2, bloom: Topic(name: "x").bloom)),
            .messages([]), .messages([Self.envelope]), .messages([Self.envelope, other]),
            .proofOfWorkRequirement(0), .proofOfWorkRequirement(0.2), .proofOfWorkRequirement(1e6),
            .bloomFilter(.full), .bloomFilter(Topic(name: "x").bloom),
            .p2pRequest(other), .p2pMessage(Self.envelope),
            .unknown(code: 4, data: [1, 2, 3]), .unknown(code: 125, data: []),
        ]
        for packet in packets {
            #expect(try WhisperPacket.decode(code: packet.code, data: packet.encodedData()) == packet)
        }
    }

    /// Codes 4…125 are reported as unknown (geth ignores them); ≥ 128 are outside the capability.
    @Test func unknownAndOutOfRangeCodes() throws {
        #expect(try WhisperPacket.decode(code: 4, data: [0xff, 0x00]) == .unknown(code: 4, data: [0xff, 0x00]))
        #expect(try WhisperPacket.decode(code: 100, data: []) == .unknown(code: 100, data: []))
        for code: UInt64 in [128, 200, UInt64.max] {
            #expect(throws: PacketError.codeOutOfRange(code: code)) { try WhisperPacket.decode(code: code, data: []) }
        }
    }

    @Test func sizeLimitIsCheckedBeforeDecoding() {
        let data = [UInt8](repeating: 0xff, count: 101)   // garbage: the size is what fails
        #expect(throws: PacketError.tooLarge(code: 1, size: 101, limit: 100)) {
            try WhisperPacket.decode(code: 1, data: data, maxSize: 100)
        }
        #expect(throws: PacketError.tooLarge(code: 1, size: (1 << 20) + 1, limit: 1 << 20)) {
            try WhisperPacket.decode(code: 1, data: [UInt8](repeating: 0, count: (1 << 20) + 1))
        }
    }

    @Test(arguments: [
        (1, "80"),                                          // Messages not a list
        (1, "c5" + "c4" + "80808080"),                      // envelope with four fields
        (1, "d1" + "d08001840000000084deadbeef830186"),     // truncated envelope inside
        (1, "c0c0"),                                        // trailing bytes
        (2, "c0"),                                          // PoW requirement in a list
        (2, "89003fc999999999999a"),                        // leading zero
        (2, "88003fc99999999999"),                          // 8 bytes with leading zero
        (2, "8a0102030405060708090a"),                      // wider than 64 bits
        (3, "c0"),                                          // bloom in a list
        (126, "c0"),                                        // P2P request not an envelope
        (127, "c58001840000"),                              // P2P message truncated
        (0, ""),                                            // empty Status
    ] as [(UInt64, String)])
    func malformedPackets(code: UInt64, hex: String) {
        #expect(throws: PacketError.self, "code \(code): \(hex)") {
            try WhisperPacket.decode(code: code, data: hexBytes(hex))
        }
    }

    @Test func invalidProofOfWorkValues() {
        for bits in ["7ff8000000000000", "fff0000000000000", "bfc999999999999a"] {
            #expect(throws: PacketError.invalidProofOfWork(code: 2, bitPattern: UInt64(bits, radix: 16)!)) {
                try WhisperPacket.decode(code: 2, data: hexBytes("88" + bits))
            }
        }
    }

    @Test func bloomFilterMustBe64Bytes() {
        #expect(throws: PacketError.wrongBloomLength(code: 3, length: 0)) { try WhisperPacket.decode(code: 3, data: [0x80]) }
        #expect(throws: PacketError.wrongBloomLength(code: 3, length: 63)) {
            try WhisperPacket.decode(code: 3, data: [0xb8, 63] + [UInt8](repeating: 1, count: 63))
        }
    }

    @Test func errorDescriptionsNameThePacket() {
        #expect(PacketError.tooLarge(code: 1, size: 2_000_000, limit: 1_048_576).description
                == "shh Messages packet of 2000000 bytes exceeds the limit of 1048576 bytes")
        #expect(PacketError.wrongBloomLength(code: 3, length: 63).description.contains("Bloom Filter"))
    }
}
