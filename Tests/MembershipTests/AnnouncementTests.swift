import HeraldCrypto
import RLP
import Testing
@testable import Membership

@Suite("Announcements")
struct AnnouncementTests {
    @Test("sign, encode, decode round-trips and the ID is keccak256 of the signed bytes")
    func roundTrip() throws {
        let body = Fixtures.announcement(.join, subject: 2, by: 1, lamport: 7, roles: ["validator", "bootnode"])
        let signed = Fixtures.signed(body, by: 1)
        let decoded = try SignedAnnouncement(decoding: signed.encoded)
        #expect(decoded == signed)
        #expect(decoded.announcement.roles == ["bootnode", "validator"])
        #expect(decoded.id == AnnouncementID(of: signed.encoded))
        #expect(decoded.id.rawRepresentation == Keccak256.hash(signed.encoded).bytes)
        #expect(decoded.announcement.agentEndpoint == AgentEndpoint(host: "10.0.0.1", port: 30304))
    }

    @Test("approve round-trips with its approved ID")
    func approveRoundTrip() throws {
        let target = Fixtures.signed(Fixtures.announcement(.join, subject: 5, by: 1), by: 1)
        let approve = Fixtures.signed(Fixtures.announcement(.approve, subject: 5, by: 2, lamport: 2, approving: target.id), by: 2)
        #expect(try SignedAnnouncement(decoding: approve.encoded).announcement.approvedID == target.id)
    }

    @Test("the signature covers keccak256(domain tag ‖ body)")
    func signingDigest() throws {
        let body = Fixtures.announcement(.leave, subject: 1, by: 1)
        let signed = Fixtures.signed(body, by: 1)
        let digest = Keccak256.hash(Array("herald/announcement/v1\u{0}".utf8) + body.encodedBody)
        #expect(Fixtures.key(1).publicKey.isValidSignature(signed.signature, forDigest: digest))
        // Without the tag, the same signature does not verify.
        #expect(!Fixtures.key(1).publicKey.isValidSignature(signed.signature, forDigest: Keccak256.hash(body.encodedBody)))
    }

