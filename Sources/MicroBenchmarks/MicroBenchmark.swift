/// One measured operation: a name, an optional target and a body that performs `count` operations.
struct MicroBenchmark: Sendable {
    /// What is measured, as printed in the report.
    let name: String
    /// The per-operation budget in nanoseconds, when the project sets one.
    let targetNanoseconds: Double?
    /// Runs the operation `count` times; throwing aborts this benchmark only.
    let body: @Sendable (_ count: Int) async throws -> Void

    init(_ name: String, targetNanoseconds: Double? = nil, body: @escaping @Sendable (_ count: Int) async throws -> Void) {
        self.name = name
        self.targetNanoseconds = targetNanoseconds
        self.body = body
    }
}

/// Keeps a value alive so the optimiser cannot remove the work that produced it.
@inline(never)
@_optimize(none)
func blackHole<T>(_ value: T) {
    _ = value
}
