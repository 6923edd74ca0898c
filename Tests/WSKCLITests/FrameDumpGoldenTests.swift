import Foundation
import Testing

@testable import WSKCLI

/// Every published vector of RFC 6455 §5.7 and RFC 7692 §7.2.3 through `frame-dump`, text
/// and JSON, against `Resources/Golden/NAME.txt` and `NAME.jsonl`.
///
/// To accept new output after an intended change: `UPDATE_GOLDEN=1 swift test --filter Golden`,
/// then review the diff.
@Suite struct FrameDumpGoldenTests {
    struct Vector: CustomTestStringConvertible, Sendable {
        var name: String
        var arguments: [String]
        var hex: String
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(name: "rfc6455-5.7-unmasked-text", arguments: [], hex: "81 05 48 65 6c 6c 6f"),
        Vector(name: "rfc6455-5.7-masked-text", arguments: [], hex: "81 85 37 fa 21 3d 7f 9f 4d 51 58"),
        Vector(name: "rfc6455-5.7-fragmented-text", arguments: [], hex: "01 03 48 65 6c 80 02 6c 6f"),
        Vector(name: "rfc6455-5.7-unmasked-ping", arguments: [], hex: "89 05 48 65 6c 6c 6f"),
        Vector(name: "rfc6455-5.7-masked-pong", arguments: [], hex: "8a 85 37 fa 21 3d 7f 9f 4d 51 58"),
        Vector(
            name: "rfc6455-5.7-256-byte-binary",
            arguments: [],
            hex: "82 7e 01 00 " + (0..<256).map { ByteText.hex(CollectionOfOne(UInt8($0))) }.joined(separator: " ")
        ),
        Vector(
            name: "rfc6455-5.7-65536-byte-binary",
            arguments: [],
            hex: "82 7f 00 00 00 00 00 01 00 00 " + String(repeating: "ab", count: 65536)
        ),
        Vector(name: "rfc7692-7.2.3.1-compressed", arguments: ["--deflate"], hex: "c1 07 f2 48 cd c9 c9 07 00"),
        Vector(
            name: "rfc7692-7.2.3.1-compressed-fragmented",
            arguments: ["--deflate"],
            hex: "41 03 f2 48 cd 80 04 c9 c9 07 00"
        ),
        Vector(
            name: "rfc7692-7.2.3.2-shared-window",
            arguments: ["--deflate"],
            hex: "c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00"
        ),
        Vector(
            name: "rfc7692-7.2.3.2-no-context-takeover",
            arguments: ["--extensions", "permessage-deflate; server_no_context_takeover"],
            hex: "c1 07 f2 48 cd c9 c9 07 00 c1 07 f2 48 cd c9 c9 07 00"
        ),
        Vector(
            name: "rfc7692-7.2.3.3-stored-block",
            arguments: ["--deflate"],
            hex: "c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00"
        ),
        Vector(name: "rfc7692-7.2.3.4-bfinal", arguments: ["--deflate"], hex: "c1 08 f3 48 cd c9 c9 07 00 00"),
        Vector(
            name: "rfc7692-7.2.3.5-two-blocks",
            arguments: ["--deflate"],
            hex: "c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00"
        ),
        Vector(name: "rfc7692-7.2.3.6-empty", arguments: ["--deflate"], hex: "c1 01 00"),
    ]

    static var goldenSourceDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/Golden")
    }

    func check(_ actual: String, against file: String) throws {
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try actual.write(to: Self.goldenSourceDirectory.appendingPathComponent(file), atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: resourcesURL.appendingPathComponent("Golden/\(file)"), encoding: .utf8)
        #expect(actual == expected, "frame-dump output differs from Golden/\(file)")
    }

    @Test(arguments: vectors)
    func textOutputMatchesTheGoldenFile(vector: Vector) throws {
        let result = try frameDump(hex: vector.hex, vector.arguments)
        try check(result.output, against: "\(vector.name).txt")
        #expect(result.summary.violations == 0)
    }

    @Test(arguments: vectors)
    func jsonOutputMatchesTheGoldenFile(vector: Vector) throws {
        let result = try frameDump(hex: vector.hex, vector.arguments + ["--json"])
        try check(result.output, against: "\(vector.name).jsonl")
        _ = try jsonLines(result.output)  // every line parses
    }
}
