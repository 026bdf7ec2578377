/// The total order announcements are processed in: Lamport time, then ID.
struct OrderKey: Hashable, Comparable, Sendable {
    let lamportTime: UInt64
    let id: AnnouncementID

    init(_ announcement: SignedAnnouncement) {
        lamportTime = announcement.announcement.lamportTime
        id = announcement.id
    }

    static func < (lhs: OrderKey, rhs: OrderKey) -> Bool {
        lhs.lamportTime != rhs.lamportTime ? lhs.lamportTime < rhs.lamportTime : lhs.id < rhs.id
    }
}
