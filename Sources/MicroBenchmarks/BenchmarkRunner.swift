import GatewayBenchmarkSuite
/// Warms a benchmark up, sizes its batches and times them with `ContinuousClock`.
///
/// Method: run the body for `warmup` (at least one operation); pick a batch size so one batch takes about
/// `batchTarget`; then time batches until `duration` has passed or `maxBatches` batches ran (at least
/// `minBatches`). Each batch yields one figure, its mean time per operation; the report gives the median, the
/// 90th percentile and the minimum of those figures. Allocations are the counter delta over all timed batches
/// divided by the operations in them.
struct BenchmarkRunner: Sendable {
    var warmup: Duration = .milliseconds(300)
    var duration: Duration = .seconds(2)
    var batchTarget: Duration = .milliseconds(5)
    var minBatches = 20
    var maxBatches = 400
    let mallocCounter = MallocCounter()

    func run(_ benchmark: MicroBenchmark) async throws -> BenchmarkResult {
        let clock = ContinuousClock()

        // Warm-up, which also estimates the cost of one operation.
        var warmOps = 0
        var size = 1
        let warmStart = clock.now
        while clock.now - warmStart < warmup {
            try await benchmark.body(size)
            warmOps += size
            size = min(size * 2, 1 << 20)
        }
        let perOp = Self.nanoseconds(clock.now - warmStart) / Double(max(warmOps, 1))
        let batchSize = max(1, Int(Self.nanoseconds(batchTarget) / max(perOp, 1)))

        var samples: [Double] = []
        samples.reserveCapacity(maxBatches)
        let mallocsBefore = mallocCounter.callCount()
        let bytesBefore = mallocCounter.byteCount()
        let start = clock.now
        while samples.count < maxBatches && (samples.count < minBatches || clock.now - start < duration) {
            let batchStart = clock.now
            try await benchmark.body(batchSize)
            samples.append(Self.nanoseconds(clock.now - batchStart) / Double(batchSize))
        }
        let mallocs = mallocCounter.callCount() &- mallocsBefore
        let bytes = mallocCounter.byteCount() &- bytesBefore
        let operations = Double(samples.count * batchSize)

        samples.sort()
        return BenchmarkResult(
            name: benchmark.name,
            targetNanoseconds: benchmark.targetNanoseconds,
            batchSize: batchSize,
            batches: samples.count,
            medianNanoseconds: Self.percentile(samples, 0.5),
            p90Nanoseconds: Self.percentile(samples, 0.9),
            minNanoseconds: samples[0],
            mallocsPerOperation: mallocCounter.isAvailable ? Double(mallocs) / operations : nil,
            bytesPerOperation: mallocCounter.isAvailable ? Double(bytes) / operations : nil
        )
    }

    /// Nearest-rank percentile of sorted `values`.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func nanoseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    }
}
