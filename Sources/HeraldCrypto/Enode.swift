#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A node address in enode URL form:
/// `enode://<128 hex digits>@<host>:<tcp-port>[?discport=<udp-port>]`.
///
/// Parsing and formatting follow go-ethereum (`p2p/enode/urlv4.go`), so a
/// complete URL parsed and printed again gives back the same string. The
/// incomplete form `enode://<128 hex digits>` carries an identity without an
/// address (both ports 0).
public struct Enode: Hashable, Sendable, CustomStringConvertible {
    /// Where a node can be reached: an IP literal or a DNS name to resolve later.
    public enum Host: Hashable, Sendable, CustomStringConvertible {
        /// IPv4 literal in dotted-quad form, e.g. `127.0.0.1`.
        case ipv4(String)
        /// IPv6 literal in canonical compressed form without brackets, e.g. `::1`.
        case ipv6(String)
        /// A DNS name, kept as written (geth resolves it when dialling).
        case dnsName(String)

        /// Parses a host as an enode URL holds it: an IPv4 or IPv6 literal
        /// (brackets optional) or a DNS name; nil for anything else.
        public init?(parsing text: String) {
            let bracketed = text.hasPrefix("[") && text.hasSuffix("]") && text.count > 2
            let bare = bracketed ? text.dropFirst().dropLast() : Substring(text)
            if let ip = Enode.parseIP(bare, bracketed: bracketed) {
                self = ip
            } else if !bracketed, !bare.isEmpty, Enode.isPlausibleDNSName(bare) {
                self = .dnsName(String(bare))
            } else {
                return nil
            }
        }

        /// The host without brackets: what a resolver or socket address takes.
        public var description: String {
            switch self {
            case .ipv4(let text), .ipv6(let text), .dnsName(let text): return text
            }
        }
    }

    /// The node's static public key (its identity on the wire).
    public var publicKey: Secp256k1.PublicKey
    /// The address, or nil for the incomplete form (identity only).
    public var host: Host?
    /// RLPx (TCP) listening port; 0 when unknown.
    public var tcpPort: UInt16
    /// Discovery (UDP) port; equals `tcpPort` unless `?discport=` says otherwise.
    public var udpPort: UInt16

    /// Creates an enode from its parts; `udpPort` defaults to `tcpPort`.
    public init(publicKey: Secp256k1.PublicKey, host: Host?, tcpPort: UInt16, udpPort: UInt16? = nil) {
        self.publicKey = publicKey
        self.host = host
        self.tcpPort = tcpPort
        self.udpPort = udpPort ?? tcpPort
    }

    /// The v4 node address, keccak256 of the 64-byte public key.
    public var nodeID: NodeID { publicKey.nodeID }

    /// Parses an enode URL with go-ethereum's rules (`enode.Parse` with the v4
    /// scheme): only inputs starting with `enode://` are accepted.
    ///
    /// - Throws: `EnodeError` naming what is wrong.
    public init(parsing text: some StringProtocol) throws(EnodeError) {
        let input = String(text)
        if let canonical = Self.parseCanonicalIPv4(input) {
            self = canonical
            return
        }
        let scheme = "enode://"
        guard input.hasPrefix(scheme) else {
            if input.hasPrefix("enr:") { throw .enrNotSupported }
            throw .missingPrefix
        }
        let rest = input.dropFirst(scheme.count)
        // Incomplete form: nothing but hex digits after the scheme.
        if !rest.isEmpty, rest.allSatisfy(\.isHexDigit) {
            self.init(publicKey: try Self.parsePublicKey(rest), host: nil, tcpPort: 0, udpPort: 0)
            return
        }
        // Authority ends at the first '/', '?' or '#'; a query may follow.
        var authority = rest[...]
        var query = Substring("")
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            authority = rest[..<end]
            if rest[end] == "?" {
                let afterMark = rest[rest.index(after: end)...]
                query = afterMark.prefix(while: { $0 != "#" })
            } else if rest[end] == "/" , let mark = rest[end...].firstIndex(of: "?") {
                query = rest[rest.index(after: mark)...].prefix(while: { $0 != "#" })
            }
        }
        guard let at = authority.lastIndex(of: "@") else { throw .missingNodeID }
        let user = authority[..<at]
        let hostPort = authority[authority.index(after: at)...]
        let key = try Self.parsePublicKey(user)

