#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes from the operating system's CSPRNG, for keys, nonces and IVs.
///
/// Uses `getentropy(3)`, which on Linux is the `getrandom(2)` system call
/// (it blocks only until the kernel pool is first initialised at boot) and on
/// Darwin the kernel CSPRNG. No user-space generator sits in between, so
/// nothing needs reseeding after a fork.
public enum SecureRandom {
    /// `getentropy` hands out at most this many bytes per call.
    private static let chunkSize = 256

    /// `count` random bytes.
    public static func bytes(count: Int) -> [UInt8] {
        precondition(count >= 0, "SecureRandom.bytes(count:) needs a non-negative count")
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Overwrites `buffer` with random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let length = min(chunkSize, buffer.count - offset)
            guard getentropy(base + offset, length) == 0 else {
                if errno == EINTR { continue }
                // No entropy source at all: continuing would mean predictable keys.
                fatalError("getentropy failed (errno \(errno)); no secure randomness available")
            }
            offset += length
        }
    }
}
