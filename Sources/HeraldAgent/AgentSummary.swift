import Foundation

/// One node adapter's apply state as `herald status` shows it.
public struct AdapterStatus: Codable, Sendable, Equatable {
    /// Whether the adapter has applied the current member list.
    public enum State: String, Codable, Sendable {
        /// The last apply succeeded.
        case ok
        /// The last apply failed; it is retried with backoff.
        case failing
        /// Nothing applied yet since the agent started.
        case pending
    }

    /// The adapter's name: its kind, numbered from the second of a kind on (`exec#2`).
    public var adapter: String
    /// Ok, failing or not applied yet.
    public var state: State
    /// Apply attempts since the agent started.
    public var attempts: Int
    /// Failed attempts since the last success.
    public var consecutiveFailures: Int
    /// The last failure: adapter, call and the node's error text (kept after a later success).
    public var lastError: String?
    /// Unix time (seconds) of the last failure.
    public var lastFailureAt: Double?
    /// Unix time (seconds) of the last success.
    public var lastSuccessAt: Double?
    /// Unix time (seconds) of the next retry while failing; nil when attempts ran out.
    public var nextRetryAt: Double?

    /// Creates a status.
    public init(adapter: String, state: State, attempts: Int, consecutiveFailures: Int, lastError: String?,
                lastFailureAt: Double?, lastSuccessAt: Double?, nextRetryAt: Double?) {
        self.adapter = adapter
        self.state = state
        self.attempts = attempts
        self.consecutiveFailures = consecutiveFailures
        self.lastError = lastError
        self.lastFailureAt = lastFailureAt
        self.lastSuccessAt = lastSuccessAt
        self.nextRetryAt = nextRetryAt
    }
}

/// The agent at a glance, as `herald status` without an ID shows it.
public struct AgentSummary: Codable, Sendable, Equatable {
    /// This agent's (and its node's) ID, full hex.
    public var node: String
    /// The agent's enode URL, once listening.
    public var enode: String?
    /// Connected peers.
    public var peers: Int
    /// Members in the current list.
    public var members: Int
    /// The member list digest.
    public var digest: String
    /// Membership log entries and head.
    public var logEntries: UInt64
    public var logHead: String
    /// Recipients of this agent's announcements that have not acknowledged yet.
    public var unacknowledgedDeliveries: Int
    /// Anti-entropy entries that had expired before they reached this agent,
    /// held until enough members' acks say they were received in time.
    public var heldLateEntries: Int
    /// `http://host:port/metrics` when the metrics endpoint is enabled.
    public var metricsURL: String?
    /// Each node adapter's apply state, in configuration order.
    public var adapters: [AdapterStatus]
}

extension HeraldAgent {
    /// The agent's summary: identity, peers, member list, log, deliveries and apply state.
    public func summary() -> AgentSummary {
        let metricsURL = metricsPort.flatMap { port in
            configuration.metrics.map { "http://\($0.host.contains(":") ? "[\($0.host)]" : $0.host):\(port)/metrics" }
        }
        return AgentSummary(
            node: nodeID.hex, enode: enodeURL(), peers: links.count, members: log.members.count,
            digest: log.digest.description, logEntries: log.count, logHead: log.head.description,
            unacknowledgedDeliveries: unacknowledgedDeliveryCount(), heldLateEntries: lateEntries.count, metricsURL: metricsURL,
            adapters: adapterStatuses())
    }
}
