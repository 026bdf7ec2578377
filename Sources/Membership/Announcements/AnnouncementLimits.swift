/// Upper bounds on the fields of announcements and acks, checked before any
/// signature work so that a hostile peer cannot make an agent allocate or
/// hash much.
public struct AnnouncementLimits: Hashable, Sendable {
    /// Largest signed encoding of any kind accepted, in bytes: the bound
    /// checked before anything is parsed (a policy change carries a policy text).
    public var maxEncodedSize: Int
    /// Largest signed join, leave or approve, in bytes.
    public var maxMembershipChangeSize: Int
    /// Longest policy text a policy change may carry, in bytes.
    public var maxPolicyTextLength: Int
    /// Longest consortium name, in bytes.
    public var maxConsortiumLength: Int
    /// Longest enode URL, in bytes.
    public var maxEnodeLength: Int
    /// Longest agent endpoint, in bytes.
    public var maxEndpointLength: Int
    /// Most roles in one announcement.
    public var maxRoles: Int
    /// Longest role name, in bytes.
    public var maxRoleLength: Int

    /// Creates limits; the defaults are generous for real announcements.
    public init(
        maxEncodedSize: Int = 64 << 10,
        maxMembershipChangeSize: Int = 4096,
        maxPolicyTextLength: Int = 60 << 10,
        maxConsortiumLength: Int = 64,
        maxEnodeLength: Int = 512,
        maxEndpointLength: Int = 300,
        maxRoles: Int = 16,
        maxRoleLength: Int = 64
    ) {
        self.maxEncodedSize = maxEncodedSize
        self.maxMembershipChangeSize = maxMembershipChangeSize
        self.maxPolicyTextLength = maxPolicyTextLength
        self.maxConsortiumLength = maxConsortiumLength
        self.maxEnodeLength = maxEnodeLength
        self.maxEndpointLength = maxEndpointLength
        self.maxRoles = maxRoles
        self.maxRoleLength = maxRoleLength
    }

    /// The limits every agent applies unless its policy says otherwise.
    public static let `default` = AnnouncementLimits()
}
