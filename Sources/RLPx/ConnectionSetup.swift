import HeraldCrypto
import NIOCore

/// What the handlers of one connection share: configuration, direction,
/// where to report events, and the promise the dialler or listener awaits.
struct ConnectionSetup: Sendable {
    let configuration: RLPxConfiguration
    let direction: ConnectionDirection
    let events: AsyncStream<ConnectionEvent>.Continuation
    /// Succeeds once the peer is admitted (handshake, allowlist, Hello); fails otherwise.
    let established: EventLoopPromise<PeerInfo>
    /// Initiator only: the key we dialled.
    let dialledKey: Secp256k1.PublicKey?

    /// Failure before establishment: report, fail the promise.
    func refuse(remoteAddress: String, nodeID: NodeID?, error: any Error) {
        events.yield(.refused(direction: direction, remoteAddress: remoteAddress, nodeID: nodeID,
                              reason: String(describing: error)))
        established.fail(error)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        self = .nanoseconds(duration.nanoseconds)
    }
}

extension Channel {
    /// `ip:port` of the peer, for events (never resolved, never secret).
    var remoteAddressText: String {
        guard let address = remoteAddress else { return "unknown" }
        switch address {
        case .v4:
            return "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        case .v6:
            return "[\(address.ipAddress ?? "?")]:\(address.port ?? 0)"
        case .unixDomainSocket:
            return "unix"
        }
    }
}
