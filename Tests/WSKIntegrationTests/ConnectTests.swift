import Foundation
import NIOCore
import Testing
import WSKCore

/// `wsk connect` in pipe mode against `wsk serve-echo`, scripted servers and other
/// implementations' servers, plus failed handshakes, TLS, proxies and exit codes.
@Suite("connect (pipe mode)", .serialized, .timeLimit(.minutes(3)))
struct ConnectTests {
    @Test func linesInLinesOut() throws {
        let server = try EchoServerProcess()
        let result = try shell("printf 'hello\\nκόσμε ✓\\n\\nlast' | WSK connect ws://127.0.0.1:\(server.port)/")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "hello\nκόσμε ✓\n\nlast\n")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test func aClosedStdoutEndsTheClientWithGoingAway() throws {
        // `wsk connect URL | head -1` with stdin still open: when the reader leaves, the client
        // closes with 1001 and exits instead of waiting for Ctrl-D.
        let server = try EchoServerProcess()
        // stdin: a FIFO this shell also holds open for writing, so it never reaches EOF.
        let result = try shell(
            "f=$(mktemp -u); mkfifo $f; exec 3<>$f; printf 'a\\nb\\n' >&3; WSK connect ws://127.0.0.1:\(server.port)/ <&3 | head -1; echo status=${PIPESTATUS[0]}; rm -f $f",
            timeout: 30)
        #expect(result.stdout == "a\nstatus=0\n", "\(result.stderr)")
        #expect(server.process.waitForOutput { _, err in err.contains("code=1001") && err.contains("output closed") }, "\(server.log)")
    }

