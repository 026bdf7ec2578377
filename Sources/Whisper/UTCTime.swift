/// Formats Unix seconds as UTC for error messages, without Foundation.
enum UTCTime {
    /// `2024-05-01T12:00:05Z`.
    static func dateTime(_ seconds: UInt32) -> String {
        let (date, time) = parts(seconds)
        return date + "T" + time
    }

    /// Two instants for one sentence: times only (`12:00:05Z`) when both
    /// fall on the same UTC day, full date-times otherwise.
    static func pair(_ first: UInt32, _ second: UInt32) -> (String, String) {
        let a = parts(first)
        let b = parts(second)
        if a.date == b.date {
            return (a.time, b.time)
        }
        return (a.date + "T" + a.time, b.date + "T" + b.time)
    }

    private static func parts(_ seconds: UInt32) -> (date: String, time: String) {
        let total = Int(seconds)
        let days = total / 86_400
        let secondOfDay = total % 86_400
        // Howard Hinnant's civil_from_days, for days >= 0.
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let date = "\(year)-\(twoDigits(month))-\(twoDigits(day))"
        let time = "\(twoDigits(secondOfDay / 3600)):\(twoDigits(secondOfDay / 60 % 60)):\(twoDigits(secondOfDay % 60))Z"
        return (date, time)
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
