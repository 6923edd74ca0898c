import Foundation
import Testing

/// Other implementations' clients against `wsk serve-echo`: Python `websockets` and Node
/// `ws`, with and without permessage-deflate, plus TLS and a real browser.
///
/// `.ci/run` installs the peers (pip `websockets`, Debian `node-ws`, `chromium`). A peer
/// that is missing fails the test, so CI can never pass without running them; set
/// `WSK_SKIP_INTEROP=1` to skip them on a development machine that lacks them (each skip
/// names the missing peer).
@Suite("Interop with other implementations", .serialized, .timeLimit(.minutes(3)))
struct InteropTests {
    static let peers = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peers")

    /// Runs a program to completion; returns status and combined output.
    static func run(_ executable: String, _ arguments: [String], timeout: Double = 60) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let output = OutputCollector(pipe)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        guard waitUntilExited(process, deadline: deadline) else {
            process.terminate()
            return (-1, "timed out after \(timeout) s: \(output.text)")
        }
        output.waitForEnd(deadline: deadline)
        return (process.shellStatus, output.text)
    }

    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs the Python websockets package"), arguments: [false, true])
    func pythonWebsocketsClient(deflate: Bool) throws {
        let server = try EchoServerProcess()
        let result = try Self.run("python3", [Self.peers.appendingPathComponent("py_client.py").path, "ws://127.0.0.1:\(server.port)/"] + (deflate ? ["--deflate"] : []))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.hasPrefix("OK"), "\(result.output)")
    }

    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs Node ws (Debian node-ws)"), arguments: [false, true])
    func nodeWsClient(deflate: Bool) throws {
        let server = try EchoServerProcess()
        let result = try Self.run("node", [Self.peers.appendingPathComponent("node_client.js").path, "ws://127.0.0.1:\(server.port)/"] + (deflate ? ["--deflate"] : []))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.hasPrefix("OK"), "\(result.output)")
    }

    /// wsk's own TLS client against serve-echo runs in ConnectTests without skipping.
    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs the Python websockets package (the TLS client)"))
    func tlsWithASelfSignedCertificate() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let openssl = try Self.run("openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        #expect(openssl.status == 0, "\(openssl.output)")
        let server = try EchoServerProcess(["--tls-cert", cert, "--tls-key", key])
        #expect(server.scheme == "wss")
        let result = try Self.run("python3", [
            Self.peers.appendingPathComponent("py_client.py").path, "wss://localhost:\(server.port)/", "--deflate", "--cafile", cert,
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.hasPrefix("OK"), "\(result.output)")
    }

    /// The console page at GET / in headless Chromium: it connects, sends, and shows the echo.
    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs Chromium"))
    func browserConsoleInHeadlessChromium() throws {
        let server = try EchoServerProcess()
        let result = try Self.run("chromium", [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--virtual-time-budget=5000",
            "--dump-dom", "http://127.0.0.1:\(server.port)/?autotest=hello%20from%20chromium",
        ], timeout: 90)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("&gt; hello from chromium"), "\(result.output)")
        #expect(result.output.contains("&lt; hello from chromium"), "\(result.output)")
        #expect(result.output.contains("connected to ws://127.0.0.1:\(server.port)/"), "\(result.output)")
    }

    /// The console page over https in headless Chromium, which negotiates HTTP/2 (ALPN) for
    /// the page and, seeing SETTINGS_ENABLE_CONNECT_PROTOCOL, opens the page's WebSocket as
    /// an extended CONNECT stream on the same connection (RFC 8441).
    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs Chromium"))
    func chromiumOpensTheConsolesWebSocketOverHTTP2() throws {
        let pki = try TestPKI()
        let server = try EchoServerProcess(["-v", "--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("server.key")])
        let result = try Self.run("chromium", [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--ignore-certificate-errors", "--virtual-time-budget=5000",
            "--dump-dom", "https://127.0.0.1:\(server.port)/?autotest=hello%20over%20h2",
        ], timeout: 90)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("&lt; hello over h2"), "\(result.output)")
        // The page came over HTTP/2, and the WebSocket on the same TCP connection.
        let lines = server.log.split(separator: "\n")
        let page = try #require(lines.first { $0.contains(" request ") && $0.contains("path=\"/?autotest") }, "\(server.log)")
        #expect(page.contains("http=HTTP/2"), "\(server.log)")
        let remote = try #require(page.split(separator: " ").first { $0.hasPrefix("remote=") })
        #expect(lines.contains { $0.contains(" open \(remote) ") && $0.contains("http=HTTP/2") }, "\(server.log)")
    }
}
