import HeraldCrypto
import Testing
@testable import Membership

@Suite("Acks")
struct AckTests {
    let ack = Ack(
        announcementID: AnnouncementID(of: [1, 2, 3]),
        receiver: Fixtures.node(4),
        decision: .rejected(.expired),
        logIndex: 41,
        logHead: LogHash(rawRepresentation: [UInt8](repeating: 7, count: 32))!
    )

    @Test("sign and decode round-trip for every decision")
    func roundTrip() throws {
        for decision in [AckDecision.accepted, .pending, .rejected(.badSignature), .rejected(.duplicateApproval)] {
            var ack = self.ack
            ack.decision = decision
            let signed = try SignedAck.sign(ack, with: Fixtures.key(4))
            #expect(try SignedAck(decoding: signed.encoded) == signed)
        }
    }

    @Test("an ack signature never verifies as an announcement signature (distinct domain tags)")
    func domainSeparation() throws {
        let signed = try SignedAck.sign(ack, with: Fixtures.key(4))
        let asAnnouncement = Keccak256.hash(DomainTag.announcement + ack.encodedBody)
        #expect(!Fixtures.key(4).publicKey.isValidSignature(signed.signature, forDigest: asAnnouncement))
        #expect(DomainTag.ack != DomainTag.announcement)
    }

    @Test("an ack signed by another key is refused")
    func wrongSigner() throws {
        let signature = try Fixtures.key(5).signature(forDigest: Ack.signingDigest(encodedBody: ack.encodedBody))
        let bytes = SignedAnnouncement.encode(body: ack.encodedBody, signature: signature)
        #expect(throws: AnnouncementError.signerMismatch(claimed: Fixtures.node(4), actual: Fixtures.node(5))) {
            try SignedAck(decoding: bytes)
        }
    }
}
