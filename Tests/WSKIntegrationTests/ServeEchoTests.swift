import Foundation
import NIOCore
import Testing
import WSKCompression
import WSKCore

/// `wsk serve-echo` as a real process on a loopback port, driven by a WSKCore client over
/// a real socket.
@Suite("serve-echo over loopback", .serialized, .timeLimit(.minutes(2)))
struct ServeEchoTests {
    @Test func echoesTextAndBinaryKeepingTheirType() throws {
        let server = try EchoServerProcess()
        let client = try RawClient.connect(port: server.port)
        #expect(client.handshakeOK)
        try client.send(.text("héllo"))
        #expect(try client.nextMessage() == Message(opcode: .text, data: ByteBuffer(string: "héllo")))
        try client.send(.binary(ByteBuffer(bytes: [0, 1, 2, 255])))
        #expect(try client.nextMessage() == Message(opcode: .binary, data: ByteBuffer(bytes: [0, 1, 2, 255])))
        try client.send(.text(""))
        #expect(try client.nextMessage() == Message(opcode: .text, data: ByteBuffer()))
    }

    @Test func echoesFragmentedAndLargeMessages() throws {
        let server = try EchoServerProcess()
        let client = try RawClient.connect(port: server.port)
        let payload = ByteBuffer(bytes: (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try client.sendFragmented(.binary, payload, fragmentSize: 1000)
        #expect(try client.nextMessage(timeout: 10)?.data == payload)
        // Control frames interleaved in a fragmented message (RFC 6455 §5.4).
        var out = ByteBuffer()
        try client.connection!.sendFragment(opcode: .text, payload: ByteBuffer(string: "Hel"), isFinal: false, into: &out)
        try client.connection!.send(.ping(ByteBuffer(string: "mid")), into: &out)
        try client.connection!.sendFragment(opcode: .continuation, payload: ByteBuffer(string: "lo"), isFinal: true, into: &out)
        try client.sendRaw(out)
        #expect(try client.nextEvent() == .pong(ByteBuffer(string: "mid")))
        #expect(try client.nextMessage()?.text == "Hello")
    }

    @Test(arguments: [
        PerMessageDeflateOptions(),
        PerMessageDeflateOptions(serverNoContextTakeover: true, clientNoContextTakeover: true),
        PerMessageDeflateOptions(serverMaxWindowBits: 9, clientMaxWindowBits: 8),
        PerMessageDeflateOptions(serverMaxWindowBits: 15, clientMaxWindowBits: 12),
    ])
    func echoesCompressedMessages(options: PerMessageDeflateOptions) throws {
        let server = try EchoServerProcess()
        let client = try RawClient.connect(port: server.port, compression: options)
        #expect(client.extensions.first?.name == "permessage-deflate")
        for index in 0..<10 {
            let text = String(repeating: "compress me \(index) ", count: 200)
            try client.send(.text(text))
            #expect(try client.nextMessage()?.text == text)
        }
        let random = ByteBuffer(bytes: (0..<50_000).map { _ in UInt8.random(in: 0...255) })
        try client.sendFragmented(.binary, random, fragmentSize: 4096)
        #expect(try client.nextMessage()?.data == random)
    }

    @Test func noCompressionRefusesTheOffer() throws {
        let server = try EchoServerProcess(["--no-compression"])
        let client = try RawClient.connect(port: server.port, compression: PerMessageDeflateOptions())
        #expect(client.handshakeOK)
        #expect(client.extensions.isEmpty)
        #expect(!client.responseHead.lowercased().contains("sec-websocket-extensions"))
    }

    @Test func answersPingsAndCompletesTheClosingHandshake() throws {
        let server = try EchoServerProcess()
        let client = try RawClient.connect(port: server.port)
        try client.send(.ping(ByteBuffer(string: "p1")))
        #expect(try client.nextEvent() == .pong(ByteBuffer(string: "p1")))
        try client.send(.close(CloseFrame(code: CloseCode(4001), reason: "done")))
        let events = try client.eventsUntilClosed()
        #expect(events.first == .closeReceived(CloseFrame(code: CloseCode(4001))))
        #expect(try client.waitForEOF())
        #expect(server.process.waitForOutput { _, err in err.contains("code=4001") && err.contains("clean=true") })
    }

    @Test func selectsTheFirstOfferedSubprotocolItSupports() throws {
        let server = try EchoServerProcess(["--subprotocol", "chat", "--subprotocol", "superchat"])
        let both = try RawClient.connect(port: server.port, subprotocols: ["superchat", "chat"])
        #expect(both.subprotocol == "superchat")
        let none = try RawClient.connect(port: server.port, subprotocols: ["mqtt"])
        #expect(none.handshakeOK)
        #expect(none.subprotocol == nil)
    }

    @Test func broadcastsToEveryClient() throws {
        let server = try EchoServerProcess(["--broadcast"])
        let clients = try (0..<3).map { _ in try RawClient.connect(port: server.port) }
        try clients[1].send(.text("to all"))
        for client in clients {
            #expect(try client.nextMessage()?.text == "to all")
        }
    }

    @Test func broadcastCanExcludeTheSender() throws {
        let server = try EchoServerProcess(["--broadcast", "--exclude-sender"])
        let a = try RawClient.connect(port: server.port)
        let b = try RawClient.connect(port: server.port)
        try a.send(.text("from a"))
        #expect(try b.nextMessage()?.text == "from a")
        #expect(try a.nextMessage(timeout: 0.5) == nil)
    }

    @Test func pubsubDeliversWithinATopicOnly() throws {
        let server = try EchoServerProcess(["--pubsub"])
        let red1 = try RawClient.connect(port: server.port, path: "/rooms/red")
        let red2 = try RawClient.connect(port: server.port, path: "/rooms/red?x=1")
        let blue = try RawClient.connect(port: server.port, path: "/rooms/blue")
        try red1.send(.text("red news"))
        #expect(try red1.nextMessage()?.text == "red news")
        #expect(try red2.nextMessage()?.text == "red news")
        #expect(try blue.nextMessage(timeout: 0.5) == nil)
        try blue.send(.binary(ByteBuffer(bytes: [7])))
        #expect(try blue.nextMessage()?.data == ByteBuffer(bytes: [7]))
        #expect(try red2.nextMessage(timeout: 0.5) == nil)
    }

    // MARK: - Violations get their RFC close code

    @Test func unmaskedClientFrameGets1002() throws {
        let server = try EchoServerProcess()
        let client = try RawClient.connect(port: server.port)
        try client.sendRaw([0x81, 0x02, 0x68, 0x69])
        let events = try client.eventsUntilClosed()
        #expect(RawClient.closeCode(in: events) == .protocolError)
        #expect(try client.waitForEOF())
        #expect(server.process.waitForOutput { _, err in err.contains("violation") && err.contains("code=1002") })
    }

    @Test func invalidUTF8Gets1007() throws {
        let server = try EchoServerProcess()
        let client = try RawClient.connect(port: server.port)
        try client.send(.frame(Frame(opcode: .text, payload: ByteBuffer(bytes: [0x41, 0xC0, 0x80]))))
        #expect(RawClient.closeCode(in: try client.eventsUntilClosed()) == .invalidPayloadData)
    }

    @Test func reservedOpcodeAndBitsGet1002() throws {
        let server = try EchoServerProcess()
        for frame in [Frame(opcode: Opcode(rawValue: 3)!, payload: ByteBuffer()), Frame(reservedBits: .rsv2, opcode: .text, payload: ByteBuffer())] {
            let client = try RawClient.connect(port: server.port)
            try client.send(.frame(frame))
            #expect(RawClient.closeCode(in: try client.eventsUntilClosed()) == .protocolError)
        }
    }

    @Test func oversizedMessageAndFrameGet1009() throws {
        let server = try EchoServerProcess(["--max-message-size", "1KiB", "--max-frame-size", "512"])
        let big = try RawClient.connect(port: server.port)
        // Only the header of a 1 MiB frame: refused from the header alone.
        try big.sendRaw([0x82, 0xFF, 0, 0, 0, 0, 0, 0x10, 0, 0, 1, 2, 3, 4])
        #expect(RawClient.closeCode(in: try big.eventsUntilClosed()) == .messageTooBig)
        let fragmented = try RawClient.connect(port: server.port)
        try fragmented.sendFragmented(.binary, ByteBuffer(repeating: 1, count: 2000), fragmentSize: 500)
        #expect(RawClient.closeCode(in: try fragmented.eventsUntilClosed()) == .messageTooBig)
        // Within limits still echoes.
        let small = try RawClient.connect(port: server.port)
        try small.sendFragmented(.binary, ByteBuffer(repeating: 1, count: 1000), fragmentSize: 500)
        #expect(try small.nextMessage()?.data.readableBytes == 1000)
    }

    @Test func garbageDoesNotHurtOtherClients() throws {
        let server = try EchoServerProcess()
        let good = try RawClient.connect(port: server.port)
        for seed in 0..<20 {
            let flood = try RawClient.connect(port: server.port)
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<(1000 + seed * 100)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try? flood.sendRaw(bytes)
            _ = try? flood.waitForEOF(timeout: 2)
            // And garbage instead of an HTTP request.
            let raw = try RawClient(port: server.port)
            try? raw.sendRaw(bytes)
            _ = try? raw.waitForEOF(timeout: 2)
        }
        try good.send(.text("still here"))
        #expect(try good.nextMessage()?.text == "still here")
    }

    // MARK: - Limits and checks before the upgrade

    @Test func connectionLimitAnswers503() throws {
        let server = try EchoServerProcess(["--max-connections", "2"])
        let a = try RawClient.connect(port: server.port)
        let b = try RawClient.connect(port: server.port)
        let c = try RawClient.connect(port: server.port)
        #expect(a.handshakeOK && b.handshakeOK)
        #expect(c.responseStatus == 503)
        try a.send(.close(CloseFrame(code: .normalClosure)))
        _ = try a.eventsUntilClosed()
        // serve-echo logs the close once the session has left the count of open ones.
        #expect(server.waitForLog("close", client: a), "\(server.log)")
        let d = try RawClient.connect(port: server.port)
        #expect(d.handshakeOK, "\(d.responseHead)")
    }

    @Test func silentClientsAreDroppedAfterTheHandshakeTimeout() throws {
        let server = try EchoServerProcess(["--handshake-timeout", "0.3"])
        let silent = try RawClient(port: server.port)
        try silent.sendRaw(Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8))  // never finishes the request
        #expect(try silent.waitForEOF(timeout: 3))
        // Logged and counted with the other refused upgrades.
        #expect(server.process.waitForOutput { _, err in err.contains("refused remote=127.0.0.1:\(silent.localPort)") && err.contains("handshake timeout") }, "\(server.log)")
        #expect(try httpGet(port: server.port, path: "/metrics").contains("wsk_upgrades_refused_total 1"))
    }

    @Test func idleClientsArePingedThenClosed() throws {
        let server = try EchoServerProcess(["--idle-timeout", "0.3"])
        let client = try RawClient.connect(port: server.port)
        // The server pings; answering keeps the connection open.
        guard case .ping = try client.nextEvent(timeout: 3) else {
            Issue.record("expected a ping")
            return
        }
        // A client that reads but never answers: the server pings it, then closes with 1001.
        let silent = try RawClient.connect(port: server.port, autoReplyPolicy: .passThrough)
        let events = try silent.eventsUntilClosed(timeout: 5)
        #expect(events.first.map { if case .ping = $0 { true } else { false } } == true, "\(events)")
        #expect(RawClient.closeCode(in: events) == .goingAway, "\(events)")
        // The log says what went on the wire: 1001 idle timeout (not clean: no reply came).
        #expect(server.waitForLog("close", client: silent), "\(server.log)")
        let line = server.log.split(separator: "\n").first { $0.contains(" close remote=127.0.0.1:\(silent.localPort) ") } ?? ""
        #expect(line.contains("code=1001") && line.contains("idle timeout"), "\(line)")
    }

    @Test func originAndRequiredHeaderChecks() throws {
        let server = try EchoServerProcess(["--allow-origin", "https://good.example", "--require-header", "Authorization: Bearer s3cret"])
        let noOrigin = try RawClient.connect(port: server.port, headers: [("Authorization", "Bearer s3cret")])
        #expect(noOrigin.responseStatus == 403)
        let badOrigin = try RawClient.connect(port: server.port, headers: [("Origin", "https://evil.example"), ("Authorization", "Bearer s3cret")])
        #expect(badOrigin.responseStatus == 403)
        let noAuth = try RawClient.connect(port: server.port, headers: [("Origin", "https://good.example")])
        #expect(noAuth.responseStatus == 401)
        let good = try RawClient.connect(port: server.port, headers: [("Origin", "https://GOOD.example"), ("Authorization", "Bearer s3cret")])
        #expect(good.handshakeOK)
    }

    @Test func badHandshakesGetTheRightStatus() throws {
        let server = try EchoServerProcess()
        let version = try RawClient(port: server.port)
        try version.sendRaw(Array("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n".utf8))
        _ = try version.waitForEOF()
        let response = String(decoding: Array(version.leftover.readableBytesView), as: UTF8.self)
        #expect(response.hasPrefix("HTTP/1.1 426"))
        #expect(response.contains("Sec-WebSocket-Version: 13"))
        let key = try RawClient(port: server.port)
        try key.sendRaw(Array("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8))
        _ = try key.waitForEOF()
        #expect(String(decoding: Array(key.leftover.readableBytesView), as: UTF8.self).hasPrefix("HTTP/1.1 400"))
    }

    @Test func servesTheConsolePageAndMetrics() throws {
        let server = try EchoServerProcess()
        let client = try RawClient.connect(port: server.port)
        try client.send(.text("count me"))
        _ = try client.nextMessage()
        let page = try httpGet(port: server.port, path: "/")
        #expect(page.hasPrefix("HTTP/1.1 200"))
        #expect(page.contains("<title>wsk console</title>"))
        let metrics = try httpGet(port: server.port, path: "/metrics")
        #expect(metrics.contains("wsk_connections_active 1"))
        #expect(metrics.contains("wsk_messages_received_total{type=\"text\"} 1"))
        #expect(metrics.contains("wsk_messages_sent_total{type=\"text\"} 1"))
        #expect(try httpGet(port: server.port, path: "/nope").hasPrefix("HTTP/1.1 404"))
    }

    @Test func logsAsJSONLines() throws {
        let server = try EchoServerProcess(["--log-format", "json", "-v"])
        let client = try RawClient.connect(port: server.port, path: "/p?q=1")
        try client.send(.text("logged"))
        _ = try client.nextMessage()
        try client.send(.close(CloseFrame(code: .normalClosure)))
        _ = try client.eventsUntilClosed()
        #expect(server.process.waitForOutput { _, err in err.contains("\"event\":\"close\"") })
        let lines = server.log.split(separator: "\n")
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["event"] != nil, "\(line)")
        }
        #expect(lines.contains { $0.contains("\"event\":\"open\"") && $0.contains("\"path\":\"/p?q=1\"") })
        #expect(lines.contains { $0.contains("\"event\":\"message\"") && $0.contains("\"preview\":\"logged\"") })
    }

    @Test func shutdownClosesClientsWith1001AndExitsZero() throws {
        let server = try EchoServerProcess()
        let client = try RawClient.connect(port: server.port)
        server.process.signal(SIGINT)
        let events = try client.eventsUntilClosed()
        #expect(RawClient.closeCode(in: events) == .goingAway)
        #expect(server.process.waitForExit() == 0)
    }

    @Test func slowReaderIsClosedAtTheBackpressureLimit() throws {
        let server = try EchoServerProcess(["--broadcast", "--max-backpressure", "256KiB"])
        let slow = try RawClient.connect(port: server.port)  // never reads
        let fast = try RawClient.connect(port: server.port)
        var shrink: Int32 = 4096
        setsockopt(slow.fd, SOL_SOCKET, SO_RCVBUF, &shrink, socklen_t(MemoryLayout<Int32>.size))
        let chunk = ByteBuffer(repeating: 0x61, count: 64 * 1024)
        for _ in 0..<200 {
            try fast.send(.binary(chunk))
            _ = try fast.nextMessage(timeout: 2)
            if server.log.contains("code=1008") { break }
        }
        #expect(server.process.waitForOutput(timeout: 10) { _, err in err.contains("code=1008") })
    }

    // MARK: - Command line

    @Test(arguments: [
        (["serve-echo", "--port", "70000"], "--port"),
        (["serve-echo", "--max-message-size", "lots"], "--max-message-size"),
        (["serve-echo", "--server-max-window-bits", "20"], "--server-max-window-bits"),
        (["serve-echo", "--broadcast", "--pubsub"], "--broadcast"),
        (["serve-echo", "--require-header", "nocolon"], "--require-header"),
        (["serve-echo", "--tls-cert", "x.pem"], "--tls-cert"),
        (["serve-echo", "--log-format", "xml"], "--log-format"),
        (["help", "nosuch"], "unknown subcommand 'nosuch'"),
    ])
    func malformedArgumentsNameTheFlag(arguments: [String], flag: String) throws {
        let result = try WSKProcess.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(flag), "\(result.stderr)")
    }

