import Foundation

/// Times in announcements, acks and the log are whole Unix seconds (UTC).
package enum Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z now.
    package static func now() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970))
    }

    /// ISO 8601 in UTC, e.g. `2025-03-01T12:00:05Z`.
    package static func format(_ seconds: UInt64) -> String {
        let clamped = min(seconds, 253_402_300_799)   // 9999-12-31T23:59:59Z
        var time = time_t(clamped)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec)
        )
    }
}
