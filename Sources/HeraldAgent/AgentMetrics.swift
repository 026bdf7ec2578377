import CoreMetrics
import Membership
import Prometheus

/// One agent's Prometheus metrics, made through swift-metrics with an
/// explicit factory over the agent's own ``registry``: nothing is
/// bootstrapped globally, so many agents can run in one process (tests,
/// benchmarks) without sharing counters.
///
/// Names (all prefixed `herald_`): see README.md, "Metrics".
struct AgentMetrics: Sendable {
    /// What a sent envelope carries (the `kind` label).
    enum WireKind: String, CaseIterable, Sendable {
        case announcement, ack, summary, entries, cluster

        init(_ message: WireMessage) {
            switch message {
            case .announcement: self = .announcement
            case .ack: self = .ack
            // Range summaries and requests for entries are the small control part of anti-entropy.
            case .reconcile, .want: self = .summary
            case .entries: self = .entries
            case .clusterQuery, .clusterReply: self = .cluster
            }
        }
    }

    /// A logged announcement's decision (the `decision` label).
    enum DecisionLabel: String, CaseIterable, Sendable {
        case accepted, pending, rejected

        init(_ decision: PolicyDecision) {
            switch decision {
            case .accepted: self = .accepted
            case .pending: self = .pending
            case .rejected: self = .rejected
            }
        }
    }

    /// The metrics of one node adapter (the `adapter` label).
    struct Adapter: Sendable {
        let attempts: CoreMetrics.Counter
        let failures: CoreMetrics.Counter
        let failing: CoreMetrics.Gauge
        let duration: CoreMetrics.Timer
    }

    /// What `GET /metrics` emits.
    let registry: PrometheusCollectorRegistry
    let envelopesSent: [WireKind: CoreMetrics.Counter]
    let bytesSent: [WireKind: CoreMetrics.Counter]
    let envelopesReceived: CoreMetrics.Counter
    /// Envelopes dropped unopened because their peer sent more than its rate.
    let envelopesRateLimited: CoreMetrics.Counter
    let announcementsLogged: [DecisionLabel: CoreMetrics.Counter]
    let acksReceived: CoreMetrics.Counter
    let connectedPeers: CoreMetrics.Gauge
    let unacknowledgedDeliveries: CoreMetrics.Gauge
    let logEntries: CoreMetrics.Gauge
    let heldLateEntries: CoreMetrics.Gauge
    /// In the order of the agent's adapters.
    let adapters: [Adapter]

    /// Creates every metric up front (so a scrape shows zeros, not gaps) in a fresh registry.
    /// - Parameter adapterNames: the adapters' names, in configuration order (see ``AdapterApplyState/names(forKinds:)``).
    init(adapterNames: [String]) {
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        func counter(_ name: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Counter {
            CoreMetrics.Counter(label: "herald_" + name, dimensions: dimensions, factory: factory)
        }
        func gauge(_ name: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Gauge {
            CoreMetrics.Gauge(label: "herald_" + name, dimensions: dimensions, factory: factory)
        }
        self.registry = registry
        envelopesSent = Dictionary(uniqueKeysWithValues: WireKind.allCases.map {
            ($0, counter("envelopes_sent_total", [("kind", $0.rawValue)]))
        })
        bytesSent = Dictionary(uniqueKeysWithValues: WireKind.allCases.map {
            ($0, counter("bytes_sent_total", [("kind", $0.rawValue)]))
        })
        envelopesReceived = counter("envelopes_received_total")
        envelopesRateLimited = counter("envelopes_rate_limited_total")
        announcementsLogged = Dictionary(uniqueKeysWithValues: DecisionLabel.allCases.map {
            ($0, counter("announcements_logged_total", [("decision", $0.rawValue)]))
        })
        acksReceived = counter("acks_received_total")
        connectedPeers = gauge("connected_peers")
        unacknowledgedDeliveries = gauge("unacknowledged_deliveries")
        logEntries = gauge("log_entries")
        heldLateEntries = gauge("held_late_entries")
        adapters = adapterNames.map { name in
            let label = [("adapter", name)]
            return Adapter(
                attempts: counter("apply_attempts_total", label), failures: counter("apply_failures_total", label),
                failing: gauge("apply_failing", label),
                duration: CoreMetrics.Timer(label: "herald_apply_duration_seconds", dimensions: label, factory: factory))
        }
        for adapter in adapters { adapter.failing.record(0) }
        for gauge in [connectedPeers, unacknowledgedDeliveries, logEntries, heldLateEntries] { gauge.record(0) }
    }

    /// Counts one envelope queued for a peer, `bytes` being its `shh` Messages packet.
    func sent(_ kind: WireKind, bytes: Int) {
        envelopesSent[kind]?.increment()
        bytesSent[kind]?.increment(by: bytes)
    }

    /// The Prometheus text exposition of every metric.
    func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}

extension HeraldAgent {
    /// Counts one envelope queued for a peer in both ``wireCounters`` and the metrics.
    func countSent(_ message: WireMessage, bytes: Int) {
        let kind = AgentMetrics.WireKind(message)
        metrics.sent(kind, bytes: bytes)
        switch kind {
        case .announcement, .ack:
            wireCounters.deliveryEnvelopes += 1
            wireCounters.deliveryBytes += bytes
        case .summary, .entries:
            wireCounters.antiEntropyEnvelopes += 1
            wireCounters.antiEntropyBytes += bytes
        case .cluster:
            break   // operator queries, neither delivery nor anti-entropy
        }
    }

    /// Brings the gauges up to date and returns the exposition; what `GET /metrics` answers.
    func metricsExposition() -> [UInt8] {
        metrics.connectedPeers.record(links.count)
        metrics.unacknowledgedDeliveries.record(unacknowledgedDeliveryCount())
        metrics.logEntries.record(log.count)
        metrics.heldLateEntries.record(lateEntries.count)
        return metrics.exposition()
    }

    /// Recipients of this agent's unfinished announcements that have not acknowledged yet.
    func unacknowledgedDeliveryCount() -> Int {
        guard let unfinished = try? store.unfinished(now: Self.unixNow()) else { return 0 }
        return unfinished.reduce(0) { total, outgoing in
            total + ((try? store.deliveries(for: outgoing.id)) ?? []).filter { !$0.acked }.count
        }
    }
}