        // Split host and port; an IPv6 literal sits in brackets.
        let hostText: Substring
        let portText: Substring
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw .invalidHost(String(hostPort)) }
            hostText = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let afterBracket = hostPort[hostPort.index(after: close)...]
            if afterBracket.isEmpty {
                portText = ""
            } else {
                guard afterBracket.first == ":" else { throw .invalidPort }
                portText = afterBracket.dropFirst()
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            hostText = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            hostText = hostPort
            portText = ""
        }
        guard let tcpPort = Self.parsePort(portText) else { throw .invalidPort }
        var udpPort = tcpPort
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.first == "discport" else { continue }
            let value = parts.count > 1 ? parts[1] : ""
            if value.isEmpty { continue }   // geth: an empty discport means "same as TCP"
            guard let port = Self.parsePort(value) else { throw .invalidDiscoveryPort }
            udpPort = port
            break
        }
        let host: Host?
        if hostText.isEmpty {
            host = nil
        } else if let ip = Self.parseIP(hostText, bracketed: hostPort.hasPrefix("[")) {
            host = ip
        } else if !hostPort.hasPrefix("["), Self.isPlausibleDNSName(hostText) {
            host = .dnsName(String(hostText))
        } else {
            throw .invalidHost(String(hostText))
        }
        self.init(publicKey: key, host: host, tcpPort: tcpPort, udpPort: udpPort)
    }

    /// The fast path of ``init(parsing:)``: the canonical form
    /// `enode://<128 lowercase hex>@<a.b.c.d>:<port>` read byte by byte; nil
    /// for any other spelling, which the general parser then decides. Gives
    /// exactly what the general parser gives (tested).
    package static func parseCanonicalIPv4(_ url: String) -> Enode? {
        var url = url
        return url.withUTF8 { bytes -> Enode? in
            let prefix: [UInt8] = Array("enode://".utf8)
            guard bytes.count > prefix.count + 128 + 9, bytes.starts(with: prefix) else { return nil }
            var key = [UInt8](repeating: 0, count: 64)
            var position = prefix.count
            for index in 0..<64 {
                guard let high = hexValue(bytes[position]), let low = hexValue(bytes[position + 1]) else { return nil }
                key[index] = high << 4 | low
                position += 2
            }
            guard bytes[position] == UInt8(ascii: "@") else { return nil }
            position += 1
            let hostStart = position
            for octet in 0..<4 {
                guard let (value, next) = decimal(bytes, from: position, maxDigits: 3), value <= 255 else { return nil }
                position = next
                if octet < 3 {
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ".") else { return nil }
                    position += 1
                }
            }
            let hostEnd = position
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return nil }
            guard let (port, end) = decimal(bytes, from: position + 1, maxDigits: 5), end == bytes.count,
                  port > 0, port <= 65_535 else { return nil }
            guard let publicKey = try? Secp256k1.PublicKey(rawRepresentation: key) else { return nil }
            let host = String(decoding: UnsafeBufferPointer(rebasing: bytes[hostStart..<hostEnd]), as: UTF8.self)
            return Enode(publicKey: publicKey, host: .ipv4(host), tcpPort: UInt16(port))
        }
    }

    /// Lowercase hex digit value (uppercase is not canonical).
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// A decimal number without leading zeros; returns the value and the index after it.
    private static func decimal(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, maxDigits: Int) -> (Int, Int)? {
        var value = 0
        var position = start
        while position < bytes.count, position - start < maxDigits,
              bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            value = value * 10 + Int(bytes[position] - UInt8(ascii: "0"))
            position += 1
        }
        guard position > start else { return nil }
        if position - start > 1 && bytes[start] == UInt8(ascii: "0") { return nil }
        if position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") { return nil }
        return (value, position)
    }

    /// The URL in go-ethereum's format: lowercase hex, IPv6 in brackets,
    /// `?discport=` only when the UDP port differs from the TCP port.
    public var description: String {
        let id = Hex.encode(publicKey.rawRepresentation)
        guard let host else { return "enode://" + id }
        let hostPart: String
        switch host {
        case .ipv6(let text): hostPart = "[" + text + "]"
        case .ipv4(let text), .dnsName(let text): hostPart = text
        }
        var url = "enode://\(id)@\(hostPart):\(tcpPort)"
        if udpPort != tcpPort { url += "?discport=\(udpPort)" }
        return url
    }

    // MARK: - Parsing helpers

    private static func parsePublicKey(_ text: Substring) throws(EnodeError) -> Secp256k1.PublicKey {
        guard text.count % 2 == 0, text.allSatisfy(\.isHexDigit) else {
            throw .invalidPublicKey("invalid hex")
        }
        guard text.count == 128 else { throw .invalidPublicKey("wrong length, want 128 hex chars") }
        let bytes: [UInt8]
        do { bytes = try Hex.decode(text) } catch { throw .invalidPublicKey("invalid hex") }
        do {
            return try Secp256k1.PublicKey(rawRepresentation: bytes)
        } catch {
            throw .invalidPublicKey("not a point on secp256k1")
        }
    }

    /// Decimal, 16 bits, digits only (Go `strconv.ParseUint(s, 10, 16)`).
    private static func parsePort(_ text: Substring) -> UInt16? {
        guard !text.isEmpty, text.count <= 10, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt16(text)
    }

    fileprivate static func parseIP(_ text: Substring, bracketed: Bool) -> Host? {
        var v4 = in_addr()
        if !bracketed, inet_pton(AF_INET, String(text), &v4) == 1 {
            return .ipv4(format(family: AF_INET, &v4, length: Int(INET_ADDRSTRLEN)))
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, String(text), &v6) == 1 else { return nil }
        // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is an IPv4 node (geth unmaps it).
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return .ipv4(bytes[12...].map(String.init).joined(separator: "."))
        }
        return .ipv6(format(family: AF_INET6, &v6, length: Int(INET6_ADDRSTRLEN)))
    }

    private static func format<T>(family: Int32, _ address: inout T, length: Int) -> String {
        var buffer = [CChar](repeating: 0, count: length)
        let result = withUnsafePointer(to: &address) { pointer in
            buffer.withUnsafeMutableBufferPointer { out in
                inet_ntop(family, pointer, out.baseAddress, socklen_t(length))
            }
        }
        guard result != nil else { return "" }
        let bytes = buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    fileprivate static func isPlausibleDNSName(_ text: Substring) -> Bool {
        text.count <= 253 && text.allSatisfy { character in
            character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "." || character == "_")
        }
    }
}

