import Foundation
import Testing

/// WebSockets over HTTP/2 (RFC 8441 extended CONNECT), against Node's http2 module driven
/// by Peers/h2_client.js, which frames WebSocket messages by hand on its streams.
///
/// Node (installed by `.ci/run` for the node-ws peer) is required: a missing node fails the
/// test unless `WSK_SKIP_INTEROP=1`.
@Suite("WebSocket over HTTP/2", .timeLimit(.minutes(3)))
struct HTTP2Tests {
    static let client = InteropTests.peers.appendingPathComponent("h2_client.js").path

    struct StreamResult {
        var status: Int?
        var echoes: [Any]
        var closeCode: Int?
        var endStream: Bool
        var rstCode: Int?
        var body: String?
        var headers: [String: Any]
        var error: String?
    }

    struct ConnectionResult {
        var enablesConnectProtocol: Bool?
        var streams: [StreamResult]
        var error: String?
        var output: String
    }

    /// Runs the Node client and decodes its one JSON line.
    static func runClient(_ url: String, _ arguments: [String] = []) throws -> ConnectionResult {
        let run = try InteropTests.run("node", [client, url] + arguments)
        guard run.status == 0, let line = run.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw TestFailure("the Node HTTP/2 client failed: \(run.output)") }
        let settings = object["settings"] as? [String: Any]
        let streams = (object["streams"] as? [[String: Any]] ?? []).map { stream in
            StreamResult(
                status: stream["status"] as? Int,
                echoes: stream["echoes"] as? [Any] ?? [],
                closeCode: stream["closeCode"] as? Int,
                endStream: stream["endStream"] as? Bool ?? false,
                rstCode: stream["rstCode"] as? Int,
                body: stream["body"] as? String,
                headers: stream["headers"] as? [String: Any] ?? [:],
                error: stream["error"] as? String
            )
        }
        return ConnectionResult(enablesConnectProtocol: settings?["enableConnectProtocol"] as? Bool, streams: streams, error: object["error"] as? String, output: run.output)
    }

    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs node"))
    func manyWebSocketsShareOneConnectionBesideHTTP1() throws {
        let server = try EchoServerProcess(["--http2"])
        let result = try Self.runClient("http://127.0.0.1:\(server.port)/chat?room=1", ["--streams", "5", "--messages", "3"])
        #expect(result.error == nil, "\(result.output)")
        #expect(result.enablesConnectProtocol == true, "the server must send SETTINGS_ENABLE_CONNECT_PROTOCOL = 1: \(result.output)")
        #expect(result.streams.count == 5)
        for (index, stream) in result.streams.enumerated() {
            #expect(stream.status == 200, "\(result.output)")
            #expect(stream.echoes as? [String] == (0..<3).map { "stream \(index) message \($0)" }, "\(result.output)")
            #expect(stream.closeCode == 1000, "\(result.output)")
            // The orderly close of RFC 8441 §5: END_STREAM both ways, no reset.
            #expect(stream.endStream && stream.rstCode == 0, "\(result.output)")
        }
        // HTTP/1.1 on the same port, and /metrics counts both versions.
        let http1 = try WSKProcess.run(["connect", "ws://127.0.0.1:\(server.port)/", "-x", "over HTTP/1.1", "--exit-after", "1"])
        #expect(http1.status == 0 && http1.stdout == "over HTTP/1.1\n", "\(http1.stderr)")
        let metrics = try httpGet(port: server.port, path: "/metrics")
        #expect(metrics.contains("wsk_connections_accepted_by_http_version_total{version=\"2\"} 5"), "\(metrics)")
        #expect(metrics.contains("wsk_connections_accepted_by_http_version_total{version=\"1.1\"} 1"), "\(metrics)")
        #expect(server.log.components(separatedBy: "path=\"/chat?room=1\" http=HTTP/2").count - 1 == 5, "\(server.log)")
        withExtendedLifetime(server) {}
    }

    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs node"))
    func largeMessagesFlowUnderTheStreamsFlowControl() throws {
        let server = try EchoServerProcess(["--http2"])
        // 3 × 1 MB per stream, each far beyond the stream's window: the server's echo waits
        // for WINDOW_UPDATEs, and nothing is lost.
        let result = try Self.runClient("http://127.0.0.1:\(server.port)/", ["--streams", "3", "--messages", "3", "--size", "1000000"])
        #expect(result.error == nil, "\(result.output)")
        for stream in result.streams {
            #expect(stream.echoes as? [Int] == [1_000_000, 1_000_000, 1_000_000], "\(result.output.prefix(2000))")
            #expect(stream.closeCode == 1000)
        }
        withExtendedLifetime(server) {}
    }

    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs node"))
    func anotherProtocolGets501AndTheConnectionGoesOn() throws {
        let server = try EchoServerProcess(["--http2"])
        let result = try Self.runClient("http://127.0.0.1:\(server.port)/", ["--protocol", "connect-udp", "--streams", "2"])
        #expect(result.error == nil, "\(result.output)")
        for stream in result.streams {
            #expect(stream.status == 501, "\(result.output)")
            #expect(stream.body?.contains("the :protocol \"connect-udp\" is not supported") == true, "\(result.output)")
            #expect(stream.headers["upgrade"] == nil && stream.headers["connection"] == nil, "no connection-specific fields on HTTP/2: \(result.output)")
        }
        #expect(server.log.contains("refused") && server.log.contains("status=501"), "\(server.log)")
        withExtendedLifetime(server) {}
    }

    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs node"))
    func aStreamOverTheLimitIsRefusedWhileItsNeighboursEcho() throws {
        let server = try EchoServerProcess(["--http2", "--max-connections", "2"])
        let result = try Self.runClient("http://127.0.0.1:\(server.port)/", ["--streams", "4", "--messages", "2"])
        #expect(result.error == nil, "\(result.output)")
        let accepted = result.streams.filter { $0.status == 200 }
        let refused = result.streams.filter { $0.status == 503 }
        #expect(accepted.count == 2 && refused.count == 2, "\(result.output)")
        for stream in accepted {
            #expect(stream.echoes.count == 2 && stream.closeCode == 1000, "\(result.output)")
        }
        for stream in refused {
            #expect(stream.body?.contains("connection limit 2 reached") == true, "\(result.output)")
        }
        withExtendedLifetime(server) {}
    }

    /// A stream whose reader never reads is closed with 1008 once what waits for it passes
    /// --max-backpressure (a broadcast from another client): its neighbours' memory is
    /// bounded per stream, as on HTTP/1.1.
    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs node"))
    func aStreamThatNeverReadsHitsTheBackpressureLimit() throws {
        let server = try EchoServerProcess(["--http2", "--broadcast", "--max-backpressure", "1MiB"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-h2-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = """
            node '\(Self.client)' http://127.0.0.1:\(server.port)/ --pause > "$TMP/reader.json" 2> "$TMP/reader.err" &
            reader=$!
            for _ in $(seq 1 200); do grep -q paused "$TMP/reader.err" && break; sleep 0.05; done
            grep -q paused "$TMP/reader.err" || { echo "the reader never opened"; exit 1; }
            head -c 4000000 /dev/zero | tr '\\0' x | fold -w 100000 | WSK connect --http2 ws://127.0.0.1:\(server.port)/ --wait 1 > /dev/null
            wait $reader
            cat "$TMP/reader.json"
            """
        let result = try shell(script, environment: ["TMP": directory])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(server.log.contains("code=1008 reason=\"backpressure limit\""), "\(server.log)")
        // The reader's stream was reset (no orderly close: the close frame could not reach it).
        #expect(result.stdout.contains("\"rstCode\":8"), "\(result.stdout)")
        withExtendedLifetime(server) {}
    }

    /// `wsk proxy` takes HTTP/2 clients too: each stream is relayed to its own upstream
    /// connection (HTTP/1.1 here), after the upstream answered (the stream is not read
    /// meanwhile, and is read again after: a stream channel needs asking).
    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs node"))
    func proxyRelaysHTTP2Streams() throws {
        let upstream = try EchoServerProcess()
        let proxy = try ProxyProcess(["--http2", "ws://127.0.0.1:\(upstream.port)/"])
        let result = try Self.runClient("http://127.0.0.1:\(proxy.port)/relayed", ["--streams", "3", "--messages", "2"])
        #expect(result.error == nil, "\(result.output)")
        for (index, stream) in result.streams.enumerated() {
            #expect(stream.echoes as? [String] == ["stream \(index) message 0", "stream \(index) message 1"], "\(result.output)")
            #expect(stream.closeCode == 1000, "\(result.output)")
        }
        #expect(upstream.log.components(separatedBy: " open ").count - 1 == 3, "\(upstream.log)")
        withExtendedLifetime((upstream, proxy)) {}
    }

    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs node"))
    func originChecksApplyToStreams() throws {
        let server = try EchoServerProcess(["--http2", "--allow-origin", "https://good.example"])
        let refused = try Self.runClient("http://127.0.0.1:\(server.port)/", ["--header", "origin:https://evil.example"])
        #expect(refused.streams.first?.status == 403, "\(refused.output)")
        let allowed = try Self.runClient("http://127.0.0.1:\(server.port)/", ["--header", "origin:https://good.example"])
        #expect(allowed.streams.first?.status == 200 && allowed.streams.first?.echoes.count == 1, "\(allowed.output)")
        withExtendedLifetime(server) {}
    }

    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs node"))
    func tlsNegotiatesH2ByALPNAndStillServesHTTP1() throws {
        let pki = try TestPKI()
        let server = try EchoServerProcess(["--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("server.key")])
        let result = try Self.runClient("https://127.0.0.1:\(server.port)/secure", ["--streams", "2", "--subprotocol", "chat"])
        #expect(result.error == nil, "\(result.output)")
        #expect(result.streams.allSatisfy { $0.status == 200 && $0.echoes.count == 1 && $0.closeCode == 1000 }, "\(result.output)")
        // A client that offers no ALPN (wsk connect over HTTP/1.1) gets HTTP/1.1.
        let http1 = try WSKProcess.run(["connect", "--cacert", pki.path("ca.pem"), "wss://127.0.0.1:\(server.port)/", "-x", "tls 1.1", "--exit-after", "1"])
        #expect(http1.status == 0 && http1.stdout == "tls 1.1\n", "\(http1.stderr)")
        withExtendedLifetime(server) {}
    }

    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs node"))
    func aConnectionWithoutStreamsIsDroppedAfterTheHandshakeTimeout() throws {
        let server = try EchoServerProcess(["--http2", "--handshake-timeout", "1"])
        let run = try InteropTests.run("node", [Self.client, "http://127.0.0.1:\(server.port)/", "--streams", "0"])
        let closed = run.output.firstMatch(of: /"closedAfterMs":([0-9]+)/).flatMap { Int($0.1) }
        #expect(closed.map { (900...5000).contains($0) } == true, "\(run.output)")
        #expect(server.log.contains("HTTP/2 connection without a stream for 1.0 s (handshake timeout)"), "\(server.log)")
        withExtendedLifetime(server) {}
    }

    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs node"))
    func noHTTP2MeansHTTP1Only() throws {
        let server = try EchoServerProcess(["--no-http2"])
        let result = try Self.runClient("http://127.0.0.1:\(server.port)/")
        #expect(result.error != nil && result.streams.allSatisfy { $0.status == nil }, "\(result.output)")
        let http1 = try WSKProcess.run(["connect", "ws://127.0.0.1:\(server.port)/", "-x", "still here", "--exit-after", "1"])
        #expect(http1.status == 0 && http1.stdout == "still here\n", "\(http1.stderr)")
        withExtendedLifetime(server) {}
    }
}

/// `wsk connect --http2`: the client side, against serve-echo and Node's http2 server.
@Suite("connect --http2", .timeLimit(.minutes(3)))
struct HTTP2ClientTests {
    @Test func pipeModeOverH2CShowsThePseudoHeaders() throws {
        let server = try EchoServerProcess(["--http2"])
        let client = try WSKProcess.run([
            "connect", "--http2", "ws://127.0.0.1:\(server.port)/h2?x=1", "--subprotocol", "chat", "-x", "über HTTP/2 ✓", "--exit-after", "1",
            "--show-handshake", "-v",
        ])
        #expect(client.status == 0, "\(client.stderr)")
        #expect(client.stdout == "über HTTP/2 ✓\n")
        // The request as pseudo-headers (RFC 8441 §4), no Upgrade, Connection or key; a 200.
        #expect(client.stderr.contains(":method: CONNECT\r\n:protocol: websocket\r\n:scheme: http\r\n:authority: 127.0.0.1:\(server.port)\r\n:path: /h2?x=1\r\n"), "\(client.stderr)")
        #expect(client.stderr.contains("sec-websocket-version: 13\r\n"), "\(client.stderr)")
        #expect(!client.stderr.lowercased().contains("sec-websocket-key") && !client.stderr.lowercased().contains("upgrade:"), "\(client.stderr)")
        #expect(client.stderr.contains(":status: 200\r\n"), "\(client.stderr)")
        #expect(client.stderr.contains("http=HTTP/2 subprotocol=- extensions=permessage-deflate"), "\(client.stderr)")
        #expect(server.log.contains("path=\"/h2?x=1\" http=HTTP/2"), "\(server.log)")
        withExtendedLifetime(server) {}
    }

    @Test func aMegabyteLineCrossesBothWaysExactly() throws {
        let server = try EchoServerProcess(["--http2"])
        let script = """
            head -c 750000 /dev/urandom | base64 -w0 > "$TMP/line"; echo >> "$TMP/line"
            WSK connect --http2 ws://127.0.0.1:\(server.port)/ --exit-after 1 < "$TMP/line" > "$TMP/echo"
            cmp "$TMP/line" "$TMP/echo" && echo same
            """
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-h2-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try shell(script, environment: ["TMP": directory])
        #expect(result.stdout == "same\n", "\(result.stdout)\(result.stderr)")
        withExtendedLifetime(server) {}
    }

    @Test func jsonlNamesTheHTTPVersion() throws {
        let server = try EchoServerProcess(["--http2"])
        let client = try WSKProcess.run(["connect", "--http2", "ws://127.0.0.1:\(server.port)/", "--jsonl", "-x", "j", "--exit-after", "1"])
        #expect(client.status == 0, "\(client.stderr)")
        #expect(client.stdout.contains("\"event\":\"open\"") && client.stdout.contains("\"http\":\"HTTP/2\""), "\(client.stdout)")
        withExtendedLifetime(server) {}
    }

    @Test func tlsNegotiatesH2ByALPN() throws {
        let pki = try TestPKI()
        let server = try EchoServerProcess(["--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("server.key")])
        let client = try WSKProcess.run(["connect", "--http2", "--cacert", pki.path("ca.pem"), "wss://127.0.0.1:\(server.port)/s", "-x", "alpn", "--exit-after", "1", "-v"])
        #expect(client.status == 0 && client.stdout == "alpn\n", "\(client.stderr)")
        #expect(client.stderr.contains("http=HTTP/2"), "\(client.stderr)")
        // The same server with --no-http2 does not offer h2: HTTP/1.1, no note needed.
        let plain = try EchoServerProcess(["--no-http2", "--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("server.key")])
        let fallback = try WSKProcess.run(["connect", "--http2", "--cacert", pki.path("ca.pem"), "wss://127.0.0.1:\(plain.port)/", "-x", "one", "--exit-after", "1", "-v"])
        #expect(fallback.status == 0 && fallback.stdout == "one\n", "\(fallback.stderr)")
        #expect(fallback.stderr.contains("http=HTTP/1.1"), "\(fallback.stderr)")
        withExtendedLifetime((server, plain)) {}
    }

    @Test func anHTTP1OnlyServerIsNamedWithWhatToTry() throws {
        let server = try EchoServerProcess()
        let client = try WSKProcess.run(["connect", "--http2", "ws://127.0.0.1:\(server.port)/", "-x", "x"])
        #expect(client.status == 1, "\(client.stderr)")
        #expect(client.stderr == "wsk: 127.0.0.1:\(server.port) did not answer in HTTP/2; it may speak only HTTP/1.1 (drop --http2)\n", "\(client.stderr)")
        withExtendedLifetime(server) {}
    }

    @Test func aRefusedStreamShowsItsStatusAndBody() throws {
        let server = try EchoServerProcess(["--http2", "--allow-origin", "https://good.example"])
        let client = try WSKProcess.run(["connect", "--http2", "ws://127.0.0.1:\(server.port)/", "--origin", "https://evil.example", "-x", "x"])
        #expect(client.status == 2, "\(client.stderr)")
        #expect(client.stderr.contains("handshake refused: HTTP 403 Forbidden"), "\(client.stderr)")
        #expect(client.stderr.contains(":status: 403") && client.stderr.contains("origin https://evil.example not allowed"), "\(client.stderr)")
        withExtendedLifetime(server) {}
    }

    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs node"))
    func nodeHTTP2ServerBothWays() throws {
        // wsk's client against Node's server (h2c) …
        let node = try PeerProcess("node", "h2_server.js")
        let client = try WSKProcess.run(["connect", "--http2", "ws://127.0.0.1:\(node.port)/from-wsk", "--subprotocol", "chat", "-x", "to node", "-x", "and back", "--exit-after", "2", "-v"])
        #expect(client.status == 0, "\(client.stderr)")
        #expect(client.stdout == "to node\nand back\n")
        #expect(client.stderr.contains("http=HTTP/2 subprotocol=chat"), "\(client.stderr)")
        #expect(node.standardError.contains("CONNECT websocket /from-wsk"), "\(node.standardError)")
        // … and Node's client against wsk's listen mode.
        let listener = try ListenModeTests.Listener(["--http2", "--echo"])
        let result = try HTTP2Tests.runClient("http://127.0.0.1:\(listener.port)/to-wsk", ["--messages", "2"])
        #expect(result.streams.first?.status == 200 && result.streams.first?.echoes.count == 2, "\(result.output)")
        listener.process.signal(SIGTERM)
        _ = listener.process.waitForExit(timeout: 5)
    }

    @Test(.disabled(if: skipForeignPeers, "WSK_SKIP_INTEROP=1: needs node and node-ws"))
    func aServerWithoutTheSettingGetsHTTP1OnANewConnection() throws {
        let pki = try TestPKI()
        let node = try PeerProcess("node", "h2_server.js", ["--tls", pki.path("server.pem"), pki.path("server.key"), "--no-connect-protocol"])
        let client = try WSKProcess.run(["connect", "--http2", "--cacert", pki.path("ca.pem"), "wss://127.0.0.1:\(node.port)/fallback", "-x", "via 1.1", "--exit-after", "1", "-v"])
        #expect(client.status == 0 && client.stdout == "via 1.1\n", "\(client.stderr)")
        #expect(client.stderr.contains("does not allow WebSockets over it (no SETTINGS_ENABLE_CONNECT_PROTOCOL); using HTTP/1.1"), "\(client.stderr)")
        #expect(client.stderr.contains("http=HTTP/1.1"), "\(client.stderr)")
        #expect(node.standardError.contains("HTTP/1.1 upgrade /fallback") && !node.standardError.contains("CONNECT websocket"), "\(node.standardError)")
    }
}

/// `wsk bench --http2 --streams-per-connection N`: many WebSockets per TCP connection.
@Suite("bench --http2", .timeLimit(.minutes(3)))
struct HTTP2BenchTests {
    @Test func streamsShareTheirConnections() throws {
        let server = try EchoServerProcess(["--http2"])
        let run = try WSKProcess.run([
            "bench", "-c", "12", "--streams-per-connection", "5", "--duration", "1", "--warmup", "0.2", "--json",
            "--threshold", "errors==0", "ws://127.0.0.1:\(server.port)/",
        ])
        #expect(run.status == 0, "\(run.stderr)\n\(server.log)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
        #expect(json["http"] as? String == "HTTP/2")
        #expect(json["streams_per_connection"] as? Int == 5)
        // 12 WebSockets, 5 to a connection: 3 TCP connections.
        #expect(json["tcp_connections"] as? Int == 3, "\(json)")
        #expect(json["connections_open"] as? Int == 12, "\(json)")
        #expect((json["messages"] as? Int ?? 0) > 0 && json["errors"] as? Int == 0, "\(json)")
        // The server saw 12 HTTP/2 WebSockets from 3 client ports.
        let opens = server.log.split(separator: "\n").filter { $0.contains(" open ") && $0.contains("http=HTTP/2") }
        #expect(opens.count == 12, "\(server.log)")
        let remotes = Set(opens.compactMap { line in line.split(separator: " ").first { $0.hasPrefix("remote=") } })
        #expect(remotes.count == 3, "\(remotes)")
        withExtendedLifetime(server) {}
    }

    @Test func anHTTP1OnlyServerFailsEveryConnectionWithOneLine() throws {
        let server = try EchoServerProcess()
        let run = try WSKProcess.run(["bench", "-c", "2", "--http2", "--duration", "1", "--warmup", "0", "ws://127.0.0.1:\(server.port)/"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("did not answer in HTTP/2"), "\(run.stderr)")
        withExtendedLifetime(server) {}
    }

    @Test func streamsPerConnectionIsChecked() throws {
        let run = try WSKProcess.run(["bench", "--streams-per-connection", "0", "ws://127.0.0.1:1/"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--streams-per-connection must be between 1 and 256, got 0"), "\(run.stderr)")
    }
}
