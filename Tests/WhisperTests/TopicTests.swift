import HeraldCrypto
import TestSupport
import Testing
@testable import Whisper

@Suite struct TopicTests {
    /// Vectors `bytestotopic-001..010`: geth `BytesToTopic`.
    @Test(arguments: WhisperVectors.category("bytes_to_topic"))
    func bytesToTopic(vector: WhisperVector) {
        let topic = Topic(truncatingOrPadding: vector.input["bytes"].bytes)
        #expect(topic.description == vector.expected["topic"].string)
        #expect(hexString(topic.rawRepresentation) == vector.expected["topic"].string)
    }

    @Test func bytesToTopicVectorsAreAllPresent() {
        #expect(WhisperVectors.category("bytes_to_topic").count == 10)
    }

    @Test func strictInitAcceptsOnlyFourBytes() {
        #expect(Topic(rawRepresentation: [1, 2, 3, 4])?.rawRepresentation == [1, 2, 3, 4])
        #expect(Topic(rawRepresentation: [1, 2, 3]) == nil)
        #expect(Topic(rawRepresentation: [1, 2, 3, 4, 5]) == nil)
        #expect(Topic(rawRepresentation: []) == nil)
    }

    @Test func nameDerivationIsFirstFourBytesOfKeccak() {
        // keccak256("abc") = 4e03657a… (vector keccak-001).
        #expect(Topic(name: "abc").description == "4e03657a")
        #expect(Topic(name: "herald") == Topic(truncatingOrPadding: Keccak256.hash(Array("herald".utf8)).prefix(4)))
        #expect(Topic(name: "herald").description == "27df6cac")
    }

    @Test func byteAccessIsWireOrder() {
        let topic = Topic(truncatingOrPadding: [0x8f, 0x9a, 0x2b, 0x7d])
        #expect((0..<4).map { topic[byte: $0] } == [0x8f, 0x9a, 0x2b, 0x7d])
        #expect(Topic.zero.rawRepresentation == [0, 0, 0, 0])
    }
}