    @Test func invalidUTF8OnStdinIsRefusedOrSentAsBinaryNeverAltered() throws {
        let server = try EchoServerProcess(["-v"])
        let refused = try shell("printf 'ok\\n\\377\\376\\nnever\\n' | WSK connect ws://127.0.0.1:\(server.port)/")
        #expect(refused.status == 1)
        #expect(refused.stdout == "ok\n")
        #expect(refused.stderr.contains("stdin line 2 is not valid UTF-8") && refused.stderr.contains("--invalid-utf8 binary"), "\(refused.stderr)")
        let binary = try shell("printf 'ok\\n\\377\\376\\nlast\\n' | WSK connect --invalid-utf8 binary ws://127.0.0.1:\(server.port)/ | od -An -tx1 | tr -d ' \\n'")
        #expect(binary.stdout == "6f6b0a" + "fffe0a" + "6c6173740a", "\(binary.stderr)")
        // The server saw a binary message with the exact bytes, not U+FFFD text.
        #expect(server.process.waitForOutput { _, err in err.contains("type=binary bytes=2 preview=fffe") }, "\(server.log)")
    }

    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] as [(Int32, Int32)])
    func aSignalClosesWithGoingAway(signal: Int32, status: Int32) throws {
        // The server hears 1001 (not a dropped connection, 1006) and wsk exits 128 + signal.
        let server = try EchoServerProcess()
        let client = try WSKProcess(["connect", "ws://127.0.0.1:\(server.port)/"], standardInput: true)
        try client.write("hello\n")
        #expect(client.waitForOutput { out, _ in out == "hello\n" }, "\(client.standardError)")
        client.signal(signal)
        #expect(client.waitForExit(timeout: 10) == status, "\(client.standardError)")
        #expect(server.process.waitForOutput { _, err in err.contains("code=1001 reason=interrupted clean=true") }, "\(server.log)")
    }

    @Test func aServerThatClosesFirstLeavesNoLibraryNoise() throws {
        // The server sends three messages and closes while -x waits: the client's pending
        // close must not touch the event loop after it shut down (NIO printed "Cannot
        // schedule tasks on an EventLoop that has already shut down" in 13 of 60 runs).
        let server = try ScriptedServer { peer -> Int in
            try peer.acceptHandshake()
            for index in 0..<3 { try peer.send(.text("m\(index)")) }
            try peer.send(.close(CloseFrame(code: .normalClosure)))
            _ = try peer.eventsUntilClosed()
            return 3
        }
        for _ in 0..<10 {
            let run = try WSKProcess.run(["connect", "ws://127.0.0.1:\(server.port)/", "-x", "go", "--wait", "0.3"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout == "m0\nm1\nm2\n")
            #expect(run.stderr.isEmpty, "\(run.stderr)")
        }
    }

    @Test func urlUserinfoIsPercentDecodedForBasicAuth() throws {
        // alice:s3cr@t, written ws://alice:s3cr%40t@… in the URL.
        let expected = "Basic " + Data("alice:s3cr@t".utf8).base64EncodedString()
        let server = try EchoServerProcess(["--require-header", "Authorization: \(expected)"])
        let result = try shell("WSK connect -x hi --exit-after 1 'ws://alice:s3cr%40t@127.0.0.1:\(server.port)/'")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "hi\n")
    }

    @Test func nulDelimitedBinaryRecordsAreTerminatedBothWays() throws {
        let server = try EchoServerProcess()
        let result = try shell("printf 'a\\0b\\0' | WSK connect -0 --binary ws://127.0.0.1:\(server.port)/ | od -An -tx1 | tr -d ' \\n'")
        #expect(result.stdout == "6100" + "6200", "\(result.stderr)")
    }

    @Test func binaryFilesRoundTrip() throws {
        let server = try EchoServerProcess()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-bin-\(UUID().uuidString)")
        let bytes = (0..<300_000).map { _ in UInt8.random(in: 0...255) }
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try shell("WSK connect --binary ws://127.0.0.1:\(server.port)/ < '\(file.path)' | cmp - '\(file.path)' && echo same")
        #expect(result.stdout == "same\n", "\(result.stderr)")
    }

    @Test func base64HexAndNulDelimitedRecords() throws {
        let server = try EchoServerProcess()
        let base64 = try shell("printf 'AAEC/w==\\n' | WSK connect --base64 ws://127.0.0.1:\(server.port)/")
        #expect(base64.stdout == "AAEC/w==\n")
        let hex = try shell("printf '00:01:02 0xff\\n' | WSK connect --hex ws://127.0.0.1:\(server.port)/")
        #expect(hex.stdout == "000102ff\n")
        let null = try shell("printf 'a\\nb\\0c\\0' | WSK connect -0 ws://127.0.0.1:\(server.port)/ | od -c | head -2")
        #expect(null.stdout.contains("a  \\n   b  \\0   c  \\0"), "\(null.stdout)")
    }

    @Test func executeExitAfterAndUntil() throws {
        let server = try EchoServerProcess()
        let execute = try shell("WSK connect ws://127.0.0.1:\(server.port)/ -x one -x two -x three --exit-after 2")
        #expect(execute.status == 0)
        #expect(execute.stdout == "one\ntwo\n")
        let until = try shell("printf 'a\\n{\"done\":true}\\nnever\\n' | WSK connect --wait-for-close --until '\"done\":true' ws://127.0.0.1:\(server.port)/")
        #expect(until.status == 0)
        #expect(until.stdout.hasPrefix("a\n{\"done\":true}\n"))
    }

    @Test func refusedHandshakeShowsTheResponseAndExits2() throws {
        let server = try EchoServerProcess(["--require-header", "Authorization: Bearer s3cret"])
        let refused = try shell("WSK connect ws://127.0.0.1:\(server.port)/ -x hi")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("HTTP 401"), "\(refused.stderr)")
        #expect(refused.stderr.contains("missing or wrong Authorization header"), "\(refused.stderr)")
        let allowed = try shell("WSK connect ws://127.0.0.1:\(server.port)/ -H 'Authorization: Bearer s3cret' -x hi --exit-after 1")
        #expect(allowed.status == 0)
        #expect(allowed.stdout == "hi\n")
    }

    @Test func connectionFailureExits1() throws {
        let result = try shell("WSK connect ws://127.0.0.1:1/ -x hi")
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot connect to 127.0.0.1:1"), "\(result.stderr)")
    }

    @Test(arguments: [
        (["connect"], "<url>"),
        (["connect", "ftp://x"], "unsupported scheme"),
        (["connect", "ws://h", "--exit-after", "0"], "--exit-after"),
        (["connect", "ws://h", "--exit-after", "-1"], "--exit-after must be at least 1, got -1"),
        (["connect", "ws://h", "--binary", "--hex"], "--binary cannot be combined with --hex"),
        (["connect", "ws://h", "--until", "("], "--until"),
        (["connect", "ws://h", "--client-max-window-bits", "7"], "--client-max-window-bits"),
        (["connect", "ws://h", "-H", "bad"], "--header"),
        (["connect", "ws://h", "--ping-timeout", "1"], "--ping-timeout"),
        (["connect", "ws://h", "--proxy", "socks4://p:1"], "--proxy"),
        (["connect", "ws://h", "--interactive"], "--interactive needs a terminal"),
    ])
    func malformedArgumentsNameTheFlag(arguments: [String], fragment: String) throws {
        let result = try WSKProcess.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
    }

    // MARK: - Other implementations' servers (need the foreign peer)

    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs the Python websockets package"), arguments: [false, true])
    func pythonWebsocketsServer(deflate: Bool) throws {
        let peer = try PeerProcess("python3", "py_server.py", deflate ? ["--deflate"] : [])
        let big = String(repeating: "z", count: 1 << 20)
        let input = try temporaryFile("hi\nκόσμε\n\(big)\n")
        let result = try shell("WSK connect -v --wait 1 ws://127.0.0.1:\(peer.port)/ < '\(input)'")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "hi\nκόσμε\n\(big)\n")
        #expect(result.stderr.contains(deflate ? "extensions=permessage-deflate" : "extensions=\n"), "\(result.stderr)")
        // --exit-after 1: send, then wait for the answer (Python websockets answers a close
        // at once and drops an echo its handler had not sent yet).
        let binary = try shell("printf 'AAEC/w==\\n' | WSK connect --base64 --exit-after 1 ws://127.0.0.1:\(peer.port)/")
        #expect(binary.stdout == "AAEC/w==\n", "\(binary.stderr)")
    }

    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs Node ws (Debian node-ws)"), arguments: [false, true])
    func nodeWsServer(deflate: Bool) throws {
        let peer = try PeerProcess("node", "node_server.js", deflate ? ["--deflate"] : [])
        let big = String(repeating: "q", count: 300_000)
        let input = try temporaryFile("one\n\(big)\n")
        let result = try shell("WSK connect -v --wait 1 ws://127.0.0.1:\(peer.port)/ < '\(input)'")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "one\n\(big)\n")
        #expect(result.stderr.contains(deflate ? "extensions=permessage-deflate" : "extensions=\n"), "\(result.stderr)")
    }

    // MARK: - Scripted servers (written in Swift, always run)

    @Test func echoModeReflectsEveryMessageUnchanged() throws {
        // The server sends a text, a binary and a three-frame message, and wants each back.
        let server = try ScriptedServer { peer -> [Message?] in
            try peer.acceptHandshake()
            var echoes: [Message?] = []
            try peer.send(.text("text ✓"))
            echoes.append(try peer.nextMessage(timeout: 10))
            try peer.send(.binary(ByteBuffer(bytes: [0, 1, 2])))
            echoes.append(try peer.nextMessage(timeout: 10))
            try peer.sendFragmented(.text, ByteBuffer(string: "fragmented"), fragmentSize: 4)
            echoes.append(try peer.nextMessage(timeout: 10))
            try peer.send(.close(CloseFrame(code: .normalClosure)))
            _ = try peer.eventsUntilClosed(timeout: 10)
            return echoes
        }
        let result = try shell("WSK connect --echo --wait-for-close ws://127.0.0.1:\(server.port)/ < /dev/null")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try server.outcome() == [
            Message(opcode: .text, data: ByteBuffer(string: "text ✓")),
            Message(opcode: .binary, data: ByteBuffer(bytes: [0, 1, 2])),
            Message(opcode: .text, data: ByteBuffer(string: "fragmented")),
        ])
    }

    @Test func slowStdoutLosesNothing() throws {
        let count = 20_000
        // The server sends numbered 1 KiB messages as fast as the socket takes them, then
        // closes with 1000.
        let server = try ScriptedServer { peer -> CloseCode? in
            try peer.acceptHandshake()
            var out = ByteBuffer()
            for index in 0..<count {
                try peer.connection!.send(.text(String(format: "%08d ", index) + String(repeating: "x", count: 1015)), into: &out)
                if out.readableBytes >= 256 * 1024 {
                    try peer.sendRaw(out)
                    out.clear()
                }
            }
            try peer.connection!.send(.close(CloseFrame(code: .normalClosure)), into: &out)
            try peer.sendRaw(out)
            return RawClient.closeCode(in: try peer.eventsUntilClosed(timeout: 60))
        }
        // The reader sleeps first (the scenario, not synchronisation), so wsk's stdout fills
        // up and it must wait, not drop. awk prints the line count and how many lines are
        // out of order.
        let result = try shell("set -o pipefail; WSK connect --wait-for-close ws://127.0.0.1:\(server.port)/ < /dev/null | (sleep 2; awk '$1 + 0 != NR - 1 { bad++ } END { print NR, bad + 0 }')")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "\(count) 0\n", "\(result.stderr)")
        #expect(try server.outcome(timeout: 60) == .normalClosure)
    }

    // MARK: - Exit codes for broken peers (scripted servers)

    @Test func maskedServerFrameIsAProtocolError() throws {
        let server = try ScriptedServer { peer -> CloseCode? in
            try peer.acceptHandshake()
            // A masked frame from a server (RFC 6455 §5.1: the client must fail the connection).
            try peer.sendRaw([0x81, 0x82, 1, 2, 3, 4, UInt8(ascii: "h") ^ 1, UInt8(ascii: "i") ^ 2])
            return RawClient.closeCode(in: try peer.eventsUntilClosed(timeout: 10))
        }
        let result = try shell("WSK connect --wait-for-close ws://127.0.0.1:\(server.port)/ < /dev/null")
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("server frame is masked"), "\(result.stderr)")
        // wsk told the server why, with 1002.
        #expect(try server.outcome() == .protocolError)
    }

    @Test func droppedConnectionIsAbnormal() throws {
        // The server completes the handshake, then closes TCP without a close frame.
        let server = try ScriptedServer { peer in try peer.acceptHandshake() }
        let result = try shell("WSK connect --wait-for-close ws://127.0.0.1:\(server.port)/ < /dev/null")
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("1006"), "\(result.stderr)")
        try server.outcome()
    }

    @Test func reconnectsWhenTheServerGoesAway() throws {
        // serve-echo shutting down closes with 1001 going away (RFC 6455 §7.4.1): with
        // --reconnect the client redials and the rest of stdin goes to the new server.
        let first = try EchoServerProcess()
        let port = first.port
        let client = try WSKProcess(["connect", "-v", "--reconnect", "ws://127.0.0.1:\(port)/"], standardInput: true)
        try client.write("one\n")
        #expect(client.waitForOutput { out, _ in out == "one\n" }, "\(client.standardError)")
        #expect(first.stop() == 0)
        #expect(client.waitForOutput { _, err in err.contains("reconnecting in") }, "\(client.standardError)")
        let second = try WSKProcess(["serve-echo", "--port", "\(port)"])
        defer { second.signal(SIGKILL) }
        #expect(
            client.waitForOutput(timeout: 20) { _, err in err.components(separatedBy: "wsk: connected to ").count == 3 },
            "\(client.standardError)"
        )
        try client.write("two\n")
        try client.closeInput()
        #expect(client.waitForExit(timeout: 20) == 0, "\(client.standardError)")
        #expect(client.standardOutput == "one\ntwo\n", "\(client.standardError)")
        #expect(second.waitForOutput { _, err in err.contains("received=1 sent=1") }, "\(second.standardError)")
    }

    @Test func lineReadWhileDisconnectedGoesToTheNextConnection() throws {
        // With --reconnect, a line that arrives between connections belongs to the next one.
        // It used to be lost: the ended connection's sender, woken by the new record, took
        // it and sent it on the dead session.
        let first = try EchoServerProcess()
        let port = first.port
        let client = try WSKProcess(["connect", "--reconnect", "ws://127.0.0.1:\(port)/"], standardInput: true)
        try client.write("one\n")
        #expect(client.waitForOutput { out, _ in out == "one\n" }, "\(client.standardError)")
        #expect(first.stop() == 0)
        #expect(client.waitForOutput { _, err in err.contains("reconnecting in") }, "\(client.standardError)")
        try client.write("two\n")
        try client.closeInput()
        let second = try WSKProcess(["serve-echo", "--port", "\(port)"])
        defer { second.signal(SIGKILL) }
        #expect(client.waitForExit(timeout: 30) == 0, "\(client.standardError)")
        #expect(client.standardOutput == "one\ntwo\n", "\(client.standardError)")
    }

    @Test func aSilentServerAndADeadProxyAreNamedForWhatTheyAre() throws {
        // A server that accepts and never answers the upgrade: the timeout is named, not
        // reported as a close.
        let silent = try ScriptedServer { peer -> Bool in
            _ = try peer.readHead()
            return try peer.drainUntilEOF(timeout: 10)
        }
        let timedOut = try shell("WSK connect --connect-timeout 0.5 ws://127.0.0.1:\(silent.port)/ < /dev/null")
        #expect(timedOut.status == 1)
        #expect(timedOut.stderr == "wsk: no upgrade response from 127.0.0.1:\(silent.port) within 0.5 s; raise --connect-timeout if it is slow\n", "\(timedOut.stderr)")
        #expect(try silent.outcome())
        // A proxy that is not there is named as the proxy.
        let port = try freePort()
        let deadProxy = try shell("WSK connect --proxy http://127.0.0.1:\(port) ws://127.0.0.1:9/ < /dev/null")
        #expect(deadProxy.status == 1)
        #expect(deadProxy.stderr == "wsk: cannot connect to the HTTP proxy 127.0.0.1:\(port): connection refused; check --proxy or $https_proxy / $http_proxy\n", "\(deadProxy.stderr)")
    }

    @Test func jsonlPrintsEveryEventAsOneJSONObjectPerLine() throws {
        let server = try ScriptedServer { peer -> Bool in
            try peer.acceptHandshake()
            try peer.send(.text("héllo \"quoted\"\n"))
            try peer.send(.binary(ByteBuffer(bytes: [0, 1, 255])))
            try peer.send(.ping(ByteBuffer(string: "p")))
            try peer.send(.close(CloseFrame(code: CloseCode(4000), reason: "bye")))
            _ = try peer.eventsUntilClosed(timeout: 10)
            return true
        }
        let result = try shell("WSK connect --jsonl --wait-for-close ws://127.0.0.1:\(server.port)/ < /dev/null")
        let objects = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.count == result.stdout.split(separator: "\n").count, "every line is a JSON object: \(result.stdout)")
        #expect(objects.map { $0["event"] as? String } == ["open", "message", "message", "ping", "close", "closed"], "\(result.stdout)")
        #expect(objects.allSatisfy { ($0["time"] as? String)?.hasSuffix("Z") == true })
        guard objects.count == 6 else { return }
        #expect(objects[0]["url"] as? String == "ws://127.0.0.1:\(server.port)/")
        #expect(objects[1]["type"] as? String == "text" && objects[1]["text"] as? String == "héllo \"quoted\"\n")
        #expect(objects[2]["type"] as? String == "binary" && objects[2]["base64"] as? String == "AAH/" && objects[2]["bytes"] as? Int == 3)
        #expect(objects[3]["base64"] as? String == "cA==")
        #expect(objects[4]["code"] as? Int == 4000 && objects[4]["reason"] as? String == "bye")
        #expect(objects[5]["code"] as? Int == 4000 && objects[5]["clean"] as? Bool == true)
        try server.outcome()
    }

    @Test func unansweredPingsEndTheConnection() throws {
        // The server reads everything and answers nothing, so pings get no pong.
        let server = try ScriptedServer { peer -> Int in
            try peer.acceptHandshake(autoReplyPolicy: .passThrough)
            var pings = 0
            while let event = try peer.nextEvent(timeout: 10) {
                if case .ping = event { pings += 1 }
                if case .closed = event { break }
            }
            return pings
        }
        let result = try shell("WSK connect --wait-for-close --ping-interval 0.2 --ping-timeout 0.3 ws://127.0.0.1:\(server.port)/ < /dev/null")
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("no pong"), "\(result.stderr)")
        #expect(try server.outcome() >= 1)
    }

    /// A server that completes the handshake, closes with `code`, and returns the code of
    /// the client's close reply.
    func closingServer(_ code: UInt16) throws -> ScriptedServer<CloseCode?> {
        try ScriptedServer { peer in
            try peer.acceptHandshake()
            try peer.send(.close(CloseFrame(code: CloseCode(code))))
            return RawClient.closeCode(in: try peer.eventsUntilClosed(timeout: 10))
        }
    }

    @Test func serverCloseCodesMapToExitCodes() throws {
        let normal = try closingServer(1000)
        let clean = try shell("WSK connect --wait-for-close ws://127.0.0.1:\(normal.port)/ < /dev/null")
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(try normal.outcome() == .normalClosure)
        let policy = try closingServer(1008)
        let result = try shell("WSK connect --wait-for-close ws://127.0.0.1:\(policy.port)/ < /dev/null")
        #expect(result.status == 4)
        #expect(result.stderr.contains("1008"), "\(result.stderr)")
        #expect(try policy.outcome() == CloseCode(1008))
    }

    // MARK: - TLS and proxies

    @Test func tlsWithSelfSignedCertificate() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let made = try shell("openssl req -x509 -newkey rsa:2048 -nodes -keyout '\(key)' -out '\(cert)' -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>&1")
        try #require(made.status == 0, "openssl could not make a certificate: \(made.stdout)")
        let server = try EchoServerProcess(["--tls-cert", cert, "--tls-key", key])
        let trusted = try shell("WSK connect --cacert '\(cert)' wss://localhost:\(server.port)/ -x secure --exit-after 1")
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(trusted.stdout == "secure\n")
        let untrusted = try shell("WSK connect wss://localhost:\(server.port)/ -x secure --exit-after 1")
        #expect(untrusted.status == 1, "\(untrusted.stderr)")
        // One plain line naming the host, the cause and what to try; no library type names.
        #expect(untrusted.stderr == "wsk: cannot connect to localhost:\(server.port): TLS: certificate verify failed (untrusted, expired or for another name); use --cacert or --insecure\n")
        let insecure = try shell("WSK connect --insecure wss://127.0.0.1:\(server.port)/ -x anyway --exit-after 1")
        #expect(insecure.stdout == "anyway\n", "\(insecure.stderr)")
        let renamed = try shell("WSK connect --cacert '\(cert)' --tls-server-name localhost wss://127.0.0.1:\(server.port)/ -x named --exit-after 1")
        #expect(renamed.stdout == "named\n", "\(renamed.stderr)")
    }

    @Test func throughAnHTTPConnectProxy() throws {
        let server = try EchoServerProcess()
        let proxy = try ConnectProxy(credentials: "u:p")
        let flag = try shell("WSK connect --proxy http://u:p@127.0.0.1:\(proxy.port) ws://127.0.0.1:\(server.port)/ -x via-proxy --exit-after 1")
        #expect(flag.status == 0, "\(flag.stderr)")
        #expect(flag.stdout == "via-proxy\n")
        let environment = try shell(
            "WSK connect ws://127.0.0.1:\(server.port)/ -x via-env --exit-after 1",
            environment: ["http_proxy": "http://u:p@127.0.0.1:\(proxy.port)"]
        )
        #expect(environment.stdout == "via-env\n", "\(environment.stderr)")
        let excluded = try shell(
            "WSK connect ws://127.0.0.1:\(server.port)/ -x direct --exit-after 1",
            environment: ["http_proxy": "http://127.0.0.1:1", "no_proxy": "127.0.0.1"]
        )
        #expect(excluded.stdout == "direct\n", "\(excluded.stderr)")
        let badAuth = try shell("WSK connect --proxy http://u:wrong@127.0.0.1:\(proxy.port) ws://127.0.0.1:\(server.port)/ -x no")
        #expect(badAuth.status == 1)
        #expect(badAuth.stderr.contains("407"), "\(badAuth.stderr)")
        // Two tunnels with the right credentials, one refused, none for the no_proxy host.
        let target = "127.0.0.1:\(server.port)"
        #expect(proxy.requests == [
            .init(target: target, authorized: true), .init(target: target, authorized: true), .init(target: target, authorized: false),
        ])
    }
}

/// Writes `text` to a new temporary file and returns its path.
func temporaryFile(_ text: String) throws -> String {
    let url = URL(fileURLWithPath: scratchPath("input"))
    try Data(text.utf8).write(to: url)
    return url.path
}
