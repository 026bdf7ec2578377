import TestSupport
import Testing
@testable import Whisper

@Suite struct TopicBloomTests {
    /// Vector `bloom-001`: geth `TopicToBloom`.
    @Test(arguments: WhisperVectors.category("topic_to_bloom"))
    func topicToBloom(vector: WhisperVector) throws {
        let topic = try #require(Topic(rawRepresentation: vector.input["topic"].bytes))
        let expected = vector.expected["bloom"].bytes
        #expect(topic.bloom.rawRepresentation == expected)
        // geth's test checks the match in both directions.
        let mask = try #require(TopicBloom(rawRepresentation: expected))
        #expect(mask.contains(topic.bloom))
        #expect(topic.bloom.contains(mask))
    }

    /// geth assigns whole bytes; two indices in one byte keep only the later bit (spec §7).
    @Test func sharedByteIsOverwrittenAsGethDoes() throws {
        // 01020300: indices 1, 2, 3 all in byte 0 → only bit 3 survives.
        let a = try #require(Topic(rawRepresentation: [0x01, 0x02, 0x03, 0x00])).bloom
        #expect(a.rawRepresentation[0] == 0x08)
        #expect(a.rawRepresentation.dropFirst().allSatisfy { $0 == 0 })
        // 00010000: indices 0, 1, 0 → byte 0 ends as 01.
        let b = try #require(Topic(rawRepresentation: [0x00, 0x01, 0x00, 0x00])).bloom
        #expect(b.rawRepresentation[0] == 0x01)
    }

    @Test func highBitsOfTopicByteThreeAdd256() throws {
        // 05060707: indices 5+256, 6+256, 7+256 → byte 32 = 0x80 (last assignment wins).
        let bloom = try #require(Topic(rawRepresentation: [0x05, 0x06, 0x07, 0x07])).bloom
        #expect(bloom.rawRepresentation[32] == 0x80)
        #expect(bloom.rawRepresentation.enumerated().allSatisfy { $0.offset == 32 || $0.element == 0 })
    }

    @Test func unionMatchesEveryMemberAndFullMatchesAll() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<50 {
            let topics = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                Topic(truncatingOrPadding: generator.bytes(4))
            }
            let bloom = TopicBloom(topics: topics)
            for topic in topics {
                #expect(bloom.matches(topic))
                #expect(TopicBloom.full.matches(topic))
                #expect(!TopicBloom.empty.matches(topic))
            }
            #expect(bloom.union(.empty) == bloom)
            #expect(bloom.union(.full) == .full)
        }
        #expect(TopicBloom.full.isFull)
        #expect(!TopicBloom.empty.isFull)
        #expect(TopicBloom(topics: []) == .empty)
    }

    @Test func bloomOfOneTopicDoesNotMatchADisjointOne() throws {
        let a = try #require(Topic(rawRepresentation: [0x00, 0x00, 0xff, 0x06]))
        let b = try #require(Topic(rawRepresentation: [0x10, 0x20, 0x30, 0x00]))
        #expect(!a.bloom.matches(b))
        #expect(!b.bloom.matches(a))
    }

    @Test func rawRepresentationMustBe64Bytes() {
        #expect(TopicBloom(rawRepresentation: [UInt8](repeating: 0, count: 63)) == nil)
        #expect(TopicBloom(rawRepresentation: [UInt8](repeating: 0, count: 65)) == nil)
        #expect(TopicBloom(rawRepresentation: [UInt8](repeating: 0xff, count: 64)) == .full)
        #expect(TopicBloom.full.description == String(repeating: "ff", count: 64))
    }
}
