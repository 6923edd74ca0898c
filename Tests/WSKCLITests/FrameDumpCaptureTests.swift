import Foundation
import Testing

@testable import WSKCLI

/// `frame-dump --pcap` against captures recorded from Python `websockets` and Node `ws`
/// (scripts/record-captures.sh), compared field by field with what tshark's WebSocket
/// dissector reported for the same files; and against hand-built captures.
@Suite struct FrameDumpCaptureTests {
    static let captures = ["py-websockets-deflate.pcapng", "node-ws.pcap", "node-ws-deflate-any.pcapng"]

    @Test(arguments: captures)
    func framesAgreeWithTshark(capture: String) throws {
        let bytes = try resourceBytes("Captures/\(capture)")
        let result = try frameDump(["--pcap", capture, "--json", "--full"], input: bytes)
        let ours = try jsonLines(result.output)
        let stem = capture.split(separator: ".").first!
        let tshark = try String(contentsOf: resourcesURL.appendingPathComponent("Captures/\(stem).tshark.jsonl"), encoding: .utf8)
        let theirs = try jsonLines(tshark)
        #expect(result.summary.violations == 0)
        #expect(result.summary.connections == 1)
        #expect(ours.first?["type"] as? String == "handshake")

        // Inflated text per message offset, to compare with tshark's decompressed text.
        var messages: [String: String] = [:]
        for object in ours where object["type"] as? String == "message" {
            messages["\(object["direction"]!)@\(object["offset"]!)"] = object["payload_text"] as? String
        }
        for direction in ["client", "server"] {
            let mine = ours.filter { $0["type"] as? String == "frame" && $0["direction"] as? String == direction }
            let reference = theirs.filter { $0["direction"] as? String == direction }
            #expect(mine.count == reference.count, "\(direction) frame count")
            #expect(!mine.isEmpty)
            for (a, b) in zip(mine, reference) {
                let at = "\(capture) \(direction) frame \(b["frame_number"]!)"
                #expect(a["opcode"] as? Int == b["opcode"] as? Int, "\(at): opcode")
                #expect(a["fin"] as? Bool == b["fin"] as? Bool, "\(at): FIN")
                #expect(a["rsv1"] as? Bool == b["rsv1"] as? Bool, "\(at): RSV1")
                #expect(a["masked"] as? Bool == b["masked"] as? Bool, "\(at): mask bit")
                #expect(a["mask"] as? String == b["mask"] as? String, "\(at): masking key")
                #expect(a["length"] as? Int == b["length"] as? Int, "\(at): length")
                #expect(a["payload_hex"] as? String == b["payload_hex"] as? String, "\(at): unmasked payload")
                if let code = b["close_code"] as? Int {
                    #expect(a["close_code"] as? Int == code, "\(at): close code")
                    #expect(a["close_reason"] as? String == (b["close_reason"] as? String ?? ""), "\(at): close reason")
                }
                // tshark shows text messages decompressed; compare single-frame messages.
                if let text = b["text"] as? String, b["fin"] as? Bool == true, b["opcode"] as? Int == 1 {
                    let key = "\(direction)@\(a["offset"]!)"
                    let shown = (b["rsv1"] as? Bool == true) ? messages[key] : a["payload_text"] as? String
                    #expect(shown == text, "\(at): text")
                }
            }
        }
    }

    @Test func handshakeIsReportedWithTheNegotiatedExtension() throws {
        let bytes = try resourceBytes("Captures/py-websockets-deflate.pcapng")
        let result = try frameDump(["--pcap", "x"], input: bytes)
        #expect(result.output.contains("== connection 1: 127.0.0.1:"))
        #expect(result.output.contains("   GET /chat HTTP/1.1"))
        #expect(result.output.contains("   HTTP/1.1 101 Switching Protocols"))
        #expect(result.output.contains("permessage-deflate: server_max_window_bits=12, client_max_window_bits=12"))
        #expect(result.output.contains("message text, 1 frame, len 5 → 15 inflated  \"Hello, deflate!\""))  // shared window
    }

    @Test func portFilter() throws {
        let bytes = try resourceBytes("Captures/node-ws.pcap")
        let none = try frameDump(["--pcap", "x", "--port", "1"], input: bytes)
        #expect(none.output == "# totals: frames 0  messages 0  payload 0 bytes  input 0 bytes  violations 0\n", "\(none.output)")
        #expect(none.summary.frames == 0)
    }

    // MARK: - Hand-built captures

    static let request = Array(
        "GET /x HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8
    )
    static let response = Array(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n".utf8
    )
    static let maskedHello: [UInt8] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
    static let serverFrames: [UInt8] = [0x81, 0x02, 0x68, 0x69, 0x88, 0x02, 0x03, 0xe8]

