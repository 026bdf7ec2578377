/// Where a node's Herald agent listens for RLPx: a host and a TCP port,
/// written `host:port` (`[v6]:port` for an IPv6 literal).
public struct AgentEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// An IP literal (without brackets) or a DNS name.
    public var host: String
    /// The agent's RLPx TCP port.
    public var port: UInt16

    /// Creates an endpoint from its parts.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[v6]:port`; nil when either part is missing or
    /// the port is not a decimal number up to 65535.
    public init?(_ text: some StringProtocol) {
        let text = Substring(text)
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.first == ":" else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            guard !hostPart.contains(":") else { return nil }
        }
        guard !hostPart.isEmpty, hostPart.count <= 253,
              !portPart.isEmpty, portPart.count <= 5,
              portPart.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = UInt16(portPart),
              hostPart.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._:".contains($0)) })
        else { return nil }
        self.init(host: String(hostPart), port: port)
    }

    /// `host:port`, with brackets around an IPv6 literal.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
