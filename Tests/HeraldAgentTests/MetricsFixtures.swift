import Foundation
import NIOCore
import NIOPosix

/// Plain HTTP/1.1 over 127.0.0.1 for the metrics endpoint, and a reader of
/// the Prometheus text format.
enum MetricsFixtures {
    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    struct BadResponse: Error, CustomStringConvertible {
        let text: String
        var description: String { "not an HTTP response: \(text.prefix(200))" }
    }

    /// Sends `method path` (with `body`, if any) to 127.0.0.1:`port` and reads the response until the server closes.
    static func request(_ method: String = "GET", _ path: String, port: Int, body: [UInt8] = []) async throws -> Response {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let received = try await channel.executeThenClose { inbound, outbound in
            var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            if !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
            head += "\r\n"
            try await outbound.write(ByteBuffer(bytes: Array(head.utf8) + body))
            var bytes: [UInt8] = []
            do {
                for try await var buffer in inbound { bytes += buffer.readBytes(length: buffer.readableBytes) ?? [] }
            } catch {
                // The server may close while a large request body is still arriving (413): keep what was read.
            }
            return bytes
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw BadResponse(text: text) }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw BadResponse(text: text) }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: String(text[split.upperBound...]))
    }

    /// Samples of a Prometheus text exposition, keyed by series as written
    /// (`herald_envelopes_sent_total{kind="ack"}`, `herald_log_entries`).
    struct Samples: Sendable {
        let values: [String: Double]

        init(_ text: String) {
            var values: [String: Double] = [:]
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
                values[String(line[..<space])] = value
            }
            self.values = values
        }

        /// The sample of `name` with `labels` (none: the unlabelled series); 0 when absent.
        subscript(_ name: String, _ labels: [(String, String)] = []) -> Double {
            let series = labels.isEmpty ? name : name + "{" + labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
            return values[series] ?? 0
        }

        /// Whether a series of `name` is present at all.
        func has(_ name: String) -> Bool {
            values.keys.contains { $0 == name || $0.hasPrefix(name + "{") }
        }

        /// The sum over the `kind` label of `name` for `kinds`.
        func sum(_ name: String, kinds: [String]) -> Double {
            kinds.reduce(0) { $0 + self[name, [("kind", $1)]] }
        }
    }

    /// Scrapes `GET /metrics` on 127.0.0.1:`port`.
    static func scrape(port: Int) async throws -> Samples {
        let response = try await request("GET", "/metrics", port: port)
        guard response.status == 200 else { throw BadResponse(text: "status \(response.status): \(response.body)") }
        return Samples(response.body)
    }
}
