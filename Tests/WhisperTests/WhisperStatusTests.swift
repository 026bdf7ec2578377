import RLP
import TestSupport
import Testing
@testable import Whisper

@Suite struct WhisperStatusTests {
    static func decode(_ hex: String) throws(PacketError) -> WhisperStatus {
        guard case let .status(status) = try WhisperPacket.decode(code: 0, data: hexBytes(hex)) else {
            fatalError("not a status")
        }
        return status
    }

    /// Spec §2 examples (computed): geth's default and Herald's.
    @Test func encodingAsGeth() {
        #expect(hexString(WhisperPacket.status(WhisperStatus(proofOfWorkRequirement: 0.2)).encodedData())
                == "cc06883fc999999999999a8080")
        #expect(hexString(WhisperPacket.status(WhisperStatus()).encodedData()) == "c406808080")
        let bloom = Topic(name: "herald").bloom
        let withBloom = WhisperPacket.status(WhisperStatus(bloom: bloom, isLightNode: true)).encodedData()
        #expect(hexString(withBloom) == "f84506" + "80" + "b840" + bloom.description + "01")
    }

    @Test func roundTrips() throws {
        for status in [WhisperStatus(), WhisperStatus(proofOfWorkRequirement: 0.2),
                       WhisperStatus(proofOfWorkRequirement: 12.5, bloom: .full, isLightNode: true),
                       WhisperStatus(bloom: Topic(name: "a").bloom)] {
            let data = WhisperPacket.status(status).encodedData()
            #expect(try WhisperPacket.decode(code: 0, data: data) == .status(status))
        }
    }

    @Test func optionalFieldsAsGeth() throws {
        // Only the version: PoW 0, no bloom, not light.
        #expect(try Self.decode("c106") == WhisperStatus())
        // Extra fields are ignored.
        #expect(try Self.decode("c606808001c180") == WhisperStatus(isLightNode: true))
        // Empty bloom = none; all-ff = full; both accept all topics.
        #expect(try Self.decode("c406808080").acceptsAllTopics)
        #expect(try Self.decode("f84506" + "80" + "b840" + String(repeating: "ff", count: 64) + "80").acceptsAllTopics)
        // A PoW that is not an integer (a list) skips PoW and bloom; light reads false.
        #expect(try Self.decode("c506c1808001") == WhisperStatus())
        // A bloom that is a list is skipped; light then reads false.
        #expect(try Self.decode("c40680c001") == WhisperStatus())
        // Light flag other than 01 reads false.
        #expect(try Self.decode("c406808002") == WhisperStatus())
        #expect(try Self.decode("c406808000") == WhisperStatus())
    }

    @Test func refusals() {
        #expect(throws: PacketError.unsupportedVersion(5)) { try Self.decode("c405808080") }
        #expect(throws: PacketError.malformed(code: 0, .listTooShort(offset: 1))) { try Self.decode("c0") }
        // NaN, +Inf, -1.0 as PoW.
        for bits in ["7ff8000000000000", "7ff0000000000000", "bff0000000000000"] {
            #expect(throws: PacketError.invalidProofOfWork(code: 0, bitPattern: UInt64(bits, radix: 16)!)) {
                try Self.decode("cc0688" + bits + "8080")
            }
        }
        #expect(throws: PacketError.wrongBloomLength(code: 0, length: 3)) { try Self.decode("c70680" + "83010203" + "80") }
        #expect(throws: PacketError.self) { try Self.decode("06") }       // not a list
        #expect(throws: PacketError.self) { try Self.decode("c4c1068080") } // version is a list
        #expect(throws: PacketError.self) { try Self.decode("c5068080") }   // truncated
    }

    @Test func negativeZeroIsAcceptedAsGethDoes() throws {
        #expect(try Self.decode("cc0688" + "8000000000000000" + "8080").proofOfWorkRequirement == 0)
    }

    @Test func acceptsTopicPerBloom() {
        let mine = Topic(name: "mine")
        let status = WhisperStatus(bloom: mine.bloom)
        #expect(status.accepts(mine))
        #expect(!status.accepts(Topic(name: "other")))
        #expect(!status.acceptsAllTopics)
        #expect(WhisperStatus().accepts(Topic(name: "other")))
    }
}
