import Benchmark
import Dispatch
import Foundation
import GatewayBenchmarkSuite

// The gateway's micro-benchmarks under ordo-one's package-benchmark: wall-clock time, throughput and allocations
// (count and bytes, from malloc-interposer) per operation of `GatewaySuite`. Not measured: CPU time (this VM's
// process CPU clock ticks in 10 ms steps) and retain/release counts (the Swift 6.3 runtime hooks they need crash on
// Linux without the runtime interposer; ordo-one/benchmark issue 349).
//
//     bench/package-benchmark.sh            # starts Redis and moto's STS, then runs this suite
//
// BENCH_REDIS_URL and BENCH_STS_ENDPOINT name the Redis server and STS endpoint of the L2 and cold-fetch benchmarks;
// without them those two are left out (and said so on standard error).

/// Runs `work` to completion from synchronous code. The registration closure is synchronous and runs on the main
/// thread, while the suite's preparation (key sets, cache warm-up, Redis) is asynchronous; it runs as a detached task
/// on the concurrency pool, which the main thread waiting here does not belong to.
private func waitFor<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return box.result!
}

/// The result of `waitFor`'s task: written by the task before it signals, read after the wait.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

let benchmarks: @Sendable () -> Void = {
    let environment = ProcessInfo.processInfo.environment
    let suite: GatewaySuite
    switch waitFor({
        try await GatewaySuite.make(redisURL: environment["BENCH_REDIS_URL"], stsEndpoint: environment["BENCH_STS_ENDPOINT"])
    }) {
    case .success(let prepared): suite = prepared
    case .failure(let error): fatalError("GatewayBenchmarks: preparing the suite failed: \(error)")
    }
    for omission in suite.notMeasured {
        FileHandle.standardError.write(Data("GatewayBenchmarks: not measured: \(omission.reason())\n".utf8))
    }

    for micro in suite.benchmarks {
        let configuration = Benchmark.Configuration(
            metrics: [.wallClock, .throughput, .mallocCountTotal, .mallocBytesCount],
            timeUnits: .nanoseconds,
            warmupIterations: 10,
            scalingFactor: micro.operationsPerSample >= 1_000 ? .kilo : .one,
            maxDuration: .seconds(2),
            maxIterations: 100_000
        )
        Benchmark(micro.name, configuration: configuration) { benchmark in
            try await micro.body(benchmark.scaledIterations.count)
        }
    }
}
