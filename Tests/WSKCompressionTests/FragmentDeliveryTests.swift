import NIOCore
import Testing
import WSKCompression
import WSKCore

/// Fragments delivered as they arrive (`deliversFragments`, for relays) and fragments sent
/// one by one with compression: boundaries kept, bytes unchanged, the rules still applied.
@Suite("Fragment delivery and compressed fragment sending")
struct FragmentDeliveryTests {
    static func connection(_ role: Role, deflate: PerMessageDeflateParameters?, fragments: Bool, maxMessageSize: Int = 1 << 20) -> Connection {
        var configuration = WebSocketConfiguration()
        configuration.deliversFragments = fragments
        configuration.maxMessageSize = maxMessageSize
        return Connection(
            role: role,
            configuration: configuration,
            extensions: deflate.map { [PerMessageDeflate(parameters: $0, role: role)] } ?? [],
            randomNumberGenerator: SplitMix64(state: 5)
        )
    }

    static func events(_ connection: inout Connection, _ wire: inout ByteBuffer) -> [ConnectionEvent] {
        connection.receive(&wire)
        var replies = ByteBuffer()
        var events: [ConnectionEvent] = []
        while let event = connection.nextEvent(replyingInto: &replies) { events.append(event) }
        return events
    }

    @Test func uncompressedFragmentsKeepTheirBoundaries() throws {
        var client = Self.connection(.client, deflate: nil, fragments: false)
        var server = Self.connection(.server, deflate: nil, fragments: true)
        var wire = ByteBuffer()
        try client.sendFragment(opcode: .text, payload: buffer("Hé"), isFinal: false, into: &wire)
        try client.send(.ping(buffer("in between")), into: &wire)
        try client.sendFragment(opcode: .continuation, payload: buffer(""), isFinal: false, into: &wire)
        try client.sendFragment(opcode: .continuation, payload: buffer("llo"), isFinal: true, into: &wire)
        try client.send(.binary(buffer([1, 2, 3])), into: &wire)
        #expect(Self.events(&server, &wire) == [
            .message(Message(opcode: .text, data: buffer("Hé"), isFinal: false)),
            .ping(buffer("in between")),
            .message(Message(opcode: .continuation, data: buffer(""), isFinal: false)),
            .message(Message(opcode: .continuation, data: buffer("llo"), isFinal: true)),
            .message(Message(opcode: .binary, data: buffer([1, 2, 3]))),
        ])
    }

    @Test func aTextFragmentMayEndInsideACharacterButTheMessageMustBeUTF8() throws {
        let e9 = Array("é".utf8)
        var server = Self.connection(.server, deflate: nil, fragments: true)
        var client = Self.connection(.client, deflate: nil, fragments: false)
        var wire = ByteBuffer()
        try client.sendFragment(opcode: .text, payload: buffer([e9[0]]), isFinal: false, into: &wire)
        try client.sendFragment(opcode: .continuation, payload: buffer([e9[1]]), isFinal: true, into: &wire)
        #expect(Self.events(&server, &wire).count == 2)
        try client.sendFragment(opcode: .text, payload: buffer([0x41, 0xFF]), isFinal: false, into: &wire)
        let events = Self.events(&server, &wire)
        guard case .failed(let violation) = events.first else {
            Issue.record("expected a violation, got \(events)")
            return
        }
        #expect(violation.closeCode == .invalidPayloadData)
    }

    @Test(arguments: [false, true], [9, 15])
    func compressedFragmentsRoundTripBothWays(noContextTakeover: Bool, windowBits: Int) throws {
        // Sent fragment by fragment with compression; received both as fragments (whose
        // bytes concatenate to the message) and as whole messages, several messages in a
        // row so the window (or its reset) carries over.
        let parameters = PerMessageDeflateParameters(
            serverNoContextTakeover: noContextTakeover, clientNoContextTakeover: noContextTakeover,
            serverMaxWindowBits: windowBits, clientMaxWindowBits: windowBits)
        var sender = Self.connection(.client, deflate: parameters, fragments: false)
        var relay = Self.connection(.server, deflate: parameters, fragments: true)
        var whole = Self.connection(.server, deflate: parameters, fragments: false)
        for index in 0..<12 {
            let text = String(decoding: wordSoup(200 * index + 3, seed: UInt64(index)), as: UTF8.self) + "κόσμε"
            let bytes = Array(text.utf8)
            // Splits at odd places, an empty fragment among them, and an empty last one
            // every other message (what Python websockets sends for a streamed message).
            let cuts = index % 2 == 0
                ? [0, min(5, bytes.count), min(5, bytes.count), bytes.count / 2, bytes.count]
                : [0, min(5, bytes.count), bytes.count / 2, bytes.count, bytes.count]
            var wire = ByteBuffer()
            for piece in 0..<(cuts.count - 1) {
                let chunk = Array(bytes[cuts[piece]..<cuts[piece + 1]])
                try sender.sendFragment(opcode: piece == 0 ? .text : .continuation, payload: buffer(chunk), isFinal: piece == cuts.count - 2, into: &wire)
            }
            #expect(wire.getInteger(at: 0, as: UInt8.self)! & 0x40 != 0, "RSV1 on the first frame")
            var copy = wire
            let fragments = Self.events(&relay, &wire)
            #expect(fragments.count == cuts.count - 1, "\(fragments)")
            var joined: [UInt8] = []
            for (position, event) in fragments.enumerated() {
                guard case .message(let fragment) = event else {
                    Issue.record("not a fragment: \(event)")
                    continue
                }
                #expect(fragment.opcode == (position == 0 ? .text : .continuation))
                #expect(fragment.isFinal == (position == fragments.count - 1))
                joined += fragment.data.bytes
            }
            #expect(joined == bytes)
            #expect(Self.events(&whole, &copy) == [.message(Message(opcode: .text, data: ByteBuffer(string: text)))])
        }
    }

    @Test func compressedFragmentsStillObeyTheMessageLimit() throws {
        var sender = Self.connection(.client, deflate: .init(), fragments: false)
        var relay = Self.connection(.server, deflate: .init(), fragments: true, maxMessageSize: 1000)
        var wire = ByteBuffer()
        try sender.sendFragment(opcode: .binary, payload: ByteBuffer(repeating: 0, count: 800), isFinal: false, into: &wire)
        try sender.sendFragment(opcode: .continuation, payload: ByteBuffer(repeating: 0, count: 800), isFinal: true, into: &wire)
        let events = Self.events(&relay, &wire)
        #expect(events.contains { if case .failed(let violation) = $0 { return violation.closeCode == .messageTooBig } else { return false } }, "\(events)")
    }
}
