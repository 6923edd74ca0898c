import NIOCore
import Testing
import WSKCore

@testable import WSKCLI

@Suite("REPL command parser")
struct REPLInputTests {
    @Test(arguments: [
        ("hello", REPLCommand.text("hello")),
        ("", .empty),
        ("//etc/passwd", .text("/etc/passwd")),
        ("/text /not a command", .text("/not a command")),
        ("/binary 00 01 ff", .binary(.bytes([0, 1, 0xFF]))),
        ("/binary 0x0a:0b", .binary(.bytes([0x0A, 0x0B]))),
        ("/binary base64:AAH/", .binary(.bytes([0, 1, 0xFF]))),
        ("/binary @/tmp/x.bin", .binary(.file("/tmp/x.bin"))),
        ("/ping", .ping([])),
        ("/ping abc", .ping(Array("abc".utf8))),
        ("/ping hex:0001", .ping([0, 1])),
        ("/pong beat", .pong(Array("beat".utf8))),
        ("/close", .close(code: nil, reason: "")),
        ("/close 1001", .close(code: 1001, reason: "")),
        ("/close 4000 going home now", .close(code: 4000, reason: "going home now")),
        ("/frame text hi", .frame(RawFrameSpec(opcode: 1, payload: .text("hi")))),
        ("/frame nofin rsv1 rsv3 binary hex:00ff", .frame(RawFrameSpec(isFinal: false, reservedBits: 0x50, opcode: 2, payload: .bytes([0, 0xFF])))),
        ("/frame nomask 0xB", .frame(RawFrameSpec(opcode: 11, masked: false, payload: .text("")))),
        ("/frame close hex:03e8", .frame(RawFrameSpec(opcode: 8, payload: .bytes([0x03, 0xE8])))),
        ("/frame 3 reserved", .frame(RawFrameSpec(opcode: 3, payload: .text("reserved")))),
        ("/fragment 4 hello world", .fragment(size: 4, payload: .text("hello world"))),
        ("/fragment 2 hex:000102", .fragment(size: 2, payload: .bytes([0, 1, 2]))),
        ("/quit", .quit),
        ("/exit", .quit),
        ("/help", .help),
    ])
    func parses(line: String, expected: REPLCommand) {
        #expect(REPLInput.parse(line) == expected)
    }

    @Test(arguments: [
        ("/binary", "usage: /binary"),
        ("/binary xyz", "not hex"),
        ("/binary base64:!!", "not base64"),
        ("/ping " + String(repeating: "x", count: 126), "at most 125 bytes (RFC 6455 §5.5)"),
        ("/close normal", "usage: /close"),
        ("/close 1000 " + String(repeating: "r", count: 124), "at most 123 bytes"),
        ("/frame", "usage: /frame"),
        ("/frame 16", "unknown frame flag or opcode '16'"),
        ("/frame bogus x", "unknown frame flag or opcode 'bogus'"),
        ("/fragment 0 x", "usage: /fragment"),
        ("/fragment many x", "usage: /fragment"),
        ("/nope", "unknown command /nope"),
    ])
    func rejects(line: String, message: String) {
        guard case .invalid(let text) = REPLInput.parse(line) else {
            Issue.record("\(line) parsed as \(REPLInput.parse(line))")
            return
        }
        #expect(text.contains(message), "\(text)")
    }

    @Test func everyCommandIsCompletedAndDocumented() {
        for command in REPLInput.commands {
            #expect(REPLInput.help.contains(command + " ") || REPLInput.help.contains(command + "\n"), "\(command)")
            #expect(!(REPLInput.parse(command).isInvalid), "\(command)")
        }
    }
}

extension REPLCommand {
    var isInvalid: Bool {
        if case .invalid(let message) = self { return !message.hasPrefix("usage") }
        return false
    }
}

@Suite("REPL output formatting")
struct REPLFormatterTests {
    let plain = REPLFormatter(style: Style(enabled: false))

