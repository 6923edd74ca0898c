import Foundation
import Testing

/// `wsk connect` in pipe mode against `wsk serve-echo` and other implementations' servers,
/// plus failed handshakes, TLS, proxies and exit codes.
@Suite("connect (pipe mode)", .serialized, .timeLimit(.minutes(3)))
struct ConnectTests {
    static let skip = ProcessInfo.processInfo.environment["WSK_SKIP_INTEROP"] == "1"

    @Test func linesInLinesOut() throws {
        let server = try EchoServerProcess()
        let result = try shell("printf 'hello\\nκόσμε ✓\\n\\nlast' | WSK connect ws://127.0.0.1:\(server.port)/")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "hello\nκόσμε ✓\n\nlast\n")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
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
        (["connect", "ws://h", "--until", "("], "--until"),
        (["connect", "ws://h", "--client-max-window-bits", "7"], "--client-max-window-bits"),
        (["connect", "ws://h", "-H", "bad"], "--header"),
        (["connect", "ws://h", "--ping-timeout", "1"], "--ping-timeout"),
        (["connect", "ws://h", "--proxy", "socks5://p:1"], "--proxy"),
        (["connect", "ws://h", "--interactive"], "--interactive needs a terminal"),
    ])
    func malformedArgumentsNameTheFlag(arguments: [String], fragment: String) throws {
        let result = try WSKProcess.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
    }

    // MARK: - Other implementations' servers

    @Test(.disabled(if: skip), arguments: [false, true])
    func pythonWebsocketsServer(deflate: Bool) throws {
        let peer = try PeerProcess("python3", "py_server.py", ["echo"] + (deflate ? ["--deflate"] : []))
        let big = String(repeating: "z", count: 1 << 20)
        let input = try temporaryFile("hi\nκόσμε\n\(big)\n")
        let result = try shell("WSK connect -v --wait 1 ws://127.0.0.1:\(peer.port)/ < '\(input)'")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "hi\nκόσμε\n\(big)\n")
        #expect(result.stderr.contains(deflate ? "extensions=permessage-deflate" : "extensions=\n"), "\(result.stderr)")
        let binary = try shell("printf 'AAEC/w==\\n' | WSK connect --base64 ws://127.0.0.1:\(peer.port)/")
        #expect(binary.stdout == "AAEC/w==\n")
    }

    @Test(.disabled(if: skip), arguments: [false, true])
    func nodeWsServer(deflate: Bool) throws {
        let peer = try PeerProcess("node", "node_server.js", deflate ? ["--deflate"] : [])
        let big = String(repeating: "q", count: 300_000)
        let input = try temporaryFile("one\n\(big)\n")
        let result = try shell("WSK connect -v --wait 1 ws://127.0.0.1:\(peer.port)/ < '\(input)'")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "one\n\(big)\n")
        #expect(result.stderr.contains(deflate ? "extensions=permessage-deflate" : "extensions=\n"), "\(result.stderr)")
    }

    @Test(.disabled(if: skip))
    func echoModeReflectsEveryMessageUnchanged() throws {
        let peer = try PeerProcess("python3", "py_server.py", ["reflect"])
        let result = try shell("WSK connect --echo --wait-for-close ws://127.0.0.1:\(peer.port)/ < /dev/null")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(peer.waitForExit() == 0)
    }

    @Test(.disabled(if: skip))
    func slowStdoutLosesNothing() throws {
        let peer = try PeerProcess("python3", "py_server.py", ["send-many", "20000"])
        // The reader sleeps first, so wsk's stdout fills up and it must wait, not drop.
        let result = try shell("WSK connect --wait-for-close ws://127.0.0.1:\(peer.port)/ < /dev/null | (sleep 2; wc -l)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "20000", "\(result.stderr)")
    }

    // MARK: - Exit codes for broken peers

    @Test(.disabled(if: skip))
    func maskedServerFrameIsAProtocolError() throws {
        let peer = try PeerProcess("python3", "py_server.py", ["masked"])
        let result = try shell("WSK connect --wait-for-close ws://127.0.0.1:\(peer.port)/ < /dev/null")
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("server frame is masked"), "\(result.stderr)")
    }

    @Test(.disabled(if: skip))
    func droppedConnectionIsAbnormal() throws {
        let peer = try PeerProcess("python3", "py_server.py", ["drop"])
        let result = try shell("WSK connect --wait-for-close ws://127.0.0.1:\(peer.port)/ < /dev/null")
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("1006"), "\(result.stderr)")
    }

    @Test func reconnectsWhenTheServerGoesAway() throws {
        // serve-echo shutting down closes with 1001 going away (RFC 6455 §7.4.1): with
        // --reconnect the client redials and the rest of stdin goes to the new server.
        let first = try EchoServerProcess()
        let port = first.port
        final class Box: @unchecked Sendable { var result: (status: Int32, stdout: String, stderr: String)? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            box.result = try? shell("(echo one; sleep 2.5; echo two) | WSK connect --reconnect ws://127.0.0.1:\(port)/")
            done.signal()
        }
        #expect(first.process.waitForOutput { _, err in err.contains("received=0") || err.contains(" open ") }, "\(first.log)")
        Thread.sleep(forTimeInterval: 0.5)
        #expect(first.stop() == 0)
        let second = try WSKProcess(["serve-echo", "--port", "\(port)"])
        defer { second.signal(SIGKILL) }
        #expect(done.wait(timeout: .now() + 20) == .success)
        #expect(box.result?.stdout == "one\ntwo\n", "\(String(describing: box.result))")
        #expect(box.result?.stderr.contains("reconnecting in") == true)
        #expect(box.result?.status == 0)
    }

    @Test(.disabled(if: skip))
    func unansweredPingsEndTheConnection() throws {
        let peer = try PeerProcess("python3", "py_server.py", ["no-pong"])
        let result = try shell("WSK connect --wait-for-close --ping-interval 0.2 --ping-timeout 0.3 ws://127.0.0.1:\(peer.port)/ < /dev/null")
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("no pong"), "\(result.stderr)")
    }

    @Test(.disabled(if: skip))
    func serverCloseCodesMapToExitCodes() throws {
        let normal = try PeerProcess("python3", "py_server.py", ["close", "1000"])
        #expect(try shell("WSK connect --wait-for-close ws://127.0.0.1:\(normal.port)/ < /dev/null").status == 0)
        let policy = try PeerProcess("python3", "py_server.py", ["close", "1008"])
        let result = try shell("WSK connect --wait-for-close ws://127.0.0.1:\(policy.port)/ < /dev/null")
        #expect(result.status == 4)
        #expect(result.stderr.contains("1008"), "\(result.stderr)")
    }

    // MARK: - TLS and proxies

    @Test(.disabled(if: skip))
    func tlsWithSelfSignedCertificate() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let made = try shell("openssl req -x509 -newkey rsa:2048 -nodes -keyout '\(key)' -out '\(cert)' -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>&1")
        #expect(made.status == 0, "\(made.stdout)")
        let server = try EchoServerProcess(["--tls-cert", cert, "--tls-key", key])
        let trusted = try shell("WSK connect --cacert '\(cert)' wss://localhost:\(server.port)/ -x secure --exit-after 1")
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(trusted.stdout == "secure\n")
        let untrusted = try shell("WSK connect wss://localhost:\(server.port)/ -x secure --exit-after 1")
        #expect(untrusted.status == 1, "\(untrusted.stderr)")
        let insecure = try shell("WSK connect --insecure wss://127.0.0.1:\(server.port)/ -x anyway --exit-after 1")
        #expect(insecure.stdout == "anyway\n", "\(insecure.stderr)")
        let renamed = try shell("WSK connect --cacert '\(cert)' --tls-server-name localhost wss://127.0.0.1:\(server.port)/ -x named --exit-after 1")
        #expect(renamed.stdout == "named\n", "\(renamed.stderr)")
    }

    @Test(.disabled(if: skip))
    func throughAnHTTPConnectProxy() throws {
        let server = try EchoServerProcess()
        let proxy = try PeerProcess("python3", "connect_proxy.py", ["--auth", "u:p"])
        let flag = try shell("WSK connect --proxy http://u:p@127.0.0.1:\(proxy.port) ws://127.0.0.1:\(server.port)/ -x via-proxy --exit-after 1")
        #expect(flag.status == 0, "\(flag.stderr)")
        #expect(flag.stdout == "via-proxy\n")
        let environment = try shell(
            "WSK connect ws://127.0.0.1:\(server.port)/ -x via-env --exit-after 1",
            environment: ["http_proxy": "http://u:p@127.0.0.1:\(proxy.port)"]
        )
        #expect(environment.stdout == "via-env\n", "\(environment.stderr)")
        #expect(proxy.standardError.components(separatedBy: "CONNECT 127.0.0.1:\(server.port)").count == 3)
        let excluded = try shell(
            "WSK connect ws://127.0.0.1:\(server.port)/ -x direct --exit-after 1",
            environment: ["http_proxy": "http://127.0.0.1:1", "no_proxy": "127.0.0.1"]
        )
        #expect(excluded.stdout == "direct\n", "\(excluded.stderr)")
        let badAuth = try shell("WSK connect --proxy http://u:wrong@127.0.0.1:\(proxy.port) ws://127.0.0.1:\(server.port)/ -x no")
        #expect(badAuth.status == 1)
        #expect(badAuth.stderr.contains("407"), "\(badAuth.stderr)")
    }
}

/// Writes `text` to a new temporary file and returns its path.
func temporaryFile(_ text: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-input-\(UUID().uuidString)")
    try Data(text.utf8).write(to: url)
    return url.path
}
