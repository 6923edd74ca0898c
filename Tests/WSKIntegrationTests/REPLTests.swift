import Foundation
import Testing
import WSKCore

/// `wsk connect` on a terminal: the libedit REPL in a real pseudo-terminal (tmux), against
/// `wsk serve-echo`.
@Suite("connect (interactive, in a terminal)", .serialized)
struct REPLTests {
    /// A fresh state directory, so history starts empty.
    func stateDirectory() throws -> String {
        let path = scratchPath("state")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func connect(_ port: Int, _ options: String = "", state: String) throws -> TerminalSession {
        let terminal = try TerminalSession(
            "'\(Binary.wsk.path)' connect \(options) ws://127.0.0.1:\(port)/",
            environment: ["XDG_STATE_HOME": state, "NO_COLOR": "1", "TERM": "xterm"]
        )
        let (ok, screen) = terminal.waitForScreen { $0.contains("connected to ws://127.0.0.1:\(port)/") && $0.hasSuffix(">") }
        guard ok else { throw TestFailure("no prompt:\n\(screen)") }
        return terminal
    }

    @Test(arguments: ["C.UTF-8", "C"])
    func nonASCIIIsTypedAndSentExactly(locale: String) throws {
        // Multi-byte and double-width characters, typed at the prompt, go out byte for byte
        // (the server logs what it received) and are shown as typed, whatever the locale.
        let server = try EchoServerProcess(["-v"])
        let terminal = try TerminalSession(
            "'\(Binary.wsk.path)' connect ws://127.0.0.1:\(server.port)/",
            environment: ["XDG_STATE_HOME": try stateDirectory(), "NO_COLOR": "1", "TERM": "xterm", "LC_ALL": locale]
        )
        #expect(terminal.waitForScreen { $0.hasSuffix(">") }.ok, "\(terminal.screen())")
        let text = "héllo ✓ 日本語 🎉"
        try terminal.type(text)
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.contains("< \(text)") }.ok, "\(terminal.screen())")
        #expect(server.process.waitForOutput { _, err in err.contains("bytes=\(text.utf8.count)") }, "\(server.log)")
        try terminal.press("C-d")
        #expect(terminal.waitForExit() == 0, "\(terminal.screen())")
    }

    @Test func aServerCannotDriveTheTerminal() throws {
        // Escape sequences and C1 controls from the network are shown, not executed.
        let server = try ScriptedServer { peer -> Bool in
            try peer.acceptHandshake()
            try peer.send(.text("\u{1B}[2J\u{1B}]0;pwned\u{07}\u{9B}31mhi\r"))
            _ = try peer.eventsUntilClosed(timeout: 20)
            return true
        }
        let terminal = try connect(server.port, state: try stateDirectory())
        #expect(terminal.waitForScreen { $0.contains(#"< \x1b[2J\x1b]0;pwned\x07\u{9b}31mhi\r"#) }.ok, "\(terminal.screen())")
        try terminal.press("C-d")
        #expect(terminal.waitForExit() == 0, "\(terminal.screen())")
    }

    @Test func typedLinesAndSlashCommands() throws {
        let server = try EchoServerProcess()
        let terminal = try connect(server.port, state: try stateDirectory())
        try terminal.type("hello, terminal")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.contains("> hello, terminal\n< hello, terminal") }.ok, "\(terminal.screen())")

        // RFC 6455 §5.5.2/§5.5.3: the pong carries the ping's payload; the REPL shows the RTT.
        try terminal.type("/ping abc")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.range(of: #"< pong "abc" \d+\.\d\d ms"#, options: .regularExpression) != nil }.ok, "\(terminal.screen())")

        try terminal.type("/binary 00 01 ff")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.contains("< binary 3 bytes: 0001ff") }.ok, "\(terminal.screen())")

        // A message sent in three frames comes back whole (RFC 6455 §5.4).
        try terminal.type("/fragment 3 in pieces")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.contains("in 3 frames") && $0.contains("< in pieces") }.ok, "\(terminal.screen())")

        try terminal.type("/nonsense")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.contains("! unknown command /nonsense") }.ok, "\(terminal.screen())")

        // Tab completes slash commands.
        try terminal.type("/he")
        try terminal.press("Tab")
        #expect(terminal.waitForScreen { $0.hasSuffix("> /help") }.ok, "\(terminal.screen())")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.contains("/fragment SIZE PAYLOAD") }.ok, "\(terminal.screen())")

        // Ctrl-D closes with 1000 and waits for the server's close: exit 0.
        try terminal.press("C-d")
        #expect(terminal.waitForExit() == 0, "\(terminal.screen())")
        #expect(terminal.screen().contains("< close 1000 (normal closure)"))
    }

    /// The same REPL on an HTTP/2 stream (RFC 8441): the announcement says so, and text,
    /// pings, binary, fragments and the close work as on HTTP/1.1.
    @Test func theREPLOverHTTP2() throws {
        let server = try EchoServerProcess(["--http2"])
        let terminal = try connect(server.port, "--http2", state: try stateDirectory())
        #expect(terminal.screen().contains("(HTTP/2; permessage-deflate"), "\(terminal.screen())")
        try terminal.type("über h2 ✓")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.contains("> über h2 ✓\n< über h2 ✓") }.ok, "\(terminal.screen())")
        try terminal.type("/ping h2")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.range(of: #"< pong "h2" \d+\.\d\d ms"#, options: .regularExpression) != nil }.ok, "\(terminal.screen())")
        try terminal.type("/fragment 2 in halves")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.contains("< in halves") }.ok, "\(terminal.screen())")
        try terminal.press("C-d")
        #expect(terminal.waitForExit() == 0, "\(terminal.screen())")
        #expect(terminal.screen().contains("< close 1000 (normal closure)"))
        #expect(server.log.contains("http=HTTP/2"), "\(server.log)")
    }

    @Test func incomingMessagesPrintAboveTheLineBeingTyped() throws {
        let server = try EchoServerProcess(["--broadcast"])
        let terminal = try connect(server.port, state: try stateDirectory())
        try terminal.type("half a line")
        #expect(terminal.waitForScreen { $0.hasSuffix("> half a line") }.ok)
        let other = try shell("echo 'from another client' | WSK connect --wait 0.5 ws://127.0.0.1:\(server.port)/")
        #expect(other.status == 0)
        let (ok, screen) = terminal.waitForScreen { $0.contains("< from another client\n> half a line") }
        #expect(ok, "\(screen)")
        // The line being typed is intact: finishing it sends the whole line.
        try terminal.type(" and the rest")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.contains("< half a line and the rest") }.ok, "\(terminal.screen())")
        // Ctrl-C drops the line being typed; on an empty line it quits.
        try terminal.type("never sent")
        try terminal.press("C-c")
        try terminal.type("sent instead")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.contains("< sent instead") }.ok, "\(terminal.screen())")
        #expect(!terminal.screen().contains("< never sent"))
        // A line wrapping over two rows of the 120-column terminal is redrawn whole, once.
        let long = String(repeating: "0123456789", count: 15)
        try terminal.type(long)
        #expect(terminal.waitForScreen { $0.hasSuffix(String(long.suffix(30))) }.ok)
        _ = try shell("echo 'over a long line' | WSK connect --wait 0.5 ws://127.0.0.1:\(server.port)/")
        let (redrawn, wrapped) = terminal.waitForScreen { $0.contains("< over a long line\n> 0123") }
        #expect(redrawn, "\(wrapped)")
        #expect(wrapped.components(separatedBy: "> 0123").count == 2, "\(wrapped)")
        #expect(wrapped.hasSuffix(String(long.suffix(32))), "\(wrapped)")
        try terminal.press("C-u")
        try terminal.press("C-c")
        #expect(terminal.waitForExit() == 0, "\(terminal.screen())")
    }

    @Test func historyPersistsAcrossRuns() throws {
        let server = try EchoServerProcess()
        let state = try stateDirectory()
        let first = try connect(server.port, state: state)
        try first.type("remember me")
        try first.press("Enter")
        #expect(first.waitForScreen { $0.contains("< remember me") }.ok)
        try first.press("C-d")
        #expect(first.waitForExit() == 0)
        let saved = try String(contentsOfFile: state + "/wsk/history", encoding: .utf8)
        #expect(saved == "remember me\n")

        let second = try connect(server.port, state: state)
        try second.press("Up")
        #expect(second.waitForScreen { $0.hasSuffix("> remember me") }.ok, "\(second.screen())")
        try second.press("Enter")
        #expect(second.waitForScreen { $0.contains("< remember me") }.ok)
        try second.press("C-d")
        #expect(second.waitForExit() == 0)
    }

    @Test func rawInvalidFrameGetsTheServersProtocolError() throws {
        // RFC 6455 §5.2: RSV2 without an extension that defines it fails the connection (1002).
        let server = try EchoServerProcess()
        let terminal = try connect(server.port, state: try stateDirectory())
        try terminal.type("/frame rsv2 text bad")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.contains("< close 1002 (protocol error)") }.ok, "\(terminal.screen())")
        #expect(terminal.waitForExit() == 3, "\(terminal.screen())")
    }

    @Test func reconnectsWhenTheServerGoesAway() throws {
        let first = try EchoServerProcess()
        let port = first.port
        let terminal = try connect(port, "--reconnect", state: try stateDirectory())
        try terminal.type("before")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.contains("< before") }.ok, "\(terminal.screen())")
        first.process.signal(SIGKILL)
        #expect(terminal.waitForScreen { $0.contains("connection ended: 1006") && $0.contains("reconnecting in") }.ok, "\(terminal.screen())")
        // Typed during the outage: queued, and sent once connected again.
        try terminal.type("during")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.contains("queued, sent after reconnecting (1 waiting)") }.ok, "\(terminal.screen())")
        let second = try WSKProcess(["serve-echo", "--port", "\(port)"])
        defer { second.signal(SIGKILL) }
        #expect(terminal.waitForScreen(timeout: 15) { $0.components(separatedBy: "connected to ws://").count == 3 }.ok, "\(terminal.screen())")
        #expect(terminal.waitForScreen { $0.contains("< during") }.ok, "\(terminal.screen())")
        try terminal.type("after")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.contains("< after") }.ok, "\(terminal.screen())")
        try terminal.press("C-d")
        #expect(terminal.waitForExit() == 0, "\(terminal.screen())")
    }

    @Test func jsonPrettyAndTimestamps() throws {
        let server = try EchoServerProcess()
        let terminal = try connect(server.port, "--json-pretty --timestamps", state: try stateDirectory())
        try terminal.type(#"{"op":"hi","n":[1,2]}"#)
        try terminal.press("Enter")
        let (ok, screen) = terminal.waitForScreen {
            $0.range(of: #"\d\d:\d\d:\d\d\.\d\d\dZ < \{\n +"op": "hi",\n +"n": \["#, options: .regularExpression) != nil
        }
        #expect(ok, "\(screen)")
        try terminal.press("C-d")
        #expect(terminal.waitForExit() == 0)
    }

    @Test func aSearchAcceptedWithEnterIsSentAtOnce() throws {
        // Ctrl-R, a few letters, Enter: the line found is sent then, not at the next key.
        let server = try EchoServerProcess()
        let terminal = try connect(server.port, state: try stateDirectory())
        for line in ["first line", "second"] {
            try terminal.type(line)
            try terminal.press("Enter")
            #expect(terminal.waitForScreen { $0.contains("< \(line)") }.ok, "\(terminal.screen())")
        }
        try terminal.press("C-r")
        try terminal.type("fir")
        #expect(terminal.waitForScreen { $0.contains("fir") }.ok, "\(terminal.screen())")
        try terminal.press("Enter")
        #expect(terminal.waitForScreen { $0.components(separatedBy: "< first line").count == 3 }.ok, "\(terminal.screen())")
        try terminal.press("C-d")
        #expect(terminal.waitForExit() == 0, "\(terminal.screen())")
    }

    @Test func aResizedTerminalRedrawsTheLineAtItsNewWidth() throws {
        let server = try EchoServerProcess(["-v"])
        let terminal = try connect(server.port, state: try stateDirectory())
        try terminal.resize(columns: 60, rows: 40)
        let text = String(repeating: "word ", count: 30)
        try terminal.type(text)
        #expect(terminal.waitForScreen { $0.hasSuffix("word word") }.ok, "\(terminal.screen())")
        // Wider again: libedit must wrap at 120, or what follows lands mid-line.
        try terminal.resize(columns: 120, rows: 40)
        try terminal.type("XYZ")
        let (drawn, screen) = terminal.waitForScreen { screen in
            let rows = screen.components(separatedBy: "\n").suffix(2)
            return rows.joined() == "> " + text + "XYZ"
        }
        #expect(drawn, "\(screen)")
        try terminal.press("Enter")
        #expect(server.process.waitForOutput { _, err in err.contains("bytes=\(text.utf8.count + 3)") }, "\(server.log)")
        try terminal.press("C-d")
        #expect(terminal.waitForExit() == 0, "\(terminal.screen())")
    }

    @Test func aServerThatSpeaksAtOnceIsShownAfterConnected() throws {
        // Messages, the close and `* closed` come after `* connected`, however fast the
        // server is (they printed before it in some runs).
        let server = try ScriptedServer { peer -> Bool in
            try peer.acceptHandshake()
            try peer.send(.text("one"))
            try peer.send(.text("two"))
            try peer.send(.close(CloseFrame(code: .normalClosure)))
            _ = try peer.eventsUntilClosed(timeout: 10)
            return true
        }
        for _ in 0..<5 {
            let terminal = try TerminalSession(
                "'\(Binary.wsk.path)' connect ws://127.0.0.1:\(server.port)/",
                environment: ["XDG_STATE_HOME": try stateDirectory(), "NO_COLOR": "1", "TERM": "xterm"]
            )
            #expect(terminal.waitForExit() == 0, "\(terminal.screen())")
            let lines = terminal.screen().components(separatedBy: "\n").filter { !$0.isEmpty }
            #expect(lines.first?.hasPrefix("* connected to ") == true, "\(lines)")
            let order = ["< one", "< two", "< close 1000", "* closed: 1000"].map { wanted in lines.firstIndex { $0.hasPrefix(wanted) } ?? -1 }
            #expect(order.allSatisfy { $0 > 0 } && order == order.sorted(), "\(lines)")
        }
    }

    @Test func listenModeRunsTheREPLFromTheServersSide() throws {
        // `connect --listen` on a terminal: a client connects, its messages show, and the
        // slash commands act from the server's side — a message, then a frame no server may
        // send (RSV1 without an extension), which the client under test must fail with 1002.
        let terminal = try TerminalSession(
            "'\(Binary.wsk.path)' connect --listen 0 --no-compression",
            environment: ["XDG_STATE_HOME": try stateDirectory(), "NO_COLOR": "1", "TERM": "xterm"]
        )
        var port: Int?
        let (listening, screen) = terminal.waitForScreen { screen in
            guard let range = screen.range(of: #"listening on ws://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression) else { return false }
            port = Int(screen[range].split(separator: ":").last!.dropLast())
            return true
        }
        let listenPort = try #require(port, "no listening line:\n\(screen)")
        #expect(listening)
        let client = try WSKProcess(["connect", "ws://127.0.0.1:\(listenPort)/under-test"], standardInput: true)
        #expect(terminal.waitForScreen { $0.contains("client 127.0.0.1:") && $0.contains("connected to /under-test") && $0.hasSuffix(">") }.ok, "\(terminal.screen())")
        try client.write("hello from the client\n")
        #expect(terminal.waitForScreen { $0.contains("< hello from the client") }.ok, "\(terminal.screen())")
        try terminal.type("/text hello from the server")
        try terminal.press("Enter")
        #expect(client.waitForOutput { out, _ in out.contains("hello from the server\n") }, "\(client.standardError)")
        try terminal.type("/frame rsv1 text bad")
        try terminal.press("Enter")
        #expect(client.waitForExit(timeout: 10) == 3, "\(client.standardError)")
        #expect(client.standardError.contains("protocol error"), "\(client.standardError)")
        #expect(terminal.waitForScreen { $0.contains("1002") }.ok, "the REPL shows the client's close: \(terminal.screen())")
        #expect(terminal.waitForExit() != nil, "\(terminal.screen())")
    }
}
