import Foundation
import NIOCore
import Testing
import WSKCompression
import WSKCore

/// `wsk proxy` dials the upstream before it answers the client, and is faithful to it: the
/// upstream's refusal, subprotocol and compression reach the client; pings, pongs, close
/// codes and reasons pass end to end; client headers are forwarded as asked.
@Suite("proxy: upstream first, faithful relay", .serialized, .timeLimit(.minutes(3)))
struct ProxyUpstreamFirstTests {
    @Test func anUnreachableUpstreamIsA502NotA101Then1011() throws {
        let proxy = try ProxyProcess(["ws://127.0.0.1:1/"])
        let client = try RawClient.connect(port: proxy.port)
        #expect(!client.handshakeOK)
        #expect(client.responseStatus == 502, "\(client.responseHead)")
        #expect(client.responseBody.contains("upstream unreachable"), "\(client.responseBody)")
        let tcp = try ProxyProcess(["tcp://127.0.0.1:1"])
        let tcpClient = try RawClient.connect(port: tcp.port)
        #expect(tcpClient.responseStatus == 502, "\(tcpClient.responseHead)")
        #expect(try httpGet(port: proxy.port, path: "/metrics").contains("wsk_upstream_failures_total 1"))
    }

    @Test func theUpstreamsRefusalPassesBackAndForwardedHeadersGetThrough() throws {
        let upstream = try EchoServerProcess(["--require-header", "Authorization: Bearer s3cret"])
        let plain = try ProxyProcess(["ws://127.0.0.1:\(upstream.port)/"])
        let refused = try RawClient.connect(port: plain.port, headers: [("Authorization", "Bearer s3cret")])
        #expect(refused.responseStatus == 401, "\(refused.responseHead)")
        #expect(refused.responseBody.contains("upstream refused the upgrade: HTTP 401"), "\(refused.responseBody)")

        let forwarding = try ProxyProcess(["--forward-header", "authorization", "ws://127.0.0.1:\(upstream.port)/"])
        let client = try RawClient.connect(port: forwarding.port, headers: [("Authorization", "Bearer s3cret")])
        #expect(client.handshakeOK, "\(client.responseHead)")
        try client.send(.text("through"))
        #expect(try client.nextMessage()?.text == "through")
    }

    @Test func theUpstreamRequestCarriesForwardedAddedAndProxyHeaders() throws {
        let upstream = try ScriptedServer { peer -> String in
            try peer.acceptHandshake()
            _ = try peer.nextMessage(timeout: 10)
            return peer.requestHead
        }
        let proxy = try ProxyProcess([
            "--forward-header", "Cookie", "--forward-header", "Origin", "-H", "X-Extra: one", "ws://127.0.0.1:\(upstream.port)/",
        ])
        let client = try RawClient.connect(
            port: proxy.port,
            headers: [("Cookie", "id=7"), ("Origin", "https://app.example"), ("Authorization", "Bearer not-forwarded"), ("X-Forwarded-For", "10.0.0.9")]
        )
        #expect(client.handshakeOK, "\(client.responseHead)")
        try client.send(.text("go"))
        let head = try upstream.outcome().lowercased()
        #expect(head.contains("cookie: id=7\r\n"), "\(head)")
        #expect(head.contains("origin: https://app.example\r\n"), "\(head)")
        #expect(head.contains("x-extra: one\r\n"), "\(head)")
        #expect(head.contains("x-forwarded-for: 10.0.0.9, 127.0.0.1\r\n"), "\(head)")
        #expect(head.contains("via: 1.1 wsk-proxy-"), "\(head)")
        #expect(!head.contains("authorization"), "\(head)")
    }

    @Test func theClientGetsTheUpstreamsSubprotocolAndCompression() throws {
        let offer = PerMessageDeflateOptions()
        // The upstream speaks only "b" and does not compress: the client, offering a, b and
        // permessage-deflate, gets b and no compression.
        let plainUpstream = try EchoServerProcess(["--subprotocol", "b", "--no-compression"])
        let proxy = try ProxyProcess(["ws://127.0.0.1:\(plainUpstream.port)/"])
        let client = try RawClient.connect(port: proxy.port, subprotocols: ["a", "b"], compression: offer)
        #expect(client.handshakeOK, "\(client.responseHead)")
        #expect(client.subprotocol == "b")
        #expect(client.extensions.isEmpty, "\(client.responseHead)")
        try client.send(.text("plain"))
        #expect(try client.nextMessage()?.text == "plain")

        // An upstream that compresses and speaks neither: compression, no subprotocol.
        let deflating = try EchoServerProcess([])
        let second = try ProxyProcess(["ws://127.0.0.1:\(deflating.port)/"])
        let compressed = try RawClient.connect(port: second.port, subprotocols: ["a", "b"], compression: offer)
        #expect(compressed.handshakeOK, "\(compressed.responseHead)")
        #expect(compressed.subprotocol == nil)
        #expect(compressed.extensions.map(\.name) == ["permessage-deflate"], "\(compressed.responseHead)")
        try compressed.send(.text(String(repeating: "squeeze ", count: 100)))
        #expect(try compressed.nextMessage()?.text == String(repeating: "squeeze ", count: 100))

        // --subprotocol limits what is offered upstream.
        let limited = try ProxyProcess(["--subprotocol", "a", "ws://127.0.0.1:\(plainUpstream.port)/"])
        let none = try RawClient.connect(port: limited.port, subprotocols: ["a", "b"])
        #expect(none.handshakeOK, "\(none.responseHead)")
        #expect(none.subprotocol == nil)
    }

