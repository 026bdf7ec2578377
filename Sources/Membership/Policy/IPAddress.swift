#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address; IPv4-mapped IPv6 is IPv4.
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Network-order bytes: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Parses a dotted-quad IPv4 or an IPv6 literal (no brackets); nil otherwise.
    public init?(_ text: some StringProtocol) {
        let string = String(text)
        var v4 = in_addr()
        if inet_pton(AF_INET, string, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, string, &v6) == 1 else { return nil }
        let raw = withUnsafeBytes(of: &v6) { Array($0) }
        if raw[0..<10].allSatisfy({ $0 == 0 }) && raw[10] == 0xff && raw[11] == 0xff {
            bytes = Array(raw[12...])
        } else {
            bytes = raw
        }
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// True for an IPv4 address.
    public var isIPv4: Bool { bytes.count == 4 }

    /// Dotted quad, or canonical compressed IPv6.
    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// IPv4 before IPv6, then byte-wise.
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.bytes.count != rhs.bytes.count { return lhs.bytes.count < rhs.bytes.count }
        return lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}

/// A network in CIDR notation, e.g. `10.0.0.0/8` or `fd00::/8`, with its host bits clear.
public struct CIDR: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The network address (host bits zero).
    public let network: IPAddress
    /// The prefix length in bits.
    public let prefixLength: Int

    /// Why a CIDR string was refused.
    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Not `address/length`.
        case notCIDR
        /// The address part is not an IP literal.
        case badAddress
        /// The prefix length is not a number within the address size.
        case badPrefixLength(max: Int)
        /// Bits are set after the prefix; `canonical` is what was probably meant.
        case hostBitsSet(canonical: String)

        /// What is wrong, as a phrase.
        public var description: String {
            switch self {
            case .notCIDR: return "not a network in CIDR notation (e.g. 10.0.0.0/8)"
            case .badAddress: return "the address is not an IPv4 or IPv6 literal"
            case .badPrefixLength(let max): return "the prefix length must be a number from 0 to \(max)"
            case .hostBitsSet(let canonical): return "host bits are set after the prefix (did you mean \(canonical)?)"
            }
        }
    }

    /// Parses `address/length`; the address must have no bits set after the prefix.
    public init(parsing text: some StringProtocol) throws(ParseError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .notCIDR }
        guard let address = IPAddress(parts[0]) else { throw .badAddress }
        let maxLength = address.bytes.count * 8
        guard parts[1].count <= 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
              let length = Int(parts[1]), length <= maxLength else { throw .badPrefixLength(max: maxLength) }
        let masked = IPAddress(bytes: Self.mask(address.bytes, length))
        guard masked == address else { throw .hostBitsSet(canonical: "\(masked)/\(length)") }
        network = masked
        prefixLength = length
    }

    /// True when `address` is in this network (same family only).
    public func contains(_ address: IPAddress) -> Bool {
        address.bytes.count == network.bytes.count && Self.mask(address.bytes, prefixLength) == network.bytes
    }

    /// `address/length`.
    public var description: String { "\(network)/\(prefixLength)" }

    /// By network, then prefix length.
    public static func < (lhs: CIDR, rhs: CIDR) -> Bool {
        lhs.network == rhs.network ? lhs.prefixLength < rhs.prefixLength : lhs.network < rhs.network
    }

    private static func mask(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bitsInByte = max(0, min(8, length - index * 8))
            let keep: UInt8 = bitsInByte == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bitsInByte))
            return byte & keep
        }
    }
}