    @Test func textAndBinaryMessages() {
        #expect(plain.received(Message(opcode: .text, data: ByteBuffer(string: "hi"))) == "< hi")
        #expect(plain.received(Message(opcode: .binary, data: ByteBuffer(bytes: [0, 1, 0xFF]))) == "< binary 3 bytes: 0001ff")
        var base64 = plain
        base64.binaryEncoding = .base64
        #expect(base64.received(Message(opcode: .binary, data: ByteBuffer(bytes: [0, 1, 0xFF]))) == "< binary 3 bytes: base64:AAH/")
        #expect(plain.received(Message(opcode: .binary, data: ByteBuffer())) == "< binary 0 bytes")
    }

    @Test func controlCharactersFromTheNetworkAreShownNotExecuted() {
        // A server must not drive the user's terminal: ESC sequences, CR, BEL, DEL and C1
        // controls (U+009B is a one-character CSI) are written out; newline and tab stay.
        let hostile = "\u{1B}[31mred\u{1B}[0m\r\u{07}\u{7F}\u{9B}2J\nnext\tline ✓"
        #expect(plain.received(Message(opcode: .text, data: ByteBuffer(string: hostile))) == "< \\x1b[31mred\\x1b[0m\\r\\x07\\x7f\\u{9b}2J\n  next\tline ✓")
        #expect(plain.receivedClose(CloseFrame(code: .goingAway, reason: "\u{1B}]0;pwned\u{07}")) == "< close 1001 (going away) \"\\x1b]0;pwned\\x07\"")
        #expect(plain.receivedControl(.pong, payload: ByteBuffer(string: "\u{9B}x")) == "< pong c29b78")
        var raw = plain
        raw.rawOutput = true
        #expect(raw.received(Message(opcode: .text, data: ByteBuffer(string: hostile))) == "< " + hostile.replacingOccurrences(of: "\n", with: "\n  "))
    }

    @Test func controlFramesAndCloses() {
        #expect(plain.receivedControl(.pong, payload: ByteBuffer(string: "abc"), roundTrip: 0.0012345) == "< pong \"abc\" 1.23 ms")
        #expect(plain.receivedControl(.ping, payload: ByteBuffer(bytes: [0, 7])) == "< ping 0007")
        #expect(plain.receivedClose(CloseFrame(code: .goingAway, reason: "bye")) == "< close 1001 (going away) \"bye\"")
        #expect(plain.receivedClose(CloseFrame(code: nil)) == "< close (no status code)")
        #expect(plain.closed(CloseOutcome(code: .normalClosure, reason: "", wasClean: true, initiatedByPeer: false)) == "* closed: 1000 (normal closure)")
        #expect(plain.closed(CloseOutcome(code: .abnormalClosure, reason: "", wasClean: false, initiatedByPeer: true)) == "! connection ended: 1006 (abnormal closure) (no closing handshake)")
    }

    @Test func colourOnlyWhenEnabled() {
        let coloured = REPLFormatter(style: Style(enabled: true))
        #expect(coloured.received(Message(opcode: .text, data: ByteBuffer(string: "hi"))).contains("\u{1B}["))
        #expect(!plain.error("x").contains("\u{1B}"))
    }

    @Test func timestampsPrefixAndIndentContinuationLines() {
        var formatter = plain
        formatter.timestamps = true
        formatter.clock = { "12:00:00.000" }
        #expect(formatter.received(Message(opcode: .text, data: ByteBuffer(string: "a\nb"))) == "12:00:00.000 < a\n               b")
    }

    @Test func jsonIsPrettyPrintedKeepingKeyOrder() {
        var formatter = plain
        formatter.jsonPretty = true
        let text = #"{"z":1,"a":[true,null,{"s":"x, y: {z}"}],"e":{},"f":[]}"#
        let expected = """
            < {
                "z": 1,
                "a": [
                  true,
                  null,
                  {
                    "s": "x, y: {z}"
                  }
                ],
                "e": {},
                "f": []
              }
            """
        #expect(formatter.received(Message(opcode: .text, data: ByteBuffer(string: text))) == expected)
        // Not JSON: printed as it came.
        #expect(formatter.received(Message(opcode: .text, data: ByteBuffer(string: "{oops"))) == "< {oops")
        #expect(REPLFormatter.prettyJSON("42") == nil)
    }
}
