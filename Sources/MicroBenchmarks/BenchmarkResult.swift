/// The figures measured for one benchmark.
struct BenchmarkResult: Sendable {
    let name: String
    let targetNanoseconds: Double?
    /// Operations per timed batch.
    let batchSize: Int
    /// Timed batches.
    let batches: Int
    /// Median over batches of the mean time per operation in the batch.
    let medianNanoseconds: Double
    /// 90th percentile over batches of the mean time per operation in the batch.
    let p90Nanoseconds: Double
    /// Fastest batch, per operation.
    let minNanoseconds: Double
    /// Allocation calls per operation over all timed batches (all threads), when counted.
    let mallocsPerOperation: Double?
    /// Bytes requested per operation over all timed batches (all threads), when counted.
    let bytesPerOperation: Double?

    /// "met", "missed by …" or "no target".
    var verdict: String {
        guard let target = targetNanoseconds else { return "no target" }
        if medianNanoseconds <= target { return "met (\(Self.format(target / medianNanoseconds, digits: 1))x headroom)" }
        return "MISSED by \(Self.formatTime(medianNanoseconds - target)) (\(Self.format(medianNanoseconds / target, digits: 2))x target)"
    }

    static func formatTime(_ nanoseconds: Double) -> String {
        if nanoseconds >= 1_000_000 { return format(nanoseconds / 1_000_000, digits: 2) + " ms" }
        if nanoseconds >= 1_000 { return format(nanoseconds / 1_000, digits: 2) + " µs" }
        return format(nanoseconds, digits: 1) + " ns"
    }

    static func format(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        }
        return text
    }
}
