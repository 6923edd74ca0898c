import Testing

@testable import WSKCapture

@Suite struct TCPReassemblerTests {
    func segment(_ t: TestSegment) -> TCPSegment {
        PacketDecoder.tcpSegment(inIP: t.ipBytes()[...])!
    }

    /// The bytes each direction delivered, and the events that were not data.
    func run(_ segments: [TestSegment]) -> (client: [UInt8], server: [UInt8], other: [TCPReassembler.Event]) {
        var reassembler = TCPReassembler()
        var client: [UInt8] = [], server: [UInt8] = [], other: [TCPReassembler.Event] = []
        for event in segments.flatMap({ reassembler.process(segment($0)) }) + reassembler.finish() {
            if case .data(_, let direction, let offset, let bytes) = event {
                if direction == .clientToServer {
                    #expect(offset == client.count)
                    client += bytes
                } else {
                    #expect(offset == server.count)
                    server += bytes
                }
            } else {
                other.append(event)
            }
        }
        return (client, server, other)
    }

    @Test func inOrderStreamsInBothDirections() {
        var c = Conversation()
        var segments = c.open()
        segments.append(c.send(Array("hello ".utf8), fromClient: true))
        segments.append(c.send(Array("world".utf8), fromClient: true))
        segments.append(c.send(Array("reply".utf8), fromClient: false))
        let result = run(segments)
        #expect(String(decoding: result.client, as: UTF8.self) == "hello world")
        #expect(String(decoding: result.server, as: UTF8.self) == "reply")
        guard case .opened(let connection) = result.other.first else {
            Issue.record("no opened event")
            return
        }
        #expect(connection.client.port == 40000)
        #expect(connection.server.port == 8080)
    }

    @Test func outOfOrderRetransmittedAndOverlappingSegments() {
        var c = Conversation()
        var segments = c.open()
        let a = c.send(Array("AAAA".utf8), fromClient: true)
        let b = c.send(Array("BBBB".utf8), fromClient: true)
        let d = c.send(Array("CCCC".utf8), fromClient: true)
        var overlap = b  // "BBCC" starting in the middle of b: overlaps b and d
        overlap.sequence = b.sequence &+ 2
        overlap.payload = Array("BBCC".utf8)
        // d first, then a retransmission of d, then a, a again, the overlap, then b.
        segments += [d, d, a, a, overlap, b]
        let result = run(segments)
        #expect(String(decoding: result.client, as: UTF8.self) == "AAAABBBBCCCC")
        #expect(result.other.count == 1)  // only .opened: no gap
    }

    @Test func sequenceNumbersWrapAround() {
        var c = Conversation()
        c.clientSequence = 0xFFFF_FFFA
        var segments = c.open()
        let first = c.send(Array("0123456".utf8), fromClient: true)  // crosses 2^32
        let second = c.send(Array("789".utf8), fromClient: true)
        segments += [second, first]
        #expect(String(decoding: run(segments).client, as: UTF8.self) == "0123456789")
    }

    @Test func aHoleThatIsNeverFilledIsReportedAsAGap() {
        var c = Conversation()
        var segments = c.open()
        segments.append(c.send(Array("ok".utf8), fromClient: true))
        _ = c.send(Array("lost".utf8), fromClient: true)
        segments.append(c.send(Array("late".utf8), fromClient: true))
        let result = run(segments)
        #expect(String(decoding: result.client, as: UTF8.self) == "ok")
        #expect(result.other.contains(.gap(connection: 1, direction: .clientToServer, offset: 2, length: 4)))
    }

    @Test func midStreamCaptureStartsAtTheFirstSegmentSeen() {
        var c = Conversation()
        _ = c.open()
        let segments = [c.send(Array("abc".utf8), fromClient: true), c.send(Array("xyz".utf8), fromClient: false)]
        let result = run(segments)
        #expect(result.client == Array("abc".utf8))
        #expect(result.server == Array("xyz".utf8))
    }

    @Test func portReuseAfterFINStartsANewConnection() {
        var c = Conversation()
        var segments = c.open()
        segments.append(c.send(Array("one".utf8), fromClient: true))
        segments.append(TestSegment(source: c.client, destination: c.server, sequence: c.clientSequence, flags: 0x11))
        segments.append(TestSegment(source: c.server, destination: c.client, sequence: c.serverSequence, flags: 0x11))
        var again = Conversation()
        again.clientSequence = 90000
        segments += again.open()
        segments.append(again.send(Array("two".utf8), fromClient: true))
        var reassembler = TCPReassembler()
        var connections: [Int: [UInt8]] = [:]
        for event in segments.flatMap({ reassembler.process(segment($0)) }) {
            if case .data(let number, _, _, let bytes) = event { connections[number, default: []] += bytes }
        }
        #expect(connections[1] == Array("one".utf8))
        #expect(connections[2] == Array("two".utf8))
    }
}
