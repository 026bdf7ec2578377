import HeraldCrypto

/// Enode URL checks for announcements, with go-ethereum's parsing rules (``Enode``).
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
        if let enode = canonicalIPv4(url) { return (enode, true) }
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

    /// The fast path; nil when `url` is not exactly in canonical IPv4 form
    /// (then the general parser decides).
    static func canonicalIPv4(_ url: String) -> Enode? {
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
}
