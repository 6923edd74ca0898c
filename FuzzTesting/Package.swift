// swift-tools-version:6.1
// libFuzzer targets for wsk's codec. Not part of the main package, so `swift test` never
// builds them. See README.md in this folder.
import PackageDescription

let fuzzTargets = [
    "FuzzFrameDecoder", "FuzzConnection", "FuzzHandshakeRequest", "FuzzHandshakeResponse",
    "FuzzExtensionHeader", "FuzzInflate",
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
        .target(
            name: "FuzzSupport",
            dependencies: ["CFuzzDriver", .product(name: "NIOCore", package: "swift-nio"), .product(name: "HTTPTypes", package: "swift-http-types")]
        ),
    ]
        + fuzzTargets.map { name in
            .executableTarget(
                name: name,
                dependencies: [
                    "FuzzSupport",
                    .product(name: "WSKCore", package: "wsk"),
                    .product(name: "WSKCompression", package: "wsk"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "HTTPTypes", package: "swift-http-types"),
                ]
            )
        }
)
