// swift-tools-version: 6.2
import PackageDescription

/// One set of compiler settings for every target (style.md §15).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchboard", targets: ["Switchboard"]),
        .library(name: "HubKernel", targets: ["HubKernel"]),
        .library(name: "HubTesting", targets: ["HubTesting"]),
        .executable(name: "switchboard-load", targets: ["LoadTool"]),
        .executable(name: "switchboard-fuzz", targets: ["Fuzzing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        // zlib for permessage-deflate: the hub's own WebSocket layer inflates client messages
        // (already in the graph under hummingbird-websocket's client; named here because the
        // kernel now uses it directly instead of an SPI).
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // HdrHistogram: the load tool's latency percentiles (issue #6 names it).
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // The system's SQLite (libsqlite3-dev), driven directly by HubKernel's SQLite layer:
        // SQLiteKit/SQLiteNIO ran each statement on a thread pool (a hop there and back per
        // statement, most of a persisted command's cost) and is no longer a dependency.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .target(
            name: "HubKernel",
            dependencies: [
                "CSQLite",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HubTesting",
            dependencies: [
                "HubKernel",
                // reading a database file through a connection of its own (CommittedRows)
                "CSQLite",
                // ModuleConformance runs each module's services through a graceful shutdown
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The out-of-tree example module: it lives under examples/ to prove that a module
        // needs no kernel edit; the catalog lists it like any other.
        .target(
            name: "Polls",
            dependencies: [
                "HubKernel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            path: "examples/out-of-tree-module/Sources/Polls",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Chat",
            dependencies: [
                "HubKernel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Plugins/Chat",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Presence",
            dependencies: [
                "HubKernel",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Plugins/Presence",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Notifications",
            dependencies: [
                "HubKernel",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Plugins/Notifications",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Tickets",
            dependencies: [
                "HubKernel",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Plugins/Tickets",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Betting",
            dependencies: [
                "HubKernel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // SHA-256 and HMAC of the provably fair draw and the webhook signature
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Plugins/Betting",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CHSH",
            dependencies: [
                "HubKernel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Plugins/CHSH",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Switchboard",
            dependencies: [
                "HubKernel",
                "Polls",
                "Chat",
                "Presence",
                "Notifications",
                "Tickets",
                "Betting",
                "CHSH",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // the web pages and switchboard.js, compiled into the binary: a copied executable
            // serves them with nothing else installed
            resources: [
                .embedInCode("Web/index.html"),
                .embedInCode("Web/app.js"),
                .embedInCode("Web/app.css"),
                .embedInCode("Web/switchboard.js"),
                .embedInCode("Web/session.js"),
                .embedInCode("Web/betting.html"),
                .embedInCode("Web/betting.js"),
                .embedInCode("Web/betting.css"),
                .embedInCode("Web/chsh.html"),
                .embedInCode("Web/chsh.js"),
                .embedInCode("Web/chsh.css"),
                .embedInCode("Web/chsh-host.html"),
                .embedInCode("Web/chsh-host.js"),
                .embedInCode("Web/chsh-host.css"),
                .embedInCode("Web/qrcode.js"),
                .embedInCode("Web/helpdesk.html"),
                .embedInCode("Web/helpdesk.js"),
                .embedInCode("Web/helpdesk.css"),
                .embedInCode("Web/admin.html"),
                .embedInCode("Web/admin.js"),
                .embedInCode("Web/admin.css"),
            ],
            swiftSettings: swiftSettings
        ),
        // The load tool: drives a running server over sockets with the public protocol only.
        // libFuzzer targets for the parsers a client reaches (issue #17). scripts/fuzz.sh builds
        // it with coverage instrumentation and libFuzzer; an ordinary build replays a corpus.
        .executableTarget(
            name: "Fuzzing",
            dependencies: ["HubKernel", "HubTesting", "Chat", "Presence", "Notifications", "Tickets", "Betting", "CHSH", "Polls"],
            path: "Sources/Fuzzing",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "LoadTool",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HubKernelTests",
            dependencies: [
                "HubKernel", "HubTesting",
                // forging tokens the server must refuse (a wrong `typ`)
                .product(name: "JWTKit", package: "jwt-kit"),
                // an event loop for the transport's per-loop helpers
                .product(name: "NIOEmbedded", package: "swift-nio"),
                // writing a password hash as it was stored before the pre-hash
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ChatTests",
            dependencies: ["Chat", "HubKernel", "HubTesting", .product(name: "SQLKit", package: "sql-kit")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PresenceTests",
            dependencies: ["Presence", "Chat", "HubKernel", "HubTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NotificationsTests",
            dependencies: ["Notifications", "HubKernel", "HubTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TicketsTests",
            dependencies: ["Tickets", "Notifications", "HubKernel", "HubTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BettingTests",
            dependencies: ["Betting", "Notifications", "HubKernel", "HubTesting", .product(name: "SQLKit", package: "sql-kit"),
                           .product(name: "Configuration", package: "swift-configuration"),
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CHSHTests",
            dependencies: ["CHSH", "HubKernel", "HubTesting", .product(name: "SQLKit", package: "sql-kit"),
                           .product(name: "Configuration", package: "swift-configuration"), .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PollsTests",
            dependencies: ["Polls", "HubKernel", "HubTesting"],
            path: "examples/out-of-tree-module/Tests/PollsTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["HubKernel", "HubTesting", "Switchboard"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "HubKernel", "HubTesting", "Switchboard",
                // RawWebSocket: a client built on the RFC's bytes, for what library clients hide
                .product(name: "NIOCore", package: "swift-nio"),
                // compressed frames for the permessage-deflate tests
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
