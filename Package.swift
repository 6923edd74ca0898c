// swift-tools-version:6.1
import PackageDescription

// wsk: a command-line WebSocket toolkit.
//
// Layering (see README.md and ../shared/DESIGN.md):
//   wsk (executable) -> WSKCLI -> WSKCompression -> WSKCore
// WSKCore is sans-IO: it imports NIOCore (ByteBuffer only) and HTTPTypes, nothing else.
// scripts/check-imports.sh enforces that in CI.

// Release builds of wsk's own modules skip the runtime exclusivity checks (swift_beginAccess
// on every mutation of a class's stored struct: 3-12% of the CPU in profiles of serve-echo
// and frame-dump --json). Debug builds, and so every test run, keep them: a violation
// still traps there.
let releaseSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "wsk",
    products: [
        .executable(name: "wsk", targets: ["wsk"]),
        .library(name: "WSKCore", targets: ["WSKCore"]),
        .library(name: "WSKCompression", targets: ["WSKCompression"]),
        .library(name: "WSKCapture", targets: ["WSKCapture"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        .target(
            name: "WSKCore",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: releaseSettings
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "WSKCompression",
            dependencies: [
                "WSKCore",
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: releaseSettings
        ),
        // All NIO channel code: server bootstrap, HTTP/1 upgrade, the connection handler, TLS.
        .target(
            name: "WSKNIO",
            dependencies: [
                "WSKCore",
                "WSKCompression",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: releaseSettings
        ),
        // frame-dump's inputs: capture files (pcap, pcapng), link layers, IPv4/IPv6, TCP
        // reassembly and HTTP heads for `--pcap`, hex/base64 text for `--hex`/`--base64`.
        // Pure Swift with no dependencies (FuzzTesting fuzzes each parser).
        .target(name: "WSKCapture", swiftSettings: releaseSettings),
        // Debian's libedit (libedit-dev), for the REPL's line editing.
        .systemLibrary(
            name: "CLibEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        // The REPL's line editor; the only target that imports CLibEdit.
        .target(
            name: "WSKLineEditing",
            dependencies: ["CLibEdit"]
        ),
        .target(
            name: "WSKCLI",
            dependencies: [
                "WSKCore",
                "WSKLineEditing",
                "WSKCompression",
                "WSKNIO",
                "WSKCapture",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: releaseSettings
        ),
        .executableTarget(
            name: "wsk",
            dependencies: ["WSKCLI"]
        ),
        // Release-build microbenchmarks: `swift run -c release wsk-microbench`.
        .executableTarget(
            name: "wsk-microbench",
            dependencies: [
                "WSKCore",
                "WSKCompression",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/WSKMicroBench"
        ),
        .testTarget(
            name: "WSKCoreTests",
            dependencies: [
                "WSKCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.copy("Resources")]
        ),
        .testTarget(
            name: "WSKCompressionTests",
            dependencies: [
                "WSKCore",
                "WSKCompression",
                "CZlib",  // reference streams and a strict 256-byte-window inflater for the tests
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Real processes over loopback: the built `wsk` binary and peers from other projects.
        .testTarget(
            name: "WSKIntegrationTests",
            dependencies: [
                "wsk",
                "WSKCore",
                "WSKCompression",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Peers"]
        ),
        // The session's flow control, the relay and child processes: embedded channels and
        // real pipes, no network mocks.
        .testTarget(
            name: "WSKNIOTests",
            dependencies: [
                "WSKNIO",
                "WSKCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "WSKCaptureTests",
            dependencies: ["WSKCapture"]
        ),
        .testTarget(
            name: "WSKCLITests",
            dependencies: [
                "WSKCLI",
                "WSKCore",
                "WSKCapture",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.copy("Resources")]
        ),
    ]
)
