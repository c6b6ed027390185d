/// One measured operation: a name, an optional target and a body that performs `count` operations. Both runners take
/// these: `gateway-microbench` (bench/micro.sh) and the package-benchmark suite (`Benchmarks/GatewayBenchmarks`).
public struct MicroBenchmark: Sendable {
    /// What is measured, as printed in the report.
    public let name: String
    /// The per-operation budget in nanoseconds, when the project sets one.
    public let targetNanoseconds: Double?
    /// How many operations one package-benchmark sample runs: 1,000 for operations well under 20 µs (so the
    /// sample outweighs the harness), 1 for slower ones.
    public let operationsPerSample: Int
    /// Runs the operation `count` times; throwing aborts this benchmark only.
    public let body: @Sendable (_ count: Int) async throws -> Void

    init(
        _ name: String, targetNanoseconds: Double? = nil, operationsPerSample: Int = 1_000,
        body: @escaping @Sendable (_ count: Int) async throws -> Void
    ) {
        self.name = name
        self.targetNanoseconds = targetNanoseconds
        self.operationsPerSample = operationsPerSample
        self.body = body
    }
}

/// Keeps a value alive so the optimiser cannot remove the work that produced it.
@inline(never)
@_optimize(none)
func blackHole<T>(_ value: T) {
    _ = value
}
