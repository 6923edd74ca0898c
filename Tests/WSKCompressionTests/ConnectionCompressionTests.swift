import NIOCore
import Testing
import WSKCompression
import WSKCore

/// permessage-deflate wired into the connection engine: RFC 7692 §7.2.3 vectors on the
/// wire, both directions, fragmentation, limits and UTF-8 after inflation.
@Suite("Connection with permessage-deflate (RFC 7692)")
struct ConnectionCompressionTests {
    static func connection(_ role: Role, _ parameters: PerMessageDeflateParameters = .init(), maxMessageSize: Int? = nil) -> Connection {
        var configuration = WebSocketConfiguration()
        if let maxMessageSize { configuration.maxMessageSize = maxMessageSize }
        return Connection(
            role: role,
            configuration: configuration,
            extensions: [PerMessageDeflate(parameters: parameters, role: role)],
            randomNumberGenerator: SplitMix64(state: 11)
        )
    }

    static func events(_ connection: inout Connection, _ bytes: [UInt8]) -> [ConnectionEvent] {
        var replies = ByteBuffer()
        return events(&connection, bytes, replies: &replies)
    }

    /// The events for `bytes`, with the automatic replies written to `replies`.
    static func events(_ connection: inout Connection, _ bytes: [UInt8], replies: inout ByteBuffer) -> [ConnectionEvent] {
        var input = ByteBuffer(bytes: bytes)
        connection.receive(&input)
        var events: [ConnectionEvent] = []
        while let event = connection.nextEvent(replyingInto: &replies) { events.append(event) }
        return events
    }

    @Test func rfc7692Section7231DecodesOnTheWire() {
        // RFC 7692 §7.2.3.1: "0xc1 0x07 0xf2 0x48 0xcd 0xc9 0xc9 0x07 0x00" is "Hello".
        var client = Self.connection(.client)
        let events = Self.events(&client, hex("c1 07 f2 48 cd c9 c9 07 00"))
        #expect(events == [.message(Message(opcode: .text, data: buffer("Hello")))])
    }

    @Test func rfc7692Section7232SharedWindowOnTheWire() {
        // RFC 7692 §7.2.3.2: the second "Hello" refers back into the window: "0xc1 0x05 0xf2 0x00 0x11 0x00 0x00".
        var client = Self.connection(.client)
        let events = Self.events(&client, hex("c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00"))
        #expect(events == [.message(Message(opcode: .text, data: buffer("Hello"))), .message(Message(opcode: .text, data: buffer("Hello")))])
    }

    @Test func rfc7692Section7231And7232EncodeByteExact() throws {
        var server = Self.connection(.server)
        var out = ByteBuffer()
        try server.send(.text("Hello"), into: &out)
        #expect(out.bytes == hex("c1 07 f2 48 cd c9 c9 07 00"))
        out.clear()
        try server.send(.text("Hello"), into: &out)
        #expect(out.bytes == hex("c1 05 f2 00 11 00 00"))
    }

    @Test func rfc7692FragmentedCompressedMessage() {
        // RFC 7692 §7.2.3.1 second example: the compressed "Hello" in two fragments,
        // RSV1 on the first only: "0x41 0x03 0xf2 0x48 0xcd" and "0x80 0x04 0xc9 0xc9 0x07 0x00".
        var client = Self.connection(.client)
        let events = Self.events(&client, hex("41 03 f2 48 cd 80 04 c9 c9 07 00"))
        #expect(events == [.message(Message(opcode: .text, data: buffer("Hello")))])
    }

    @Test(arguments: [Role.client, .server], [false, true])
    func roundTripBothDirections(sender: Role, noContextTakeover: Bool) throws {
        let parameters = PerMessageDeflateParameters(serverNoContextTakeover: noContextTakeover, clientNoContextTakeover: noContextTakeover, serverMaxWindowBits: 10, clientMaxWindowBits: 9)
        var from = Self.connection(sender, parameters)
        var to = Self.connection(sender.peer, parameters)
        for index in 0..<20 {
            let text = String(repeating: "message \(index) κόσμε ", count: index * 10 + 1)
            var out = ByteBuffer()
            try from.sendMessage(opcode: .text, payload: ByteBuffer(string: text), fragmentSize: index % 3 == 0 ? 7 : nil, into: &out)
            // The first frame carries RSV1.
            #expect(out.getInteger(at: 0, as: UInt8.self)! & 0x40 != 0)
            var events: [ConnectionEvent] = []
            to.receive(&out)
            var replies = ByteBuffer()
            while let event = to.nextEvent(replyingInto: &replies) { events.append(event) }
            #expect(replies.readableBytes == 0)
            #expect(events == [.message(Message(opcode: .text, data: ByteBuffer(string: text)))])
        }
    }

    @Test func uncompressedMessagesStillAllowed() {
        // RFC 7692 §6: a message with RSV1 clear is not compressed.
        var client = Self.connection(.client)
        let events = Self.events(&client, hex("81 05 48 65 6c 6c 6f"))
        #expect(events == [.message(Message(opcode: .text, data: buffer("Hello")))])
    }

    @Test func invalidUTF8AfterInflationFailsWith1007() throws {
        // A compressed text message whose inflated bytes are not UTF-8.
        let producer = PerMessageDeflate(parameters: .init(), role: .server)
        let payload = producer.encode(ByteBuffer(bytes: [0x41, 0xFF, 0x42]))!
        var wire = ByteBuffer()
        FrameEncoder.encode(reservedBits: .rsv1, opcode: .text, maskingKey: nil, payload: payload, into: &wire)
        var client = Self.connection(.client)
        let events = Self.events(&client, wire.bytes)
        guard case .failed(let violation) = events.first else {
            Issue.record("expected a failure, got \(events)")
            return
        }
        #expect(violation.reason == .invalidUTF8)
        #expect(violation.closeCode == .invalidPayloadData)
    }

    @Test func corruptCompressedDataFailsWith1007() {
        var client = Self.connection(.client)
        let events = Self.events(&client, hex("c2 04 ff ff ff ff"))
        guard case .failed(let violation) = events.first else {
            Issue.record("expected a failure, got \(events)")
            return
        }
        #expect(violation.reason == .invalidCompressedData)
        #expect(violation.closeCode == .invalidPayloadData)
    }

    @Test func inflateBombFailsWith1009() {
        let producer = PerMessageDeflate(parameters: .init(), role: .server)
        let payload = producer.encode(ByteBuffer(repeating: 0, count: 4 << 20))!
        #expect(payload.readableBytes < 10_000)
        var wire = ByteBuffer()
        FrameEncoder.encode(reservedBits: .rsv1, opcode: .binary, maskingKey: nil, payload: payload, into: &wire)
        var client = Self.connection(.client, maxMessageSize: 1 << 20)
        var replies = ByteBuffer()
        let events = Self.events(&client, wire.bytes, replies: &replies)
        guard case .failed(let violation) = events.first else {
            Issue.record("expected a failure, got \(events)")
            return
        }
        #expect(violation.reason == .inflatedMessageTooLarge(limit: 1 << 20))
        #expect(violation.closeCode == .messageTooBig)
        // The 1009 close frame (masked client frame: 2 header bytes, 4 key bytes, 2 code bytes).
        #expect(replies.readableBytes == 8)
        #expect(replies.getInteger(at: 0, as: UInt8.self) == 0x88)
    }

    @Test func rsv1OnControlFrameIsAProtocolError() {
        var client = Self.connection(.client)
        let events = Self.events(&client, hex("c9 00"))
        #expect(events.first == .failed(ProtocolViolation(.compressedControlFrame, streamOffset: 0)))
    }
}