extension Enode: LosslessStringConvertible {
    /// Parses an enode URL; nil when it is not valid (see `init(parsing:)` for the reason).
    public init?(_ description: String) {
        guard let parsed = try? Enode(parsing: description) else { return nil }
        self = parsed
    }
}

/// Why an enode URL was refused. Wording follows go-ethereum so that errors
/// read the same as in geth's logs.
public enum EnodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input does not start with `enode://` (nor `enr:`).
    case missingPrefix
    /// An `enr:` record was given; Herald takes enode URLs only.
    case enrNotSupported
    /// No `<key>@` part before the host.
    case missingNodeID
    /// The key part is not 128 hex digits of a valid secp256k1 point.
    case invalidPublicKey(String)
    /// The host is neither an IP literal nor a DNS name.
    case invalidHost(String)
    /// The TCP port is missing, not decimal, or above 65535.
    case invalidPort
    /// The `discport` query value is not a decimal 16-bit port.
    case invalidDiscoveryPort

    public var description: String {
        switch self {
        case .missingPrefix:
            return "missing 'enr:' prefix for base64-encoded record (node URLs start with enode://)"
        case .enrNotSupported:
            return "enr: records are not supported; give the node as an enode:// URL"
        case .missingNodeID:
            return "does not contain node ID"
        case .invalidPublicKey(let reason):
            return "invalid public key (\(reason))"
        case .invalidHost(let host):
            return "invalid host '\(host)'"
        case .invalidPort:
            return "invalid port"
        case .invalidDiscoveryPort:
            return "invalid discport in query"
        }
    }
}
