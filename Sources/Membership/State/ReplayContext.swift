/// What the replay of one announcement may look up about the whole set: where
/// every announcement sorts, and the policies proposed by policy changes,
/// each loaded once when its announcement joined the set.
struct ReplayContext: Sendable {
    var keys: [AnnouncementID: OrderKey] = [:]
    var proposals: [AnnouncementID: ProposedPolicy] = [:]
}

/// A policy change's text, loaded.
enum ProposedPolicy: Sendable {
    case loaded(Replayer)
    /// The text does not load; the reason names line and column in it.
    case invalid(String)

    init(_ signed: SignedAnnouncement) {
        do {
            let policy = try PolicyLoader.load(yaml: signed.announcement.policyText, path: "policy proposed by \(signed.id)")
            self = .loaded(Replayer(policy: policy, policyHash: policy.hash))
        } catch {
            self = .invalid(error.description)
        }
    }
}
