// swift-tools-version:6.1
// libFuzzer targets for every parser of peer or file input in wsk. Not part of the main
// package, so `swift test` never builds them. See README.md in this folder.
import PackageDescription

let fuzzTargets = [
    "FuzzFrameDecoder", "FuzzConnection", "FuzzHandshakeRequest", "FuzzHandshakeResponse",
    "FuzzExtensionHeader", "FuzzInflate", "FuzzCaptureFile", "FuzzTCPReassembler", "FuzzHTTPHead",
    "FuzzByteText", "FuzzSOCKS5",
]

let package = Package(
    name: "wsk-fuzz",
    dependencies: [
        .package(name: "wsk", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        .target(name: "CFuzzDriver"),
        // The system zlib, for FuzzInflate's reference inflater with an exact window.
        .systemLibrary(name: "CFuzzZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "FuzzSupport",
            dependencies: [
                "CFuzzDriver",
                .product(name: "WSKCapture", package: "wsk"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
    ]
        + fuzzTargets.map { name in
            .executableTarget(
                name: name,
                dependencies: [
                    "FuzzSupport",
                    "CFuzzZlib",
                    .product(name: "WSKCore", package: "wsk"),
                    .product(name: "WSKCompression", package: "wsk"),
                    .product(name: "WSKCapture", package: "wsk"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "HTTPTypes", package: "swift-http-types"),
                ]
            )
        }
)
