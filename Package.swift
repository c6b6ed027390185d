// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "genai-gateway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gen-iam", targets: ["GenIAM"]),
        .library(name: "UseCaseCatalog", targets: ["UseCaseCatalog"]),
        .library(name: "IAMGenerator", targets: ["IAMGenerator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0", traits: []),
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

        // MARK: Gateway domain
        .target(
            name: "GatewayCore",
            dependencies: ["UseCaseCatalog", "IAMGenerator", .product(name: "HTTPTypes", package: "swift-http-types")],
            swiftSettings: swiftSettings
        ),
        .target(name: "GatewayRouting", swiftSettings: swiftSettings),

        // MARK: Tests
        .testTarget(
            name: "GatewayCoreTests",
            dependencies: [
                "GatewayCore", "UseCaseCatalog", "IAMGenerator", .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GatewayRoutingTests",
            dependencies: ["GatewayRouting"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IAMNamingTests",
            dependencies: ["IAMNaming", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "UseCaseCatalogTests", dependencies: ["UseCaseCatalog"], swiftSettings: swiftSettings),
        .testTarget(
            name: "IAMGeneratorTests",
            dependencies: ["IAMGenerator", "UseCaseCatalog", "IAMNaming"],
            swiftSettings: swiftSettings
        ),
    ]
)
