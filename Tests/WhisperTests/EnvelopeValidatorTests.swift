import Testing
@testable import Whisper

@Suite struct EnvelopeValidatorTests {
    /// 2024-05-01T12:00:09Z.
    static let now: UInt32 = 1_714_564_809

    static func envelope(sent: UInt32, ttl: UInt32 = 50, dataCount: Int = 100, topic: Topic = Topic(name: "v")) -> Envelope {
        Envelope(expiry: sent &+ ttl, timeToLive: ttl, topic: topic, data: [UInt8](repeating: 0x33, count: dataCount))
    }

    static func envelope(expiry: UInt32, ttl: UInt32 = 50) -> Envelope {
        Envelope(expiry: expiry, timeToLive: ttl, topic: Topic(name: "v"), data: [1, 2, 3])
    }

    @Test func acceptsCurrentEnvelopeAndReturnsItsProofOfWork() throws {
        let envelope = Self.envelope(sent: Self.now - 5)
        #expect(try EnvelopeValidator().validate(envelope, now: Self.now) == envelope.proofOfWork())
    }

    /// Up to 10 s in the future is accepted, with the PoW recomputed for a
    /// TTL lengthened by `sent - now + 1`; beyond is a protocol error.
    @Test func futureTolerance() throws {
        let validator = EnvelopeValidator()
        for ahead: UInt32 in [1, 5, 10] {
            let envelope = Self.envelope(sent: Self.now + ahead)
            #expect(try validator.validate(envelope, now: Self.now) == envelope.proofOfWork(timeToLiveExtension: ahead + 1))
        }
        let tooEarly = Self.envelope(sent: Self.now + 11)
        #expect(throws: EnvelopeError.sentInFuture(sent: Self.now + 11, receivedAt: Self.now, tolerance: 10)) {
            try validator.validate(tooEarly, now: Self.now)
        }
    }

    /// TTL > expiry wraps to a far-future send time, as in geth.
    @Test func timeToLiveBeyondExpiryReadsAsFuture() {
        let envelope = Envelope(expiry: 30, timeToLive: 60, topic: Topic(name: "v"), data: [])
        #expect(throws: EnvelopeError.sentInFuture(sent: UInt32.max - 29, receivedAt: Self.now, tolerance: 10)) {
            try EnvelopeValidator().validate(envelope, now: Self.now)
        }
    }

    /// `expiry == now` is alive; up to 20 s late is dropped silently; later is a protocol error.
    @Test func expiryWindow() throws {
        let validator = EnvelopeValidator()
        _ = try validator.validate(Self.envelope(expiry: Self.now), now: Self.now)
        for late: UInt32 in [1, 4, 20] {
            #expect(throws: EnvelopeError.recentlyExpired(expiry: Self.now - late, receivedAt: Self.now)) {
                try validator.validate(Self.envelope(expiry: Self.now - late), now: Self.now)
            }
        }
        #expect(throws: EnvelopeError.expired(expiry: Self.now - 21, receivedAt: Self.now)) {
            try validator.validate(Self.envelope(expiry: Self.now - 21), now: Self.now)
        }
        #expect(!EnvelopeError.recentlyExpired(expiry: 1, receivedAt: 2).isProtocolViolation)
        #expect(EnvelopeError.expired(expiry: 1, receivedAt: 30).isProtocolViolation)
    }

    @Test func sizeLimitIsTwentyPlusData() throws {
        let validator = EnvelopeValidator(maxEnvelopeSize: 120)
        _ = try validator.validate(Self.envelope(sent: Self.now, dataCount: 100), now: Self.now)
        #expect(throws: EnvelopeError.tooLarge(size: 121, limit: 120)) {
            try validator.validate(Self.envelope(sent: Self.now, dataCount: 101), now: Self.now)
        }
        let oversized = Self.envelope(sent: Self.now, dataCount: WhisperProtocol.defaultMaxMessageSize)
        #expect(throws: EnvelopeError.tooLarge(size: (1 << 20) + 20, limit: 1 << 20)) {
            try EnvelopeValidator().validate(oversized, now: Self.now)
        }
    }

    @Test func proofOfWorkMinimumAndTolerance() throws {
        let envelope = Self.envelope(sent: Self.now)
        let proofOfWork = envelope.proofOfWork()
        _ = try EnvelopeValidator(minimumProofOfWork: proofOfWork).validate(envelope, now: Self.now)
        let strict = EnvelopeValidator(minimumProofOfWork: proofOfWork * 2)
        #expect(throws: EnvelopeError.insufficientProofOfWork(proofOfWork: proofOfWork, required: proofOfWork * 2)) {
            try strict.validate(envelope, now: Self.now)
        }
        let tolerant = EnvelopeValidator(minimumProofOfWork: proofOfWork * 2, toleratedMinimumProofOfWork: proofOfWork / 2)
        #expect(try tolerant.validate(envelope, now: Self.now) == proofOfWork)
        // PoW 0 accepts everything, including the default 0.2 a geth peer would demand of others.
        let unmined = Envelope(expiry: Self.now + 50, timeToLive: 50, topic: Topic(name: "v"), data: [UInt8](repeating: 1, count: 500))
        _ = try EnvelopeValidator().validate(unmined, now: Self.now)
    }

    @Test func bloomAndTolerance() throws {
        let mine = Topic(name: "mine")
        let other = Topic(name: "other")
        #expect(!mine.bloom.matches(other))
        let validator = EnvelopeValidator(bloom: mine.bloom)
        _ = try validator.validate(Self.envelope(sent: Self.now, topic: mine), now: Self.now)
        #expect(throws: EnvelopeError.topicNotInBloom(topic: other)) {
            try validator.validate(Self.envelope(sent: Self.now, topic: other), now: Self.now)
        }
        let tolerant = EnvelopeValidator(bloom: mine.bloom, toleratedBloom: other.bloom)
        _ = try tolerant.validate(Self.envelope(sent: Self.now, topic: other), now: Self.now)
        _ = try EnvelopeValidator(bloom: .full).validate(Self.envelope(sent: Self.now, topic: other), now: Self.now)
    }

    @Test func timeToLiveRange() throws {
        let validator = EnvelopeValidator(timeToLiveRange: 1...3600)
        _ = try validator.validate(Self.envelope(sent: Self.now, ttl: 3600), now: Self.now)
        #expect(throws: EnvelopeError.timeToLiveOutOfRange(timeToLive: 0, allowed: 1...3600)) {
            try validator.validate(Self.envelope(sent: Self.now, ttl: 0), now: Self.now)
        }
        #expect(throws: EnvelopeError.timeToLiveOutOfRange(timeToLive: 3601, allowed: 1...3600)) {
            try validator.validate(Self.envelope(sent: Self.now, ttl: 3601), now: Self.now)
        }
        // geth's default accepts TTL 0 (PoW +infinity).
        #expect(try EnvelopeValidator(minimumProofOfWork: 1e9).validate(Self.envelope(sent: Self.now, ttl: 0), now: Self.now) == .infinity)
    }

    @Test func descriptionsReadAsSentences() {
        // 12:00:05Z and 12:00:09Z on 2024-05-01.
        #expect(EnvelopeError.expired(expiry: Self.now - 4, receivedAt: Self.now).description
                == "envelope expired at 12:00:05Z, received at 12:00:09Z")
        // Different days show the dates: 2024-02-29T23:59:59Z and 2024-03-01T00:00:09Z.
        #expect(EnvelopeError.expired(expiry: 1_709_251_199, receivedAt: 1_709_251_209).description
                == "envelope expired at 2024-02-29T23:59:59Z, received at 2024-03-01T00:00:09Z")
        #expect(EnvelopeError.sentInFuture(sent: Self.now + 60, receivedAt: Self.now, tolerance: 10).description
                == "envelope sent at 12:01:09Z, more than 10 s after it was received at 12:00:09Z")
        #expect(EnvelopeError.tooLarge(size: 2_000_000, limit: 1_048_576).description
                == "envelope of 2000000 bytes exceeds the limit of 1048576 bytes")
        #expect(UTCTime.dateTime(0) == "1970-01-01T00:00:00Z")
        #expect(UTCTime.dateTime(UInt32.max) == "2106-02-07T06:28:15Z")
    }
}