    @Test func pingsPongsAndCloseReasonsPassEndToEnd() throws {
        // The upstream answers nothing by itself: a pong the client gets for its ping must
        // come from the upstream, and the upstream's ping must reach the client.
        let upstream = try ScriptedServer { peer -> [ConnectionEvent] in
            try peer.acceptHandshake(autoReplyPolicy: .passThrough)
            var seen: [ConnectionEvent] = []
            try peer.send(.ping(ByteBuffer(string: "from-upstream")))
            while let event = try peer.nextEvent(timeout: 10) {
                seen.append(event)
                switch event {
                case .ping(let payload):
                    try peer.send(.pong(ByteBuffer(string: "answer:" + String(buffer: payload))))
                case .closeReceived:
                    try peer.send(.close(CloseFrame(code: CloseCode(rawValue: 4002), reason: "upstream says bye")))
                    return seen
                default:
                    break
                }
            }
            return seen
        }
        let proxy = try ProxyProcess(["ws://127.0.0.1:\(upstream.port)/"])
        let client = try RawClient.connect(port: proxy.port, autoReplyPolicy: .passThrough)
        #expect(client.handshakeOK, "\(client.responseHead)")
        #expect(try client.nextEvent() == .ping(ByteBuffer(string: "from-upstream")))
        try client.send(.pong(ByteBuffer(string: "client-pong")))
        try client.send(.ping(ByteBuffer(string: "from-client")))
        #expect(try client.nextEvent() == .pong(ByteBuffer(string: "answer:from-client")))
        try client.send(.close(CloseFrame(code: CloseCode(rawValue: 4001), reason: "client says bye")))
        let events = try client.eventsUntilClosed()
        #expect(events.contains(.closeReceived(CloseFrame(code: CloseCode(rawValue: 4002), reason: "upstream says bye"))), "\(events)")
        let seen = try upstream.outcome()
        #expect(seen.contains(.pong(ByteBuffer(string: "client-pong"))), "\(seen)")
        #expect(seen.contains(.ping(ByteBuffer(string: "from-client"))), "\(seen)")
        #expect(seen.contains(.closeReceived(CloseFrame(code: CloseCode(rawValue: 4001), reason: "client says bye"))), "\(seen)")
    }

    @Test func anUpstreamThatIsDoneBeforeTheClientOpensStillReachesIt() throws {
        // The program's output and exit (or the upstream's close) can arrive before the
        // client's session is open: they wait for it. (The proxy crashed here once: the
        // close was written through the HTTP encoder before the 101 was out.)
        let proxy = try ProxyProcess(["--exec", "echo hi"])
        for _ in 0..<30 {
            let client = try RawClient.connect(port: proxy.port)
            #expect(client.handshakeOK, "\(client.responseHead) \(proxy.log)")
            let events = try client.eventsUntilClosed()
            #expect(events.first == .message(Message(opcode: .text, data: ByteBuffer(string: "hi"))), "\(events)")
            #expect(RawClient.closeCode(in: events) == .normalClosure, "\(events)")
        }
        #expect(proxy.process.process.isRunning, "\(proxy.log)")
        let upstream = try ScriptedServer { peer -> Bool in
            try peer.acceptHandshake()
            try peer.send(.text("bye"))
            try peer.send(.close(CloseFrame(code: .goingAway, reason: "done")))
            _ = try peer.eventsUntilClosed(timeout: 10)
            return true
        }
        let relaying = try ProxyProcess(["ws://127.0.0.1:\(upstream.port)/"])
        for _ in 0..<10 {
            let client = try RawClient.connect(port: relaying.port)
            let events = try client.eventsUntilClosed()
            #expect(events.first == .message(Message(opcode: .text, data: ByteBuffer(string: "bye"))), "\(events)")
            #expect(events.contains(.closeReceived(CloseFrame(code: .goingAway, reason: "done"))), "\(events)")
        }
        #expect(relaying.process.process.isRunning, "\(relaying.log)")
    }

