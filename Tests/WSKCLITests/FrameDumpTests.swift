import ArgumentParser
import Foundation
import Testing
import NIOCore
import WSKCore

@testable import WSKCLI

@Suite struct FrameDumpTests {
    // MARK: - Input encodings

    @Test(arguments: [
        "81 05 48 65 6c 6c 6f",
        "8105 48656c6c6f",
        "81:05:48:65:6c:6c:6f",
        "0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f",
        "\\x81\\x05\\x48\\x65\\x6c\\x6c\\x6f",
        "81 05\n48 65\r\n6c 6c 6f\n",
        "00000000: 8105 4865 6c6c 6f                        ..Hello\n",
        "00000000  81 05 48 65 6c 6c 6f                              |..Hello|\n00000007\n",
        "81-05-48-65-6C-6C-6F",
    ])
    func hexInputIsTolerant(text: String) throws {
        #expect(try ByteText.decodeHex(text) == [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
    }

    @Test func hexErrorsNameThePosition() {
        #expect(throws: ByteText.DecodeError.self) { try ByteText.decodeHex("81 0") }
        do {
            _ = try ByteText.decodeHex("81 zz")
            Issue.record("no error")
        } catch {
            #expect(error.description == "'z' is not a hex digit (line 1, column 4)")
        }
    }

    @Test(arguments: ["gQVIZWxsbw==", "gQVIZWxsbw", "gQVI\nZWxs bw==\n"])
    func base64Input(text: String) throws {
        #expect(try ByteText.decodeBase64(text) == [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
        let result = try frameDump(["--base64"], input: Array(text.utf8))
        #expect(result.output.contains("text         unmasked       len 5      \"Hello\""))
    }

