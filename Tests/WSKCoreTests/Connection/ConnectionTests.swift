import NIOCore
import Testing
@testable import WSKCore

/// Two engines wired back to back in memory.
struct Pair {
    var client = Endpoint(role: .client, randomNumberGenerator: SplitMix64(seed: 1))
    var server = Endpoint(role: .server, randomNumberGenerator: SplitMix64(seed: 2))

    subscript(role: Role) -> Endpoint {
        get { role == .client ? client : server }
        set { if role == .client { client = newValue } else { server = newValue } }
    }

    /// Sends from `role`, delivers the bytes, and returns what the other side saw.
    mutating func send(_ message: OutboundMessage, from role: Role) throws -> [ConnectionEvent] {
        var bytes = ByteBuffer()
        try self[role].send(message, into: &bytes)
        return deliver(bytes, to: role.peer)
    }

    /// Delivers bytes to `role`, then routes its automatic replies back to the other side.
    mutating func deliver(_ bytes: ByteBuffer, to role: Role) -> [ConnectionEvent] {
        var bytes = bytes
        self[role].receive(&bytes)
        var events: [ConnectionEvent] = []
        while let event = self[role].nextEvent() { events.append(event) }
        return events
    }

    mutating func flushReplies(from role: Role) -> [ConnectionEvent] {
        guard let output = self[role].takeOutput() else { return [] }
        return deliver(output, to: role.peer)
    }
}

@Suite("Connection: client and server in memory")
struct ConnectionTests {
    @Test(arguments: Role.allCases)
    func textAndBinaryMessages(sender: Role) throws {
        var pair = Pair()
        let text = try pair.send(.text("héllo wörld"), from: sender)
        #expect(text == [.message(Message(opcode: .text, data: buffer("héllo wörld")))])
        let binary = try pair.send(.binary(buffer(hex: "00 ff 10")), from: sender)
        #expect(binary == [.message(Message(opcode: .binary, data: buffer(hex: "00 ff 10")))])
    }

    @Test(arguments: Role.allCases)
    func fragmentedMessagesReassemble(sender: Role) throws {
        var pair = Pair()
        var bytes = ByteBuffer()
        let payload = ByteBuffer(repeating: 0x61, count: 1000)
        try pair[sender].sendMessage(opcode: .text, payload: payload, fragmentSize: 64, into: &bytes)
        // 1000 / 64 → 16 frames.
        let events = pair.deliver(bytes, to: sender.peer)
        #expect(events == [.message(Message(opcode: .text, data: payload))])
    }

    @Test(arguments: Role.allCases)
    func pingIsAnsweredWithSamePayload(sender: Role) throws {
        var pair = Pair()
        let events = try pair.send(.ping(buffer("are you there")), from: sender)
        #expect(events == [.ping(buffer("are you there"))])
        let replies = pair.flushReplies(from: sender.peer)
        #expect(replies == [.pong(buffer("are you there"))])
    }

