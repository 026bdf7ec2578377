import NIOConcurrencyHelpers
import NIOCore

/// Bounds inbound connections before any handshake work is done: how many
/// may be in their handshake at once, and how many may be open from one
/// remote address. A connection over either bound is closed as soon as it
/// is accepted, so a flood of silent sockets (slow-loris) costs one
/// descriptor each for a moment, not a handshake each.
final class InboundGate: Sendable {
    private struct State {
        var pending = 0
        var perAddress: [String: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let maxPending: Int
    private let maxPerAddress: Int

    init(maxPendingHandshakes: Int, maxConnectionsPerAddress: Int) {
        maxPending = maxPendingHandshakes
        maxPerAddress = maxConnectionsPerAddress
    }

    /// A connection let in: its pending-handshake and per-address slots, each released once.
    final class Ticket: Sendable {
        private let gate: InboundGate
        private let address: String
        private let released = NIOLockedValueBox((handshake: false, connection: false))

        fileprivate init(gate: InboundGate, address: String) {
            self.gate = gate
            self.address = address
        }

        /// The handshake ended, either way.
        func handshakeEnded() {
            let first = released.withLockedValue { state in
                defer { state.handshake = true }
                return !state.handshake
            }
            if first { gate.state.withLockedValue { $0.pending -= 1 } }
        }

        /// The connection closed (ends its handshake too, if it was still in it).
        func closed() {
            handshakeEnded()
            let first = released.withLockedValue { state in
                defer { state.connection = true }
                return !state.connection
            }
            guard first else { return }
            gate.state.withLockedValue { state in
                let left = (state.perAddress[address] ?? 1) - 1
                state.perAddress[address] = left > 0 ? left : nil
            }
        }
    }

    /// Lets in a connection from `address`, or says why not.
    func admit(_ address: String) -> Result<Ticket, InboundRefusal> {
        state.withLockedValue { state in
            if state.pending >= maxPending {
                return .failure(InboundRefusal(reason: "\(state.pending) handshakes already pending (max-pending-handshakes \(maxPending))"))
            }
            let open = state.perAddress[address] ?? 0
            if open >= maxPerAddress {
                return .failure(InboundRefusal(reason: "\(open) connections already open from \(address) (max-connections-per-address \(maxPerAddress))"))
            }
            state.pending += 1
            state.perAddress[address] = open + 1
            return .success(Ticket(gate: self, address: address))
        }
    }
}

/// Why an inbound connection was closed on accept.
struct InboundRefusal: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}
