// swift-tools-version:6.1
import PackageDescription

import class Foundation.ProcessInfo

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "genai-gateway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gen-iam", targets: ["GenIAM"]),
        .executable(name: "gateway", targets: ["GatewayServer"]),
        .executable(name: "credential-probe", targets: ["credential-probe"]),
        .executable(name: "gateway-microbench", targets: ["MicroBenchmarks"]),
        .library(name: "UseCaseCatalog", targets: ["UseCaseCatalog"]),
        .library(name: "IAMGenerator", targets: ["IAMGenerator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0", traits: []),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        // MARK: Catalog, naming and IAM generation (gen-iam)
        .target(name: "IAMNaming", swiftSettings: swiftSettings),
        .target(
            name: "UseCaseCatalog",
            dependencies: ["IAMNaming", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(name: "IAMGenerator", dependencies: ["UseCaseCatalog", "IAMNaming"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "GenIAM",
            dependencies: [
                "IAMGenerator", "UseCaseCatalog", "IAMNaming",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Credential plane
        .target(
            name: "AWSSigning",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WebIdentity",
            dependencies: [
                "AWSSigning",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // hiredis 0.14 from Debian: its reply reader and command formatter, driven by SwiftNIO channels.
        // (No pkgConfig: hiredis.pc adds -D_FILE_OFFSET_BITS=64, which SwiftPM refuses with a warning.)
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"]), .brew(["hiredis"])]),
        .target(
            name: "GatewayRedis",
            dependencies: [
                "CHiredis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "CredentialPlane",
            dependencies: [
                "AWSSigning", "WebIdentity", "GatewayRedis",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "credential-probe",
            dependencies: [
                "CredentialPlane", "WebIdentity", "GatewayRedis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/CredentialProbe",
            swiftSettings: swiftSettings
        ),

        // MARK: Gateway domain
        .target(
            name: "GatewayCore",
            dependencies: ["UseCaseCatalog", "IAMGenerator", .product(name: "HTTPTypes", package: "swift-http-types")],
            swiftSettings: swiftSettings
        ),
        .target(name: "GatewayRouting", swiftSettings: swiftSettings),
        // A small strict JSON reader shared by CallerAuth and BedrockEventStream.
        .target(name: "StrictJSON", swiftSettings: swiftSettings),
        .target(
            name: "BedrockEventStream",
            dependencies: ["StrictJSON", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CallerAuth",
            dependencies: [
                "StrictJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // An HTTP/1.1 client on SwiftNIO for upstream calls: per-event-loop keep-alive pools, TLS, back-pressure.
        .target(
            name: "UpstreamHTTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The gateway server
        .target(
            name: "Gateway",
            dependencies: [
                "UseCaseCatalog", "IAMGenerator", "GatewayCore", "GatewayRouting", "BedrockEventStream", "CallerAuth",
                "AWSSigning", "WebIdentity", "GatewayRedis", "CredentialPlane", "UpstreamHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "GatewayServer",
            dependencies: [
                "Gateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Benchmarks: the suite, and bench/micro.sh's runner (built in release); the package-benchmark runner
        // is added at the end of this file when GATEWAY_BENCHMARKS is set.
        .target(
            name: "GatewayBenchmarkSuite",
            dependencies: [
                "AWSSigning", "GatewayRouting", "CallerAuth", "BedrockEventStream", "CredentialPlane", "WebIdentity",
                "GatewayRedis", "Gateway", "StrictJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "MicroBenchmarks", dependencies: ["GatewayBenchmarkSuite"], swiftSettings: swiftSettings),

        // MARK: Tests
        // Real servers for tests (redis-server, nginx, moto and Python stand-ins) on free ports, a throwaway PKI
        // made with openssl, and a seeded random generator for reproducible generated inputs.
        .target(
            name: "TestServers",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/TestServers",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GatewayCoreTests",
            dependencies: [
                "GatewayCore", "UseCaseCatalog", "IAMGenerator", .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GatewayRoutingTests",
            dependencies: ["GatewayRouting", "TestServers"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AWSSigningTests",
            dependencies: ["AWSSigning", "TestServers"],
            exclude: ["Fixtures", "botocore_sigv4.py"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WebIdentityTests",
            dependencies: [
                "WebIdentity", "AWSSigning", "TestServers",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["sts_standin.py", "oidc_standin.py"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GatewayRedisTests",
            dependencies: [
                "GatewayRedis", "TestServers",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CredentialPlaneTests",
            dependencies: [
                "CredentialPlane", "credential-probe", "AWSSigning", "WebIdentity", "GatewayRedis", "TestServers",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BedrockEventStreamTests",
            dependencies: ["BedrockEventStream", "StrictJSON", .product(name: "NIOCore", package: "swift-nio")],
            exclude: ["Scripts"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CallerAuthTests",
            dependencies: [
                "CallerAuth",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Scripts"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "GatewayCore", "UseCaseCatalog", "BedrockEventStream", "AWSSigning", "WebIdentity",
                "CredentialPlane", "CallerAuth",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "UpstreamHTTPTests",
            dependencies: [
                "UpstreamHTTP", "TestServers",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IAMNamingTests",
            dependencies: ["IAMNaming", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "UseCaseCatalogTests", dependencies: ["UseCaseCatalog"], swiftSettings: swiftSettings),
        .testTarget(
            name: "GatewayBenchmarkSuiteTests",
            dependencies: ["GatewayBenchmarkSuite", "TestServers"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IAMGeneratorTests",
            dependencies: ["IAMGenerator", "UseCaseCatalog", "IAMNaming"],
            swiftSettings: swiftSettings
        ),
    ]
)

// MARK: package-benchmark (ordo-one), only when GATEWAY_BENCHMARKS is set, so normal builds neither fetch nor build
// it. bench/package-benchmark.sh starts Redis and moto's STS, then runs
//     GATEWAY_BENCHMARKS=1 swift package --disable-sandbox benchmark --target GatewayBenchmarks
// The MallocInterposer trait alone: on Linux with Swift 6.3 the default RuntimeInterposer trait would add
// swift-runtime-interposer, which is not among the packages this project builds with.
if ProcessInfo.processInfo.environment["GATEWAY_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"])
    )
    package.targets.append(
        .executableTarget(
            name: "GatewayBenchmarks",
            dependencies: ["GatewayBenchmarkSuite", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/GatewayBenchmarks",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}
