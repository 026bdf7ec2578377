import COpenSSL

/// Overwrites secret bytes with zeros in a way the optimiser may not remove
/// (`OPENSSL_cleanse`), so that keys and derived secrets do not linger in
/// freed memory.
func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return }
    OPENSSL_cleanse(base, buffer.count)
}
