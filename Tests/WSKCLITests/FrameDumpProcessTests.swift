import Foundation
import Testing

/// The built `wsk` binary as a subprocess: exit codes, NO_COLOR, stdin.
@Suite(.enabled(if: wskExecutable != nil, "needs .build/debug/wsk"))
struct FrameDumpProcessTests {
    @Test func strictExitsNonZeroOnlyWhenAViolationIsFound() throws {
        let good = try runWSK(["frame-dump", "--hex", "--strict"], input: Array("81 05 48 65 6c 6c 6f".utf8))
        #expect(good.status == 0)
        #expect(good.stdout.contains("\"Hello\""))
        let bad = try runWSK(["frame-dump", "--hex", "--strict", "--role", "client"], input: Array("81 05 48 65 6c 6c 6f".utf8))
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("! unmasked-client-frame"))
        let lax = try runWSK(["frame-dump", "--hex", "--role", "client"], input: Array("81 05 48 65 6c 6c 6f".utf8))
        #expect(lax.status == 0)
    }

    @Test func usageErrorsExit64AndNameTheFlag() throws {
        let result = try runWSK(["frame-dump", "--hex", "--base64"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--hex and --base64 cannot be used together"))
    }

    @Test func unreadableInputExits1() throws {
        let result = try runWSK(["frame-dump", "/nonexistent/frames.bin"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot open /nonexistent/frames.bin"))
    }

    @Test func colourFollowsTheFlagsAndNoColor() throws {
        let input = Array("81 05 48 65 6c 6c 6f".utf8)
        #expect(!(try runWSK(["frame-dump", "--hex"], input: input).stdout.contains("\u{1B}[")))  // a pipe
        #expect(try runWSK(["frame-dump", "--hex", "--color"], input: input).stdout.contains("\u{1B}["))
        #expect(!(try runWSK(["frame-dump", "--hex", "--no-color"], input: input, environment: ["NO_COLOR": "1"]).stdout.contains("\u{1B}[")))
    }

    @Test func rawStdinInChunks() throws {
        // 3000 masked frames read from stdin through the 1 MiB cumulation buffer.
        var bytes: [UInt8] = []
        for _ in 0..<3000 { bytes += [0x82, 0xFE, 0x04, 0x00, 1, 2, 3, 4] + [UInt8](repeating: 9, count: 1024) }
        let result = try runWSK(["frame-dump", "--count"], input: bytes)
        #expect(result.stdout == "frames 3000 (binary 3000)  messages 3000  payload 3072000 bytes  input \(bytes.count) bytes  client: frames 3000, messages 3000, 3072000 bytes  violations 0\n")
    }
}
