import Foundation

/// A signing time in SigV4's basic ISO 8601 form (`20150830T123600Z`), formatted by hand: no `DateFormatter`,
/// no calendar, no allocation.
struct AmzDate: Sendable, Hashable {
    /// Days since 1970-01-01 (UTC); the key of the signing-key cache.
    let day: Int64
    let year: Int
    let month: Int
    let dayOfMonth: Int
    let hour: Int
    let minute: Int
    let second: Int

    /// Seconds since 1970 of 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years four digits can show.
    private static let representable: ClosedRange<Double> = -62_167_219_200...253_402_300_799

    /// Truncates `date` to whole seconds (toward the past) in UTC; dates outside years 0-9999 are clamped.
    init(_ date: Date) {
        let interval = date.timeIntervalSince1970
        let clamped = interval.isNaN
            ? 0 : min(max(interval, Self.representable.lowerBound), Self.representable.upperBound)
        let seconds = Int64(clamped.rounded(.down))
        let (day, secondOfDay) = Self.floorDivMod(seconds, 86_400)
        self.day = day
        self.hour = Int(secondOfDay / 3_600)
        self.minute = Int(secondOfDay % 3_600 / 60)
        self.second = Int(secondOfDay % 60)
        // Civil date from a day count (H. Hinnant, "chrono-compatible low-level date algorithms").
        let shifted = day + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        self.dayOfMonth = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        self.month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        self.year = Int(yearOfEra + era * 400) + (self.month <= 2 ? 1 : 0)
    }

    /// Appends `YYYYMMDD`.
    func appendDateStamp(to writer: inout ByteWriter) {
        Self.appendDigits(year, count: 4, to: &writer)
        Self.appendDigits(month, count: 2, to: &writer)
        Self.appendDigits(dayOfMonth, count: 2, to: &writer)
    }

    /// Appends `YYYYMMDDTHHMMSSZ`.
    func appendTimestamp(to writer: inout ByteWriter) {
        appendDateStamp(to: &writer)
        writer.append(UInt8(ascii: "T"))
        Self.appendDigits(hour, count: 2, to: &writer)
        Self.appendDigits(minute, count: 2, to: &writer)
        Self.appendDigits(second, count: 2, to: &writer)
        writer.append(UInt8(ascii: "Z"))
    }

    /// `YYYYMMDD` as bytes, the date part of the credential scope.
    var dateStamp: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 8) { buffer, count in
            var writer = ByteWriter(buffer)
            appendDateStamp(to: &writer)
            count = writer.count
        }
    }

    /// `YYYYMMDDTHHMMSSZ`, the `X-Amz-Date` value (a small string: no heap allocation).
    var timestamp: String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            var writer = ByteWriter(buffer)
            appendTimestamp(to: &writer)
            return writer.count
        }
    }

    @inline(__always)
    private static func appendDigits(_ value: Int, count: Int, to writer: inout ByteWriter) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        for _ in 0..<count {
            writer.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value / divisor % 10))
            divisor /= 10
        }
    }

    private static func floorDivMod(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value / divisor
        let remainder = value % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
