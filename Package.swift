// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "fleetdeck",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fleetdeck", targets: ["fleetdeck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
    ],
    targets: [
        // C shims: module maps plus static inline wrappers for macros, globals and variadics.
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .systemLibrary(name: "CExpat", path: "Sources/CExpat"),
        .systemLibrary(name: "CYAML", path: "Sources/CYAML"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        // Stateful C: the terminal guard's signal handlers and the build stamp.
        .target(name: "CFleetdeckSupport", dependencies: ["CNcursesw"]),

        .target(name: "AWSSigning", dependencies: ["JSON", .product(name: "Crypto", package: "swift-crypto")]),

        .target(name: "JSON"),
        .target(name: "POSIXFiles"),
        .target(name: "AWSCore", dependencies: ["AWSSigning", "JSON", "POSIXFiles", "CExpat"]),
        .target(name: "AWSCurl", dependencies: ["AWSCore", "CCurl"]),
        .target(name: "AWSServices", dependencies: ["AWSCore"]),

        .target(name: "YAMLSyntax", dependencies: ["CYAML", "JSON"]),

        .target(name: "StackSchemas", dependencies: ["StackModel"]),
        .target(name: "StackModel", dependencies: ["JSON"]),
        .target(name: "StackLanguage", dependencies: ["StackModel", "StackSchemas", "YAMLSyntax", "JSON"]),
        .target(name: "StackEngine", dependencies: ["StackModel", "StackLanguage", "StackSchemas", "YAMLSyntax", "JSON", "POSIXFiles", "COpenSSL", "CZlib",
                                                    .product(name: "Crypto", package: "swift-crypto")]),

        .target(name: "StackAWS", dependencies: ["StackEngine", "StackModel", "StackLanguage", "AWSSigning", "AWSCore", "AWSServices", "POSIXFiles",
                                                 .product(name: "X509", package: "swift-certificates")]),

        .target(name: "FleetValues", dependencies: ["JSON", "YAMLSyntax"]),
        .target(name: "Fleet", dependencies: ["FleetValues", "AWSCore", "AWSServices", "JSON", "MQTT", "MQTTNet", "POSIXFiles", .product(name: "X509", package: "swift-certificates"),
                                              .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto")]),

        .target(name: "MQTT", dependencies: ["JSON", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "MQTTNet", dependencies: ["MQTT", "JSON", "AWSSigning", "CCurl"]),

        .target(name: "TermCore", dependencies: ["YAMLSyntax", "JSON"]),
        .target(name: "TermNcurses", dependencies: ["TermCore", "CNcursesw", "CFleetdeckSupport"]),
        .target(name: "Console", dependencies: ["TermCore", "StackEngine", "JSON", "MQTT", "FleetValues"]),
        .target(name: "ConsoleLive", dependencies: ["Console", "TermCore", "StackAWS", "StackEngine", "StackModel", "Fleet", "AWSCore", "AWSServices", "MQTT",
                                                    "MQTTNet", "POSIXFiles", .product(name: "Crypto", package: "swift-crypto")]),

        .executableTarget(name: "fleetdeck", dependencies: [
            "Console", "ConsoleLive", "TermNcurses", "AWSCurl", "AWSSigning", "JSON", "MQTT", "MQTTNet", "AWSServices", "Fleet", "StackAWS", "StackEngine", "StackLanguage", "StackModel", "CFleetdeckSupport", "CCurl", "CExpat",
            .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Crypto", package: "swift-crypto"),
        ]),

        .executableTarget(name: "dashboard-bench", dependencies: ["Console", "StackEngine", "StackModel", "TermCore", "MQTT", "FleetValues"],
                          path: "benchmarks/DashboardBench"),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "AWSSigningTests", dependencies: ["AWSSigning", "TestSupport", "JSON"]),
        .testTarget(name: "AWSCoreTests", dependencies: ["AWSCore", "AWSServices", "TestSupport"]),
        .testTarget(name: "AWSIntegrationTests", dependencies: ["AWSSigning", "AWSCore", "AWSCurl", "AWSServices", "TestSupport", "Fleet", "StackAWS", "StackEngine"]),
        .testTarget(name: "YAMLSyntaxTests", dependencies: ["YAMLSyntax"]),
        .testTarget(name: "StackSchemasTests", dependencies: ["StackSchemas"]),
        .testTarget(name: "StackLanguageTests", dependencies: ["StackLanguage", "StackModel", "JSON"]),
        .testTarget(name: "MQTTTests", dependencies: ["MQTT", "MQTTNet", "TestSupport", "AWSSigning"]),
        .testTarget(name: "StackEngineTests", dependencies: ["StackEngine", "StackModel", "StackLanguage", "TestSupport"]),
        .testTarget(name: "StackAWSTests", dependencies: ["StackAWS", "TestSupport"]),
        .testTarget(name: "TermCoreTests", dependencies: ["TermCore"]),
        .testTarget(name: "ConsoleLiveTests", dependencies: ["ConsoleLive", "Console", "TermCore", "StackAWS", "StackEngine", "AWSCore", "AWSCurl", "TestSupport"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "TermCore", "StackEngine", "StackModel", "MQTT", "FleetValues"], exclude: ["Snapshots"]),
        .testTarget(name: "FleetdeckCLITests", dependencies: ["TestSupport", "fleetdeck"]),
        .testTarget(name: "FuzzTests", dependencies: ["StackEngine", "StackLanguage", "StackModel", "YAMLSyntax", "JSON", "TermCore", "Fleet", "AWSCore", "MQTT", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
