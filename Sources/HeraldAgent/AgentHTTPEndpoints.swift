import Foundation

/// What the agent answers on its metrics listener (``MetricsServer`` routes the requests here).
extension HeraldAgent {
    /// How long the status page's cluster view (`?cluster=1`) waits for agents' replies.
    static let statusClusterTimeout: Duration = .seconds(2)

    /// The response to `route`: the exposition, the status page or its JSON, or a health check.
    func httpResponse(for route: MetricsServer.Route) async -> MetricsServer.Response {
        switch route {
        case .metrics:
            return MetricsServer.Response(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8",
                                          body: metricsExposition())
        case .statusPage(let cluster):
            let report = await statusReport(clusterTimeout: cluster ? Self.statusClusterTimeout : nil)
            return MetricsServer.Response(status: .ok, contentType: "text/html; charset=utf-8",
                                          body: Array(StatusPageRenderer().render(report).utf8))
        case .statusJSON(let cluster):
            let report = await statusReport(clusterTimeout: cluster ? Self.statusClusterTimeout : nil)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            do {
                return MetricsServer.Response(status: .ok, contentType: "application/json; charset=utf-8",
                                              body: Array(try encoder.encode(report)) + [0x0A])
            } catch {
                return .text(.internalServerError, "cannot encode the status: \(error)\n")
            }
        case .healthz:
            return .text(.ok, "ok\n")
        case .readyz:
            if let reason = unreadiness() { return .text(.serviceUnavailable, "not ready: \(reason)\n") }
            return .text(.ok, "ready: policy \(policy.hash.description.prefix(14))… loaded, log verified at start "
                         + "(\(logVerified.entries) entries), listening for agents\n")
        case .notFound:
            return .text(.notFound, "not found\n")
        case .methodNotAllowed:
            return .text(.methodNotAllowed, "only GET is allowed\n")
        }
    }
}
