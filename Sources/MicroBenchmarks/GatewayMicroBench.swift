import Foundation
import GatewayBenchmarkSuite

/// `gateway-microbench`: times the gateway's hot-path operations and prints a Markdown table.
///
///     gateway-microbench [--filter TEXT] [--duration SECONDS] [--redis-url URL] [--sts-endpoint URL]
///
/// Run it through `bench/micro.sh`, which builds it, starts Redis and moto's STS on free loopback ports and
/// preloads `bench/malloc_count.so` so allocations are counted. Without `--redis-url` the L2 benchmark is skipped;
/// without `--sts-endpoint` the cold fetch is skipped (both are reported as not measured).
@main
struct GatewayMicroBench {
    struct Options {
        var filter: String?
        var duration: Duration = .seconds(2)
        var redisURL: String?
        var stsEndpoint: String?

        static let usage =
            "usage: gateway-microbench [--filter TEXT] [--duration SECONDS] [--redis-url URL] [--sts-endpoint URL]"

        init(arguments: [String]) throws {
            var iterator = arguments.makeIterator()
            while let argument = iterator.next() {
                func value() throws -> String {
                    guard let next = iterator.next() else { throw UsageError(message: "\(argument) needs a value") }
                    return next
                }
                switch argument {
                case "--filter": filter = try value()
                case "--duration":
                    let text = try value()
                    guard let seconds = Double(text), seconds > 0 else {
                        throw UsageError(message: "--duration \(text) is not a positive number of seconds")
                    }
                    duration = .milliseconds(Int(seconds * 1_000))
                case "--redis-url": redisURL = try value()
                case "--sts-endpoint": stsEndpoint = try value()
                case "-h", "--help":
                    print(Self.usage)
                    exit(0)
                default: throw UsageError(message: "unknown argument \(argument)")
                }
            }
        }
    }

    struct UsageError: Error, CustomStringConvertible {
        let message: String
        var description: String { "\(message)\n\(Options.usage)" }
    }

    static func main() async {
        do {
            try await run(Options(arguments: Array(CommandLine.arguments.dropFirst())))
        } catch {
            FileHandle.standardError.write(Data("gateway-microbench: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ options: Options) async throws {
        var runner = BenchmarkRunner()
        runner.duration = options.duration
        let suite = try await GatewaySuite.make(
            redisURL: options.redisURL, stsEndpoint: options.stsEndpoint, filter: options.filter
        )
        let benchmarks = suite.benchmarks
        let notMeasured = suite.notMeasured.map { omission in
            omission.reason { input in
                switch input {
                case .redisURL: "--redis-url"
                case .stsEndpoint: "--sts-endpoint"
                }
            }
        }

        let allocationsCounted = runner.mallocCounter.isAvailable
        print("| Benchmark | median /op | p90 /op | min /op | mallocs /op | bytes /op | batches x ops | target | verdict |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for benchmark in benchmarks {
            let result: BenchmarkResult
            do {
                result = try await runner.run(benchmark)
            } catch {
                print("| \(benchmark.name) | failed: \(error) | | | | | | | |")
                continue
            }
            let mallocs = result.mallocsPerOperation.map { BenchmarkResult.format($0, digits: 1) } ?? "n/a"
            let bytes = result.bytesPerOperation.map { BenchmarkResult.format($0, digits: 0) } ?? "n/a"
            let target = result.targetNanoseconds.map { "≤ " + BenchmarkResult.formatTime($0) } ?? "–"
            print(
                "| \(result.name) | \(BenchmarkResult.formatTime(result.medianNanoseconds)) "
                    + "| \(BenchmarkResult.formatTime(result.p90Nanoseconds)) "
                    + "| \(BenchmarkResult.formatTime(result.minNanoseconds)) | \(mallocs) | \(bytes) "
                    + "| \(result.batches) x \(result.batchSize) | \(target) | \(result.verdict) |"
            )
        }
        print("")
        print(
            allocationsCounted
                ? "Allocations: process-wide calls/bytes from malloc_count.so (all threads)."
                : "Allocations: not measured (bench/malloc_count.so not preloaded)."
        )
        for line in notMeasured { print("Not measured: \(line)") }
        await suite.shutdown()
    }
}