    /// The closing handshake, for several codes and reasons (multi-byte UTF-8 included),
    /// started by either side (RFC 6455 §5.5.1, §7.1.2).
    @Test(arguments: Role.allCases, [
        CloseFrame(code: .normalClosure), CloseFrame(code: .goingAway, reason: "server shutting down"),
        CloseFrame(code: CloseCode(4000), reason: "κόσμε"), CloseFrame(code: nil),
    ])
    func closingHandshake(initiator: Role, close: CloseFrame) throws {
        var pair = Pair()
        let received = try pair.send(.close(close), from: initiator)
        #expect(pair[initiator].state == .closeSent)
        #expect(received == [
            .closeReceived(close),
            .closed(CloseOutcome(code: close.effectiveCode, reason: close.reason, wasClean: true, initiatedByPeer: true)),
        ])
        #expect(pair[initiator.peer].state == .closed)
        let echoed = pair.flushReplies(from: initiator.peer)
        #expect(echoed == [
            .closeReceived(close.response),
            .closed(CloseOutcome(code: close.effectiveCode, reason: "", wasClean: true, initiatedByPeer: false)),
        ])
        #expect(pair[initiator].state == .closed)
    }

    @Test func echoedCloseBytesAreExact() throws {
        var pair = Pair()
        _ = try pair.send(.close(CloseFrame(code: .normalClosure, reason: "bye")), from: .client)
        // RFC 6455 §5.5.1: the reply echoes the status code; the server's frame is unmasked.
        #expect(pair.server.takeOutput()?.bytes == hexBytes("88 02 03 e8"))
    }

    @Test func violationFailsWithCloseCodeBytes() {
        var server = Endpoint(role: .server, randomNumberGenerator: SplitMix64(seed: 3))
        var bytes = buffer(hex: "81 05 48 65 6c 6c 6f")  // unmasked client frame
        server.receive(&bytes)
        #expect(server.nextEvent() == .failed(ProtocolViolation(.unmaskedClientFrame, streamOffset: 0)))
        guard case .closed(let outcome) = server.nextEvent() else {
            Issue.record("expected closed")
            return
        }
        #expect(outcome.code == .protocolError)
        #expect(!outcome.wasClean)
        // Close frame with 1002, as NIO's tests assert [0x88, 0x02, 0x03, 0xEA].
        #expect(server.takeOutput()?.bytes == [0x88, 0x02, 0x03, 0xEA])
        #expect(server.state == .closed)
    }

    @Test func invalidUTF8FailsWith1007() {
        var client = Endpoint(role: .client, randomNumberGenerator: SplitMix64(seed: 3))
        var bytes = buffer(hex: "01 02 ce ba 00 01 ff")
        client.receive(&bytes)
        #expect(client.nextEvent() == .failed(ProtocolViolation(.invalidUTF8, streamOffset: 6)))
        var out = client.takeOutput()!
        var decoder = FrameDecoder(role: .server)
        let frame = try! decoder.nextFrame(from: &out)!
        #expect(frame.frame.opcode == .close)
        #expect(frame.frame.payload.bytes == [0x03, 0xEF])
    }

    @Test func endOfStreamWithoutCloseIs1006() {
        var client = Endpoint(role: .client, randomNumberGenerator: SplitMix64(seed: 3))
        client.receiveEndOfStream()
        #expect(client.nextEvent() == .closed(CloseOutcome(code: .abnormalClosure, reason: "", wasClean: false, initiatedByPeer: true)))
        client.receiveEndOfStream()
        #expect(client.nextEvent() == nil)
    }

    @Test func aPeerThatLeavesWithoutAnsweringOurCloseEndsWithOurCodeNotClean() throws {
        // The reason a connection ended is the close this endpoint sent (an idle timeout's
        // 1001), not only 1006, though the handshake did not complete (RFC 6455 §7.1.4).
        var server = Endpoint(role: .server, randomNumberGenerator: SplitMix64(seed: 3))
        var out = ByteBuffer()
        try server.send(.close(CloseFrame(code: .goingAway, reason: "idle timeout")), into: &out)
        server.receiveEndOfStream()
        #expect(server.nextEvent() == .closed(CloseOutcome(code: .goingAway, reason: "idle timeout", wasClean: false, initiatedByPeer: false)))
    }

    @Test func dataStillArrivesAfterCloseSent() throws {
        var pair = Pair()
        var clientOut = ByteBuffer()
        try pair.client.send(.close(CloseFrame(code: .normalClosure)), into: &clientOut)
        // The server sends a message before it sees our close: we still receive it.
        let events = try pair.send(.text("late"), from: .server)
        #expect(events == [.message(Message(opcode: .text, data: buffer("late")))])
        #expect(throws: UsageError.sendAfterClose) { try pair.client.send(.text("no"), into: &clientOut) }
    }

    @Test func pingsAreNotAnsweredAfterCloseSent() throws {
        var pair = Pair()
        var out = ByteBuffer()
        try pair.server.send(.close(CloseFrame(code: .goingAway)), into: &out)
        _ = try pair.send(.ping(buffer("x")), from: .client)
        #expect(pair.server.takeOutput() == nil)
    }

    @Test func messageBeforeCloseInOneReadCanStillBeAnswered() throws {
        // RFC 6455 §5.5.1: after sending a Close frame an endpoint sends no more data. A
        // message and a close arriving in one read: the caller's reply to the message must
        // go out before the automatic close reply, so the close is acted on only when its
        // event is read.
        var pair = Pair()
        var bytes = ByteBuffer()
        try pair.client.send(.text("last"), into: &bytes)
        try pair.client.send(.close(CloseFrame(code: .normalClosure)), into: &bytes)
        pair.server.receive(&bytes)
        #expect(pair.server.nextEvent() == .message(Message(opcode: .text, data: buffer("last"))))
        #expect(pair.server.state == .open)
        #expect(pair.server.takeOutput() == nil)
        var echo = ByteBuffer()
        try pair.server.send(.text("last"), into: &echo)
        #expect(pair.server.nextEvent() == .closeReceived(CloseFrame(code: .normalClosure)))
        #expect(pair.server.takeOutput()?.bytes == hexBytes("88 02 03 e8"))
        #expect(pair.server.nextEvent() == .closed(CloseOutcome(code: .normalClosure, reason: "", wasClean: true, initiatedByPeer: true)))
        #expect(echo.bytes == [0x81, 0x04] + Array("last".utf8))
    }

    @Test func violationAfterAMessageDoesNotOvertakeIt() throws {
        // RFC 6455 §7.1.7: the connection fails at the violation, not before the frames that
        // preceded it.
        var server = Endpoint(role: .server, randomNumberGenerator: SplitMix64(seed: 3))
        var bytes = buffer(hex: "81 85 37 fa 21 3d 7f 9f 4d 51 58  81 01 41")  // masked "Hello", then an unmasked frame
        server.receive(&bytes)
        #expect(server.nextEvent() == .message(Message(opcode: .text, data: buffer("Hello"))))
        #expect(server.state == .open)
        #expect(server.nextEvent() == .failed(ProtocolViolation(.unmaskedClientFrame, streamOffset: 11)))
        #expect(server.takeOutput()?.bytes == [0x88, 0x02, 0x03, 0xEA])
    }

    @Test func endOfStreamComesAfterTheFramesBeforeIt() {
        var client = Endpoint(role: .client, randomNumberGenerator: SplitMix64(seed: 3))
        var bytes = buffer(hex: "81 02 68 69")
        client.receive(&bytes)
        client.receiveEndOfStream()
        #expect(client.nextEvent() == .message(Message(opcode: .text, data: buffer("hi"))))
        #expect(client.nextEvent() == .closed(CloseOutcome(code: .abnormalClosure, reason: "", wasClean: false, initiatedByPeer: true)))
        #expect(client.nextEvent() == nil)
    }

    @Test func passThroughPolicyLeavesRepliesToCaller() throws {
        var pair = Pair()
        pair.server = Endpoint(role: .server, autoReplyPolicy: .passThrough, randomNumberGenerator: SplitMix64(seed: 9))
        _ = try pair.send(.ping(buffer("p")), from: .client)
        #expect(pair.server.takeOutput() == nil)
        let events = try pair.send(.close(CloseFrame(code: .normalClosure)), from: .client)
        #expect(events == [.closeReceived(CloseFrame(code: .normalClosure))])
        #expect(pair.server.state == .closeReceived)
        var out = ByteBuffer()
        try pair.server.send(.close(CloseFrame(code: .normalClosure)), into: &out)
        #expect(pair.server.state == .closed)
    }

    @Test func deferredCloseReplyWaitsForTheCaller() throws {
        // RFC 6455 §5.5.1: the reply to a close may wait until the endpoint has sent what it
        // is sending. Pings are still answered and violations still fail with a close frame.
        var pair = Pair()
        pair.server = Endpoint(role: .server, autoReplyPolicy: .deferredCloseReply, randomNumberGenerator: SplitMix64(seed: 9))
        _ = try pair.send(.ping(buffer("p")), from: .client)
        #expect(pair.server.takeOutput()?.bytes == [0x8A, 0x01, 0x70])
        let events = try pair.send(.close(CloseFrame(code: .goingAway, reason: "bye")), from: .client)
        #expect(events == [.closeReceived(CloseFrame(code: .goingAway, reason: "bye"))])
        #expect(pair.server.state == .closeReceived)
        #expect(pair.server.takeOutput() == nil)
        // Data may still go out before the reply, then the reply completes the handshake.
        var out = ByteBuffer()
        try pair.server.send(.text("last words"), into: &out)
        try pair.server.send(.close(CloseFrame(code: .goingAway, reason: "bye")), into: &out)
        #expect(pair.server.nextEvent() == .closed(CloseOutcome(code: .goingAway, reason: "bye", wasClean: true, initiatedByPeer: true)))
        let seen = pair.deliver(out, to: .client)
        #expect(seen.first == .message(Message(opcode: .text, data: buffer("last words"))))

        var failing = Endpoint(role: .server, autoReplyPolicy: .deferredCloseReply, randomNumberGenerator: SplitMix64(seed: 3))
        var bad = buffer(hex: "81 05 48 65 6c 6c 6f")  // unmasked client frame
        failing.receive(&bad)
        _ = failing.nextEvent()
        #expect(failing.takeOutput()?.bytes == [0x88, 0x02, 0x03, 0xEA])
    }

    @Test func controlPayloadLimitOnSend() {
        var pair = Pair()
        var out = ByteBuffer()
        #expect(throws: UsageError.controlPayloadTooLong(126)) {
            try pair.client.send(.ping(ByteBuffer(repeating: 0, count: 126)), into: &out)
        }
        #expect(throws: UsageError.closeCodeNotSendable(.noStatusReceived)) {
            try pair.client.send(.close(CloseFrame(code: .noStatusReceived)), into: &out)
        }
    }

    @Test func clientFramesAreMaskedServerFramesAreNot() throws {
        var pair = Pair()
        var clientOut = ByteBuffer()
        try pair.client.send(.text("a"), into: &clientOut)
        #expect(clientOut.getInteger(at: 1, as: UInt8.self)! & 0x80 != 0)
        var serverOut = ByteBuffer()
        try pair.server.send(.text("a"), into: &serverOut)
        #expect(serverOut.bytes == [0x81, 0x01, 0x61])
    }

    @Test func messageSplitAcrossReceiveCalls() {
        var server = Endpoint(role: .server, randomNumberGenerator: SplitMix64(seed: 3))
        let bytes = hexBytes("81 85 37 fa 21 3d 7f 9f 4d 51 58")
        for byte in bytes {
            var one = ByteBuffer(bytes: [byte])
            server.receive(&one)
        }
        #expect(server.nextEvent() == .message(Message(opcode: .text, data: buffer("Hello"))))
    }

    @Test func rawFramesForTesting() throws {
        var pair = Pair()
        var out = ByteBuffer()
        try pair.client.send(.frame(Frame(reservedBits: .rsv2, opcode: .text, payload: buffer("x"))), into: &out)
        let events = pair.deliver(out, to: .server)
        #expect(events.first == .failed(ProtocolViolation(.reservedBitsSet(.rsv2), streamOffset: 0)))
    }
}