    @Test func tlsFileErrorsNameTheFlagTheFileAndTheCause() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-tlsfiles-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let made = try shell(
            "cd '\(directory)' && openssl req -x509 -newkey rsa:2048 -nodes -keyout a.key -out a.pem -days 1 -subj /CN=a 2>&1 && openssl req -x509 -newkey rsa:2048 -nodes -keyout b.key -out b.pem -days 1 -subj /CN=b 2>&1")
        #expect(made.status == 0, "\(made.stdout)")
        let cases: [([String], String)] = [
            (["--tls-cert", "\(directory)/a.pem", "--tls-key", "\(directory)/a.key", "--tls-client-ca", "/nonexistent/ca.pem"], "--tls-client-ca /nonexistent/ca.pem: no such file or directory"),
            (["--tls-cert", "\(directory)/a.pem", "--tls-key", "\(directory)/b.key"], "--tls-key \(directory)/b.key does not match the certificate in --tls-cert \(directory)/a.pem"),
            (["--tls-cert", "\(directory)/a.key", "--tls-key", "\(directory)/a.key"], "--tls-cert \(directory)/a.key: not a PEM certificate file"),
        ]
        for (arguments, message) in cases {
            let result = try WSKProcess.run(["serve-echo", "--port", "0"] + arguments)
            #expect(result.status == 64)
            #expect(result.stderr.hasPrefix("Error: " + message), "\(result.stderr)")
            #expect(!result.stderr.contains("NIOSSL") && !result.stderr.contains("failedTo"), "\(result.stderr)")
        }
    }
}

/// A plain HTTP/1.1 GET; returns the whole response.
func httpGet(port: Int, path: String) throws -> String {
    let client = try RawClient(port: port)
    try client.sendRaw(Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
    _ = try client.waitForEOF()
    return String(decoding: Array(client.leftover.readableBytesView), as: UTF8.self)
}