    @Test func fragmentBoundariesPassThroughBothWays() throws {
        let fragments: WebSocketConfiguration = {
            var configuration = WebSocketConfiguration()
            configuration.deliversFragments = true
            return configuration
        }()
        let upstream = try ScriptedServer { peer -> [ConnectionEvent] in
            try peer.acceptHandshake()
            peer.connection = Connection(role: .server, configuration: fragments, randomNumberGenerator: SystemRandomNumberGenerator())
            var seen: [ConnectionEvent] = []
            while seen.count < 3, let event = try peer.nextEvent(timeout: 10) { seen.append(event) }
            var out = ByteBuffer()
            try peer.connection!.sendFragment(opcode: .binary, payload: ByteBuffer(string: "ab"), isFinal: false, into: &out)
            try peer.connection!.sendFragment(opcode: .continuation, payload: ByteBuffer(string: "cd"), isFinal: true, into: &out)
            try peer.sendRaw(out)
            _ = try peer.eventsUntilClosed(timeout: 10)
            return seen
        }
        let proxy = try ProxyProcess(["-v", "ws://127.0.0.1:\(upstream.port)/"])
        let client = try RawClient.connect(port: proxy.port, configuration: fragments)
        var out = ByteBuffer()
        try client.connection!.sendFragment(opcode: .text, payload: ByteBuffer(string: "Hel"), isFinal: false, into: &out)
        try client.connection!.sendFragment(opcode: .continuation, payload: ByteBuffer(), isFinal: false, into: &out)
        try client.connection!.sendFragment(opcode: .continuation, payload: ByteBuffer(string: "lo"), isFinal: true, into: &out)
        try client.sendRaw(out)
        #expect(try client.nextEvent() == .message(Message(opcode: .binary, data: ByteBuffer(string: "ab"), isFinal: false)))
        #expect(try client.nextEvent() == .message(Message(opcode: .continuation, data: ByteBuffer(string: "cd"), isFinal: true)))
        try client.send(.close(CloseFrame(code: .normalClosure)))
        _ = try client.eventsUntilClosed()
        #expect(try upstream.outcome() == [
            .message(Message(opcode: .text, data: ByteBuffer(string: "Hel"), isFinal: false)),
            .message(Message(opcode: .continuation, data: ByteBuffer(), isFinal: false)),
            .message(Message(opcode: .continuation, data: ByteBuffer(string: "lo"), isFinal: true)),
        ])
        // -v logs each frame; /metrics counts the message once.
        #expect(proxy.process.waitForOutput { _, err in err.components(separatedBy: " fragment ").count - 1 == 5 }, "\(proxy.log)")
        #expect(try httpGet(port: proxy.port, path: "/metrics").contains("wsk_messages_received_total{type=\"text\"} 1"))
    }

    @Test func compressedFragmentsAreReinflatedAndRecompressedPerHop() throws {
        // Both hops compress; the client's fragmented compressed message is inflated frame
        // by frame and compressed again frame by frame towards serve-echo, which must see
        // the same message (and echo it whole).
        let upstream = try EchoServerProcess([])
        let proxy = try ProxyProcess(["ws://127.0.0.1:\(upstream.port)/"])
        let client = try RawClient.connect(port: proxy.port, compression: PerMessageDeflateOptions())
        #expect(client.extensions.map(\.name) == ["permessage-deflate"])
        for index in 0..<5 {
            let text = String(repeating: "fragment \(index) κόσμε ", count: 50 * (index + 1))
            try client.sendFragmented(.text, ByteBuffer(string: text), fragmentSize: 7 + index)
            #expect(try client.nextMessage()?.text == text)
        }
    }

    @Test func aLoopThroughTwoProxiesIsDetected() throws {
        // A relays to B, B relays back to A: A sees its own Via marker and answers 508,
        // which passes back through B to the client.
        let portA = try freePort()
        let proxyB = try ProxyProcess(["ws://127.0.0.1:\(portA)/"])
        let proxyA = try ProxyProcess(["--port", "\(portA)", "ws://127.0.0.1:\(proxyB.port)/"], fixedPort: true)
        let client = try RawClient.connect(port: proxyA.port)
        #expect(client.responseStatus == 508, "\(client.responseHead) \(proxyA.log) \(proxyB.log)")
    }

    @Test func execBinaryRelaysRawBytes() throws {
        let proxy = try ProxyProcess(["--exec-binary", "--exec", "cat"])
        let client = try RawClient.connect(port: proxy.port)
        let bytes: [UInt8] = [0x62, 0x69, 0x6E, 0x00, 0xFF, 0x0A, 0xC3]
        try client.send(.binary(ByteBuffer(bytes: bytes)))
        var received: [UInt8] = []
        while received.count < bytes.count, let message = try client.nextMessage() {
            #expect(message.opcode == .binary)
            received += Array(message.data.readableBytesView)
        }
        #expect(received == bytes)
    }

    @Test(arguments: [
        (["proxy", "--exec-binary", "ws://x"], "--exec-binary needs --exec"),
        (["proxy", "--exec", "cat", "--kill-grace", "-1"], "--kill-grace"),
        (["proxy", "--forward-header", "Sec-WebSocket-Key", "ws://x"], "Sec-WebSocket-Key is set by the proxy"),
        (["proxy", "-H", "nocolon", "ws://x"], "--header expects 'Name: value'"),
    ])
    func malformedArgumentsNameTheFlag(arguments: [String], fragment: String) throws {
        let result = try WSKProcess.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
    }
}