    @Test("signing with another node's key is refused")
    func signWithWrongKey() {
        let body = Fixtures.announcement(.leave, subject: 1, by: 1)
        #expect(throws: AnnouncementError.signerMismatch(claimed: Fixtures.node(1), actual: Fixtures.node(2))) {
            try SignedAnnouncement.sign(body, with: Fixtures.key(2))
        }
    }

    @Test("a flipped signature byte is a bad signature or a signer mismatch")
    func forgedSignature() throws {
        let signed = Fixtures.signed(Fixtures.announcement(.leave, subject: 1, by: 1), by: 1)
        var bytes = signed.encoded
        bytes[bytes.count - 10] ^= 0x01
        #expect {
            try SignedAnnouncement(decoding: bytes)
        } throws: { error in
            guard let error = error as? AnnouncementError else { return false }
            return error.code == .badSignature || error.code == .signerMismatch
        }
    }

    @Test("a body re-signed by another key than the announcer's is a signer mismatch")
    func signerMismatch() throws {
        let body = Fixtures.announcement(.join, subject: 3, by: 1)
        let forged = try Fixtures.key(2).signature(forDigest: body.signingDigest)
        let bytes = SignedAnnouncement.encode(body: body.encodedBody, signature: forged)
        #expect(throws: AnnouncementError.signerMismatch(claimed: Fixtures.node(1), actual: Fixtures.node(2))) {
            try SignedAnnouncement(decoding: bytes)
        }
    }

    @Test("an unknown version is refused by name")
    func unknownVersion() throws {
        let body = Fixtures.announcement(.leave, subject: 1, by: 1)
        var writer = RLPWriter()
        writer.writeList { list in
            list.write(UInt64(2))
            list.write(bytes: Array("future".utf8))
        }
        let signature = try Fixtures.key(1).signature(forDigest: body.signingDigest)
        let bytes = SignedAnnouncement.encode(body: writer.bytes, signature: signature)
        #expect(throws: AnnouncementError.unknownVersion(2)) { try SignedAnnouncement(decoding: bytes) }
        #expect(AnnouncementError.unknownVersion(2).description == "unknown announcement version 2 (this agent knows version 1)")
    }

    @Test("oversized encodings and fields are refused before any signature work")
    func oversized() throws {
        let huge = [UInt8](repeating: 0xc0, count: 70_000)
        #expect(throws: AnnouncementError.oversized(field: "signed announcement", size: 70_000, limit: 65_536)) {
            try SignedAnnouncement(decoding: huge)
        }
        // Larger than a join may be, though within what a policy change may be.
        var longJoin = Fixtures.announcement(.join, subject: 2, by: 1)
        longJoin.subjectEnode += "?discport=" + String(repeating: "0", count: 480)
        var bigJoin = Fixtures.signed(longJoin, by: 1).encoded
        let limits = AnnouncementLimits(maxMembershipChangeSize: bigJoin.count - 1)
        #expect(throws: AnnouncementError.oversized(field: "join announcement", size: bigJoin.count, limit: bigJoin.count - 1)) {
            try SignedAnnouncement(decoding: bigJoin, limits: limits)
        }
        bigJoin = []
        var body = Fixtures.announcement(.join, subject: 2, by: 1)
        body.consortium = String(repeating: "x", count: 65)
        let signed = Fixtures.signed(body, by: 1)
        #expect(throws: AnnouncementError.oversized(field: "consortium", size: 65, limit: 64)) {
            try SignedAnnouncement(decoding: signed.encoded)
        }
        var manyRoles = Fixtures.announcement(.join, subject: 2, by: 1)
        manyRoles.roles = (0..<40).map { "role\($0 + 10)" }
        #expect {
            try SignedAnnouncement(decoding: Fixtures.signed(manyRoles, by: 1).encoded)
        } throws: { ($0 as? AnnouncementError)?.code == .oversized }
    }

    @Test("a malformed enode URL is refused", arguments: [
        "http://example.com",
        "enode://abcd@10.0.0.1:30303",
        "enode://" + String(repeating: "0", count: 128) + "@10.0.0.1:30303",
    ])
    func malformedEnode(url: String) throws {
        var body = Fixtures.announcement(.join, subject: 2, by: 1)
        body.subjectEnode = url
        #expect {
            try SignedAnnouncement(decoding: Fixtures.signed(body, by: 1).encoded)
        } throws: { ($0 as? AnnouncementError)?.code == .malformedEnode }
    }

    @Test("an enode naming another node than the subject is refused")
    func enodeSubjectMismatch() throws {
        var body = Fixtures.announcement(.join, subject: 2, by: 1)
        body.subjectEnode = Fixtures.enode(3)
        #expect {
            try SignedAnnouncement(decoding: Fixtures.signed(body, by: 1).encoded)
        } throws: { ($0 as? AnnouncementError)?.code == .malformedEnode }
    }

    @Test("truncated and trailing bytes are malformed")
    func malformed() throws {
        let signed = Fixtures.signed(Fixtures.announcement(.leave, subject: 1, by: 1), by: 1)
        #expect { try SignedAnnouncement(decoding: signed.encoded.dropLast()) } throws: { ($0 as? AnnouncementError)?.code == .malformed }
        #expect { try SignedAnnouncement(decoding: signed.encoded + [0]) } throws: { ($0 as? AnnouncementError)?.code == .malformed }
    }

    @Test("receipt checks: consortium, expiry, clock skew")
    func receiptChecks() throws {
        let signed = Fixtures.signed(Fixtures.announcement(.leave, subject: 1, by: 1, issuedAt: 1000, expiresAt: 2000), by: 1)
        try signed.verify(consortium: Fixtures.consortium, receivedAt: 1000, maxClockSkew: 60)
        #expect(throws: AnnouncementError.wrongConsortium(expected: "other", actual: Fixtures.consortium)) {
            try signed.verify(consortium: "other", receivedAt: 1000, maxClockSkew: 60)
        }
        #expect(throws: AnnouncementError.expired(expiresAt: 2000, receivedAt: 2001)) {
            try signed.verify(consortium: Fixtures.consortium, receivedAt: 2001, maxClockSkew: 60)
        }
        #expect(throws: AnnouncementError.futureDated(issuedAt: 1000, receivedAt: 939, maxSkew: 60)) {
            try signed.verify(consortium: Fixtures.consortium, receivedAt: 939, maxClockSkew: 60)
        }
        try signed.verify(consortium: Fixtures.consortium, receivedAt: 940, maxClockSkew: 60)
        #expect(AnnouncementError.expired(expiresAt: 0, receivedAt: 9).description
                == "expired at 1970-01-01T00:00:00Z, received at 1970-01-01T00:00:09Z")
    }

    @Test("field rules: join needs an enode, only approve names an ID, only join has roles")
    func fieldRules() throws {
        var join = Fixtures.announcement(.join, subject: 2, by: 1)
        join.subjectEnode = ""
        #expect { try SignedAnnouncement(decoding: Fixtures.signed(join, by: 1).encoded) } throws: {
            if case .invalidField(let field, _) = $0 as? AnnouncementError { return field == "subject enode" }
            return false
        }
        var approve = Fixtures.announcement(.approve, subject: 2, by: 1)
        approve.approvedID = nil
        #expect { try SignedAnnouncement(decoding: Fixtures.signed(approve, by: 1).encoded) } throws: {
            if case .invalidField(let field, _) = $0 as? AnnouncementError { return field == "approved ID" }
            return false
        }
        var leave = Fixtures.announcement(.leave, subject: 2, by: 1)
        leave.roles = ["validator"]
        #expect { try SignedAnnouncement(decoding: Fixtures.signed(leave, by: 1).encoded) } throws: {
            if case .invalidField(let field, _) = $0 as? AnnouncementError { return field == "roles" }
            return false
        }
    }
}
