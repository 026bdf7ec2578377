/// A v4 node address: keccak256 of the node's 64-byte public key.
///
/// What discovery, ENR, the allowlist and the membership log call a node's ID
/// (geth `enode.ID`). Ordered by its bytes, so member lists sort the same way
/// on every agent.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    private let digest: Keccak256.Digest

    /// The address of `publicKey`.
    public init(publicKey: Secp256k1.PublicKey) {
        digest = Keccak256.hash(publicKey.rawRepresentation)
    }

    /// From the 32 address bytes (e.g. read from a policy file or the log).
    /// - Throws: ``Secp256k1/KeyError/wrongLength(expected:actual:)``.
    public init(rawRepresentation: some Collection<UInt8>) throws(Secp256k1.KeyError) {
        guard let digest = Keccak256.Digest(bytes: rawRepresentation) else {
            throw .wrongLength(expected: 32, actual: rawRepresentation.count)
        }
        self.digest = digest
    }

    /// The 32 address bytes.
    public var rawRepresentation: [UInt8] { digest.bytes }

    /// The full address, 64 lowercase hex digits.
    public var hex: String { Hex.encode(digest) }

    /// Short form for logs and messages: the first 4 and last 2 hex digits,
    /// e.g. `3f1c…a9`. Use ``hex`` where the full ID matters.
    public var description: String {
        let full = hex
        return "\(full.prefix(4))…\(full.suffix(2))"
    }

    /// Byte-wise lexicographic order.
    public static func < (lhs: NodeID, rhs: NodeID) -> Bool {
        lhs.digest.lexicographicallyPrecedes(rhs.digest)
    }
}