    /// Handshake, then client frames split across segments, delivered out of order with
    /// retransmissions; the server's frames in one segment.
    func conversation(ipv6: Bool = false) -> [TestSegment] {
        var c = Conversation()
        if ipv6 {
            c.client.address = [UInt8](repeating: 0, count: 15) + [1]
            c.server.address = [UInt8](repeating: 0, count: 15) + [1]
        }
        var segments = c.open()
        segments.append(c.send(Self.request, fromClient: true))
        segments.append(c.send(Self.response, fromClient: false))
        let clientBytes = Self.maskedHello + [0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]
        let first = c.send(Array(clientBytes[0..<4]), fromClient: true)
        let second = c.send(Array(clientBytes[4..<9]), fromClient: true)
        let third = c.send(Array(clientBytes[9...]), fromClient: true)
        segments += [third, second, third, first, second]  // out of order, retransmitted
        segments.append(c.send(Self.serverFrames, fromClient: false))
        return segments
    }

    func check(_ output: String, summary: DumpSummary) throws {
        #expect(summary.connections == 1)
        #expect(summary.frames == 4)
        #expect(summary.violations == 0, "\(output)")
        let lines = try jsonLines(output).filter { $0["type"] as? String == "frame" }
        let client = lines.filter { $0["direction"] as? String == "client" }
        #expect(client.map { $0["payload_text"] as? String } == ["Hello", nil])
        #expect(client.map { $0["offset"] as? Int } == [Self.request.count, Self.request.count + 11])
        #expect(client.last?["close_code"] as? Int == 1000)
        let server = lines.filter { $0["direction"] as? String == "server" }
        #expect(server.first?["payload_text"] as? String == "hi")
        #expect(server.first?["offset"] as? Int == Self.response.count)
    }

    @Test(arguments: [TestLink.ethernet, .ethernetVLAN, .null, .loop, .sll, .sll2, .raw])
    func outOfOrderAndRetransmittedSegmentsInEveryLinkType(link: TestLink) throws {
        for ipv6 in [false, true] {
            let frames = conversation(ipv6: ipv6).map { link.wrap($0.ipBytes(extensionHeader: ipv6)) }
            let pcap = pcapFile(frames, linkType: link.linkType)
            let result = try frameDump(["--pcap", "x", "--json"], input: pcap)
            try check(result.output, summary: result.summary)
        }
    }

    @Test func pcapngWithLinuxCookedV2() throws {
        let frames = conversation().map { (interface: 0, bytes: TestLink.sll2.wrap($0.ipBytes()), simple: false) }
        let result = try frameDump(["--pcap", "x", "--json"], input: pcapngFile(interfaces: [276], frames: frames))
        try check(result.output, summary: result.summary)
    }

    @Test func aWrongAcceptKeyIsAHandshakeViolation() throws {
        var c = Conversation()
        var segments = c.open()
        segments.append(c.send(Self.request, fromClient: true))
        let wrong = String(decoding: Self.response, as: UTF8.self).replacingOccurrences(of: "s3pPLM", with: "AAAAAA")
        segments.append(c.send(Array(wrong.utf8), fromClient: false))
        let pcap = pcapFile(segments.map { TestLink.raw.wrap($0.ipBytes()) }, linkType: 101)
        let result = try frameDump(["--pcap", "x"], input: pcap)
        #expect(result.output.contains("! handshake-accept-key: Sec-WebSocket-Accept is \"AAAAAABiTxaQ9kYGzzhZRbK+xOo=\""))
        #expect(result.summary.violations == 1)
        let quiet = try frameDump(["--pcap", "x", "--quiet"], input: pcap)
        #expect(quiet.output.hasPrefix("! handshake-accept-key"), "\(quiet.output)")
    }

    @Test func aLostSegmentStopsThatDirectionWithANote() throws {
        var segments = conversation()
        segments.remove(at: 8)  // drop the client's first frame segment and its retransmission
        segments.removeAll { $0.payload == Array(Self.maskedHello[0..<4]) }
        let pcap = pcapFile(segments.map { TestLink.raw.wrap($0.ipBytes()) }, linkType: 101)
        let result = try frameDump(["--pcap", "x"], input: pcap)
        #expect(result.output.contains("# #1 4 bytes missing from the capture; client frames stop here at offset \(Self.request.count)"), "\(result.output)")
    }

    @Test func notACaptureIsAnInputError() {
        #expect(throws: FrameDumper.InputError.self) { try frameDump(["--pcap", "x"], input: [0x81, 0x05, 0, 0, 0]) }
    }
}
