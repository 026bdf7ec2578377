import HeraldCrypto

/// Enode URL checks for announcements, with go-ethereum's parsing rules (``Enode``).
///
/// The audit parses one URL per logged join; ``Enode/init(parsing:)`` has a
/// byte-level fast path for the canonical form that makes this cheap.
enum EnodeURL {
    /// Parses a complete enode URL (`enode://<128 hex>@host:port`): an
    /// identity-only URL has no address to peer with and is refused.
    ///
    /// The canonical form `enode://<128 lowercase hex>@<a.b.c.d>:<port>` takes
    /// a byte-level fast path (the audit parses one per logged join); any
    /// other spelling goes through ``Enode/init(parsing:)``. Both give the same value.
    static func parse(_ url: String) throws(AnnouncementError) -> Enode {
        try parseReportingForm(url).enode
    }

    /// As ``parse(_:)``, also telling whether `url` was already canonical
    /// (then it equals the enode's description).
    static func parseReportingForm(_ url: String) throws(AnnouncementError) -> (enode: Enode, isCanonical: Bool) {
        let enode: Enode
        do {
            enode = try Enode(parsing: url)
        } catch {
            throw .malformedEnode(url: url, reason: error.description)
        }
        guard enode.host != nil, enode.tcpPort != 0 else {
            throw .malformedEnode(url: url, reason: "no host and TCP port")
        }
        return (enode, enode.description == url)
    }
}