    @Test func rawBytesInput() throws {
        let result = try frameDump([], input: [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
        #expect(result.summary.frames == 1)
        #expect(result.summary.inputBytes == 7)
    }

    @Test func badHexIsAnInputError() {
        #expect(throws: FrameDumper.InputError.self) { try frameDump(hex: "81 0g") }
    }

    // MARK: - Roles

    @Test func roleIsDetectedFromTheFirstFrame() throws {
        let masked = try frameDump(hex: "81 85 37 fa 21 3d 7f 9f 4d 51 58")
        #expect(masked.output.hasPrefix("# bytes written by the client (auto-detected: the first frame is masked"))
        let unmasked = try frameDump(hex: "81 05 48 65 6c 6c 6f")
        #expect(unmasked.output.hasPrefix("# bytes written by the server (auto-detected: the first frame is not masked"))
    }

    @Test func anExplicitRoleFlagsTheMaskRule() throws {
        let result = try frameDump(hex: "81 05 48 65 6c 6c 6f", ["--role", "client"])
        #expect(!result.output.contains("auto-detected"))
        #expect(result.output.contains("! unmasked-client-frame: client frame is not masked — RFC 6455 §5.1; close 1002 (protocol error) (client offset 0)"))
        #expect(result.summary.violations == 1)
        let server = try frameDump(hex: "81 85 37 fa 21 3d 7f 9f 4d 51 58", ["--role", "server"])
        #expect(server.output.contains("! masked-server-frame"))
    }

    @Test func laterFramesAreJudgedByTheDetectedRole() throws {
        // Masked first frame (client), then an unmasked one at offset 11.
        let result = try frameDump(hex: "81 85 37 fa 21 3d 7f 9f 4d 51 58 81 05 48 65 6c 6c 6f")
        #expect(result.output.contains("! unmasked-client-frame: client frame is not masked — RFC 6455 §5.1; close 1002 (protocol error) (client offset 11)"))
    }

    // MARK: - Violations

    struct BadStream: CustomTestStringConvertible, Sendable {
        var hex: String
        var id: String
        var section: String
        var closeCode: Int
        var offset: Int
        var testDescription: String { id }
    }

    static let badStreams: [BadStream] = [
        BadStream(hex: "83 00", id: "reserved-opcode", section: "RFC 6455 §5.2", closeCode: 1002, offset: 0),
        BadStream(hex: "81 00 a1 00", id: "reserved-bits-set", section: "RFC 6455 §5.2", closeCode: 1002, offset: 2),
        BadStream(hex: "09 00", id: "fragmented-control-frame", section: "RFC 6455 §5.5", closeCode: 1002, offset: 0),
        BadStream(hex: "89 7e 00 7e" + String(repeating: " 00", count: 126), id: "control-frame-too-long", section: "RFC 6455 §5.5", closeCode: 1002, offset: 0),
        BadStream(hex: "82 7e 00 05 01 02 03 04 05", id: "non-minimal-length", section: "RFC 6455 §5.2", closeCode: 1002, offset: 0),
        BadStream(hex: "80 00", id: "unexpected-continuation", section: "RFC 6455 §5.4", closeCode: 1002, offset: 0),
        BadStream(hex: "01 01 41 81 01 42", id: "expected-continuation", section: "RFC 6455 §5.4", closeCode: 1002, offset: 3),
        BadStream(hex: "81 04 41 42 c3 28", id: "invalid-utf8", section: "RFC 6455 §8.1", closeCode: 1007, offset: 5),
        BadStream(hex: "88 01 03", id: "invalid-close-payload-length", section: "RFC 6455 §5.5.1", closeCode: 1002, offset: 0),
        BadStream(hex: "88 02 03 ed", id: "invalid-close-code", section: "RFC 6455 §7.4", closeCode: 1002, offset: 0),
        BadStream(hex: "88 02 03 e8 81 00", id: "frame-after-close", section: "RFC 6455 §5.5.1", closeCode: 1002, offset: 4),
        BadStream(hex: "82 7f 80 00 00 00 00 00 00 01", id: "length-high-bit-set", section: "RFC 6455 §5.2", closeCode: 1002, offset: 0),
    ]

    @Test(arguments: badStreams)
    func everyViolationIsPrintedWithSectionCloseCodeAndOffset(bad: BadStream) throws {
        let text = try frameDump(hex: bad.hex, ["--role", "server"])
        #expect(text.summary.violations >= 1)
        #expect(text.output.contains("! \(bad.id): "), "\(text.output)")
        #expect(text.output.contains("— \(bad.section); close \(bad.closeCode) ("))
        #expect(text.output.contains("(server offset \(bad.offset))"))

        let json = try jsonLines(try frameDump(hex: bad.hex, ["--role", "server", "--json"]).output)
        let violations = json.flatMap { object -> [[String: Any]] in
            if object["type"] as? String == "violation" { return [object] }
            return object["violations"] as? [[String: Any]] ?? []
        }
        let match = try #require(violations.first { $0["id"] as? String == bad.id })
        #expect(match["rfc"] as? String == bad.section)
        #expect(match["close_code"] as? Int == bad.closeCode)
        #expect(match["offset"] as? Int == bad.offset)
        #expect(match["direction"] as? String == "server")
    }

    @Test func decodingGoesOnAfterAViolation() throws {
        // Reserved opcode, then a good text frame.
        let result = try frameDump(hex: "83 00 81 02 68 69", ["--role", "server"])
        #expect(result.summary.frames == 2)
        #expect(result.output.contains("\"hi\""))
    }

    @Test func compressedDataThatDoesNotInflateIsAViolation() throws {
        let result = try frameDump(hex: "c1 03 ff ff ff", ["--deflate"])
        #expect(result.output.contains("! invalid-compressed-data"))
        #expect(result.output.contains("RFC 7692 §6.2; close 1007 (invalid payload data)"))
    }

    @Test func compressedTextIsCheckedAsUTF8AfterInflating() throws {
        // raw DEFLATE of the bytes c3 28 (invalid UTF-8), sync-flushed, trailer removed.
        let result = try frameDump(hex: "c1 04 3a ac 01 00", ["--deflate"])
        #expect(result.output.contains("! invalid-utf8"), "\(result.output)")
    }

    @Test func truncatedStreamIsANoteNotAViolation() throws {
        let result = try frameDump(hex: "81 05 48 65")
        #expect(result.output.contains("# server stream ends inside a frame (4 bytes of it present) at offset 0"))
        #expect(result.summary.violations == 0)
        #expect(result.summary.incompleteFrames == 1)
    }

    @Test func closeFramesShowCodeNameAndReason() throws {
        let result = try frameDump(hex: "88 05 03 e8 62 79 65")
        #expect(result.output.contains("close        unmasked       len 5      1000 (normal closure) \"bye\""))
        let empty = try frameDump(hex: "88 00")
        #expect(empty.output.contains("no status code"))
    }

    // MARK: - Output modes

    @Test func previewsAreCutUnlessFull() throws {
        let long = "81 7e 00 c8 " + String(repeating: "41 ", count: 200)
        let preview = try frameDump(hex: long)
        #expect(preview.output.contains("\"" + String(repeating: "A", count: 64) + "\"…"))
        let full = try frameDump(hex: long, ["--full"])
        #expect(full.output.contains("\"" + String(repeating: "A", count: 200) + "\""))
    }

    @Test func jsonFramesCarryTheDocumentedFields() throws {
        let lines = try jsonLines(try frameDump(hex: "81 85 37 fa 21 3d 7f 9f 4d 51 58 88 82 00 00 00 00 03 e8", ["--json"]).output)
        #expect(lines.map { $0["type"] as? String } == ["note", "frame", "frame", "summary"])
        let text = lines[1]
        #expect(text["direction"] as? String == "client")
        #expect(text["offset"] as? Int == 0)
        #expect(text["fin"] as? Bool == true)
        #expect(text["rsv1"] as? Bool == false)
        #expect(text["opcode"] as? Int == 1)
        #expect(text["opcode_name"] as? String == "text")
        #expect(text["masked"] as? Bool == true)
        #expect(text["mask"] as? String == "37fa213d")
        #expect(text["header_length"] as? Int == 6)
        #expect(text["length"] as? Int == 5)
        #expect(text["payload_hex"] as? String == "48656c6c6f")
        #expect(text["payload_text"] as? String == "Hello")
        #expect(text["payload_truncated"] as? Bool == false)
        #expect((text["violations"] as? [Any])?.isEmpty == true)
        let close = lines[2]
        #expect(close["close_code"] as? Int == 1000)
        #expect(close["close_name"] as? String == "normal closure")
        #expect(close["close_reason"] as? String == "")
    }

    @Test func countAndQuietPrintOnlyTotals() throws {
        let hex = "81 05 48 65 6c 6c 6f 83 00 89 00"
        let count = try frameDump(hex: hex, ["--count", "--role", "server"])
        #expect(count.output == "frames 3 (text 1, reserved-0x3 1, ping 1)  messages 1  payload 5 bytes  input 11 bytes  server: frames 3, messages 1, 5 bytes  violations 1\n")
        let quiet = try frameDump(hex: hex, ["--quiet", "--role", "server"])
        let lines = quiet.output.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("! reserved-opcode"))
        let json = try jsonLines(try frameDump(hex: hex, ["--count", "--json", "--role", "server"]).output)
        #expect(json.count == 1)
        #expect(json[0]["type"] as? String == "summary")
        #expect(json[0]["frames"] as? Int == 3)
        #expect(json[0]["violations"] as? Int == 1)
    }

    @Test func colourIsOnlyUsedWhenAsked() throws {
        #expect(Terminal.usesColor(flag: true, fd: -1, environment: [:]))
        #expect(!Terminal.usesColor(flag: nil, fd: -1, environment: [:]))  // not a TTY
        #expect(Terminal.noColorRequested(environment: ["NO_COLOR": "1"]))
        #expect(!Terminal.noColorRequested(environment: ["NO_COLOR": ""]))
        let formatter = FrameFormatter(style: .text, color: Style(enabled: true), full: false, showsConnection: false)
        let violation = ViolationRecord(
            position: StreamPosition(connection: nil, writer: .server, offset: 0),
            identifier: "x",
            rfcSection: "RFC 6455 §5.2",
            closeCode: .protocolError,
            message: "m"
        )
        #expect(formatter.render(.violation(violation))[0].contains("\u{1B}[1;31m"))
    }

    // MARK: - Arguments

    struct BadArguments: CustomTestStringConvertible, Sendable {
        var arguments: [String]
        var flag: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let badArguments: [BadArguments] = [
        BadArguments(arguments: ["--hex", "--base64"], flag: "--hex"),
        BadArguments(arguments: ["--pcap", "x.pcap", "--hex"], flag: "--pcap"),
        BadArguments(arguments: ["--pcap", "x.pcap", "--role", "client"], flag: "--role"),
        BadArguments(arguments: ["--pcap", "x.pcap", "--deflate"], flag: "--deflate"),
        BadArguments(arguments: ["--port", "80"], flag: "--port"),
        BadArguments(arguments: ["--pcap", "x.pcap", "--port", "70000"], flag: "--port"),
        BadArguments(arguments: ["--count", "--quiet"], flag: "--count"),
        BadArguments(arguments: ["--extensions", "permessage-deflate; server_max_window_bits=16"], flag: "--extensions"),
        BadArguments(arguments: ["--extensions", "x-other"], flag: "--extensions"),
        BadArguments(arguments: ["--role", "proxy"], flag: "--role"),
        BadArguments(arguments: ["--max-frame-size", "0"], flag: "--max-frame-size"),
    ]

    @Test(arguments: badArguments)
    func argumentErrorsNameTheFlag(bad: BadArguments) {
        do {
            _ = try WSK.parseAsRoot(["frame-dump"] + bad.arguments)
            Issue.record("accepted \(bad.arguments)")
        } catch {
            let message = WSK.message(for: error)
            #expect(message.contains(bad.flag), "\(message)")
            #expect(!message.contains("\n"), "one line: \(message)")
            #expect(WSK.exitCode(for: error).rawValue == 64)
        }
    }

    @Test func extensionsConfigureDeflate() throws {
        let parsed = try WSK.parseAsRoot(["frame-dump", "--extensions", "permessage-deflate; client_no_context_takeover; server_max_window_bits=10"])
        let configuration = try (try #require(parsed as? FrameDump)).makeConfiguration()
        #expect(configuration.deflate?.clientNoContextTakeover == true)
        #expect(configuration.deflate?.serverMaxWindowBits == 10)
    }
}

/// frame-dump --json writes frames through a byte-level fast path; it must match the
/// general JSON writer byte for byte.
@Suite struct FrameJSONFastPathTests {
    @Test(arguments: [false, true])
    func theFastPathWritesWhatTheGeneralOneWrites(full: Bool) {
        let formatter = FrameFormatter(style: .json, color: Style(enabled: false), full: full, showsConnection: true)
        var generator = SystemRandomNumberGenerator()
        let texts = ["Hello", "with \"quotes\" and \\ backslash", "héllo ✓ 日本語", "tab\there", String(repeating: "long ", count: 40), ""]
        for index in 0..<400 {
            let opcode: Opcode = [.text, .binary, .continuation, .ping, .pong][index % 5]
            let isText = opcode == .text || (opcode == .continuation && index % 2 == 0)
            let payload = isText
                ? ByteBuffer(string: texts[index % texts.count])
                : ByteBuffer(bytes: (0..<(index % 70)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let key: MaskingKey? = index % 3 == 0 ? MaskingKey(rawValue: UInt32.random(in: 0...UInt32.max, using: &generator)) : nil
            let frame = Frame(isFinal: index % 4 != 0, reservedBits: index % 7 == 0 ? .rsv1 : [], opcode: opcode, maskingKey: key, payload: payload)
            let record = FrameRecord(
                position: StreamPosition(connection: index % 2 == 0 ? index : nil, writer: index % 2 == 0 ? .client : .server, offset: index * 1000, time: index % 5 == 0 ? Int64(index) * 1_000_003_000 : nil),
                frame: frame, headerLength: 2 + (key == nil ? 0 : 4), isText: isText, violations: [])
            #expect(formatter.canWriteFrameJSONFast(record))
            var bytes: [UInt8] = []
            formatter.writeFrameJSON(record, into: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == formatter.json(.frame(record)), "frame \(index)")
        }
    }
}
