/// Bounds the decoder enforces on untrusted input, beyond canonical form.
///
/// Lengths need no limit of their own: every declared length is checked
/// against the bytes actually present before anything is allocated. Nesting
/// does, because each level costs stack when decoding into ``RLPItem``.
public struct RLPLimits: Hashable, Sendable {
    /// Most lists that may enclose one another; a deeper list is refused with
    /// ``RLPError/tooDeep(offset:maxDepth:)``. A top-level list is depth 1.
    public var maxDepth: Int

    /// Limits with the given nesting bound (negative values behave as 0).
    public init(maxDepth: Int = 64) {
        self.maxDepth = maxDepth
    }

    /// 64 levels: far above any devp2p message, far below a stack overflow.
    public static let `default` = RLPLimits()
}
