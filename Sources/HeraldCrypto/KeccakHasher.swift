extension Keccak256 {
    /// Incremental Keccak-256.
    ///
    /// A value type holding the whole sponge inline: copying a hasher forks the
    /// state, and ``finalize()`` pads and squeezes a copy, so a caller can read
    /// the digest of everything absorbed so far and keep absorbing. The RLPx
    /// ingress and egress MAC states rely on both properties.
    public struct Hasher: Sendable {
        /// The 25 lanes; input bytes are XORed straight into them.
        private var state: KeccakState = KeccakF1600.zero
        /// Bytes of the current, not yet permuted block already XORed into
        /// `state`; always less than `Keccak256.rate`.
        private var position = 0

        /// An empty hasher (the digest of nothing absorbed is keccak256("")).
        public init() {}

        /// Absorbs `bytes`.
        public mutating func update(_ bytes: some Collection<UInt8>) {
            bytes.withContiguousBytes { update($0) }
        }

        /// Absorbs the bytes in `buffer`.
        public mutating func update(_ buffer: UnsafeRawBufferPointer) {
            guard var input = buffer.baseAddress, buffer.count > 0 else { return }
            var remaining = buffer.count
            let rate = Keccak256.rate
            if position > 0 {
                // Top up the partial block first.
                let take = min(remaining, rate - position)
                xor(input, count: take, at: position)
                position += take
                input += take
                remaining -= take
                guard position == rate else { return }
                KeccakF1600.absorb(&state, blocks: nil, count: 1)
                position = 0
            }
            let blockCount = remaining / rate
            if blockCount > 0 {
                KeccakF1600.absorb(&state, blocks: input, count: blockCount)
                input += blockCount * rate
                remaining -= blockCount * rate
            }
            if remaining > 0 {
                xor(input, count: remaining, at: 0)
                position = remaining
            }
        }

        /// The digest of everything absorbed so far. Does not end the state:
        /// the padding is applied to a copy, and absorbing may continue.
        public func finalize() -> Digest {
            var copy = self
            // Keccak padding pad10*1 with the 0x01 domain byte (SHA-3 would use 0x06).
            copy.xor(byte: 0x01, at: position)
            copy.xor(byte: 0x80, at: Keccak256.rate - 1)
            KeccakF1600.absorb(&copy.state, blocks: nil, count: 1)
            let s = copy.state
            return Digest(lanes: s.0, s.1, s.2, s.3)
        }

        /// XORs `count` bytes into the state starting at byte `offset` of the
        /// current block (byte i of a lane is bits 8i..8i+7, little-endian).
        private mutating func xor(_ bytes: UnsafeRawPointer, count: Int, at offset: Int) {
            withUnsafeMutablePointer(to: &state) { tuple in
                tuple.withMemoryRebound(to: UInt64.self, capacity: 25) { lanes in
                    for i in 0..<count {
                        let p = offset &+ i
                        lanes[p &>> 3] ^= UInt64(bytes.load(fromByteOffset: i, as: UInt8.self)) &<< (UInt64(p & 7) &* 8)
                    }
                }
            }
        }

        /// XORs one byte into the state at byte `offset` of the current block.
        private mutating func xor(byte: UInt8, at offset: Int) {
            withUnsafeBytes(of: byte) { xor($0.baseAddress!, count: 1, at: offset) }
        }
    }
}
