/// Domain-separation tags prefixed to a body before hashing it for a
/// signature, so that a signature over one kind of message can never be
/// replayed as another.
enum DomainTag {
    /// Signed announcements: keccak256(tag ‖ RLP(body)).
    static let announcement: [UInt8] = Array("herald/announcement/v1\u{0}".utf8)
    /// Signed acknowledgements: keccak256(tag ‖ RLP(body)).
    static let ack: [UInt8] = Array("herald/ack/v1\u{0}".utf8)
}
