import CSecp256k1

/// The one libsecp256k1 context of the process.
///
/// Created once (on first use) and never destroyed, then randomised with 32
/// bytes from the OS CSPRNG as blinding against side channels in signing and
/// key generation.
///
/// `@unchecked Sendable` is safe because libsecp256k1 documents that a
/// context may be used from many threads at once by every function that takes
/// it as `const secp256k1_context *`; only `secp256k1_context_randomize` and
/// `secp256k1_context_destroy` need exclusive access. Randomisation happens
/// here in `init`, before the context is published through the `static let`
/// (whose lazy initialisation is thread-safe), and destruction never happens.
/// Every other use in this module passes the context as a const pointer.
final class Secp256k1Context: @unchecked Sendable {
    /// The shared context.
    static let shared = Secp256k1Context()

    /// The `secp256k1_context *`; read-only after `init`.
    let pointer: OpaquePointer

    private init() {
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("secp256k1_context_create failed (out of memory)")
        }
        var seed = SecureRandom.bytes(count: 32)
        let randomized = secp256k1_context_randomize(context, &seed)
        seed.withUnsafeMutableBytes { wipe($0) }
        precondition(randomized == 1, "secp256k1_context_randomize failed")
        pointer = context
    }
}
