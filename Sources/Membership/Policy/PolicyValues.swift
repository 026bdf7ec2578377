/// Parsers for the scalar forms a policy uses beyond strings and integers.
enum PolicyValues {
    /// `90`, `90s`, `5m`, `1h30m`, `2d` → seconds; nil when malformed or absurdly large.
    static func duration(_ text: String) -> UInt64? {
        if let plain = UInt64(text), text.allSatisfy(\.isNumber) { return plain }
        var total: UInt64 = 0
        var digits = ""
        var sawUnit = false
        for character in text {
            if character.isASCII && character.isNumber {
                digits.append(character)
                guard digits.count <= 9 else { return nil }
                continue
            }
            let unit: UInt64
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            default: return nil
            }
            guard let value = UInt64(digits) else { return nil }
            total += value * unit
            digits = ""
            sawUnit = true
        }
        return sawUnit && digits.isEmpty ? total : nil
    }

    /// `65536`, `64KiB`, `1MiB` → bytes; nil when malformed.
    static func size(_ text: String) -> Int? {
        let units: [(suffix: String, factor: Int)] = [("KiB", 1024), ("MiB", 1024 * 1024), ("B", 1), ("", 1)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            guard !number.isEmpty, number.count <= 9, number.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(number) else { continue }
            return value * factor
        }
        return nil
    }

    /// `30303` or `30300-30399` → a port range; nil when malformed or reversed.
    static func portRange(_ text: String) -> ClosedRange<UInt16>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let bounds = parts.map { part -> UInt16? in
            guard !part.isEmpty, part.count <= 5, part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return UInt16(part)
        }
        switch bounds.count {
        case 1:
            guard let port = bounds[0], port > 0 else { return nil }
            return port...port
        case 2:
            guard let low = bounds[0], let high = bounds[1], low > 0, low <= high else { return nil }
            return low...high
        default:
            return nil
        }
    }

    /// Sorts and merges overlapping or adjacent ranges, so equal sets compare equal.
    static func normalise(_ ranges: [ClosedRange<UInt16>]) -> [ClosedRange<UInt16>] {
        var merged: [ClosedRange<UInt16>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, Int(range.lowerBound) <= Int(last.upperBound) + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// Sorts, de-duplicates and drops networks inside another listed network.
    static func normalise(_ networks: [CIDR]) -> [CIDR] {
        let unique = Array(Set(networks))
        return unique.filter { network in
            !unique.contains { other in
                other != network && other.prefixLength <= network.prefixLength && other.contains(network.network)
            }
        }.sorted()
    }
}
