import Foundation
import Testing

@testable import WSKCLI

/// frame-dump never skips in silence: a capture connection it cannot decode gets a note
/// saying why, counted as a problem that fails --strict; --assume-ws decodes a capture
/// that starts after the handshake.
@Suite struct FrameDumpUndecodableTests {
    static let maskedHello: [UInt8] = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
    static let serverHi: [UInt8] = [0x81, 0x02, 0x68, 0x69]

    /// A connection whose capture starts after the handshake: frames only, no SYN.
    static func midstream() -> [UInt8] {
        var c = Conversation()
        let segments = [
            c.send(maskedHello, fromClient: true), c.send(serverHi, fromClient: false),
            c.send(maskedHello, fromClient: true), c.send(serverHi, fromClient: false),
        ]
        return pcapFile(segments.map { TestLink.raw.wrap($0.ipBytes()) }, linkType: 101)
    }

    @Test func aCaptureThatStartsAfterTheHandshakeIsExplainedAndDecodedWithAssumeWS() throws {
        let plain = try frameDump(["--pcap", "x"], input: Self.midstream())
        #expect(plain.output.contains("# #1 no HTTP upgrade in the capture (it starts after the handshake?): frames not decoded; --assume-ws decodes them"), "\(plain.output)")
        #expect(plain.summary.problems == 1 && plain.summary.frames == 0)

        let assumed = try frameDump(["--pcap", "x", "--assume-ws"], input: Self.midstream())
        #expect(assumed.summary.frames == 4, "\(assumed.output)")
        #expect(assumed.summary.problems == 0)
        #expect(assumed.output.contains("#1        0  client  FIN ---  text         mask 37fa213d  len 5      \"Hello\""), "\(assumed.output)")
        #expect(assumed.output.contains("#1        4  server  FIN ---  text         unmasked       len 2      \"hi\""), "\(assumed.output)")

        // The exit status: --strict fails on the undecoded connection, not once decoded.
        if wskExecutable != nil {
            #expect(try runWSK(["frame-dump", "--pcap", "-", "--strict"], input: Self.midstream()).status == 1)
            #expect(try runWSK(["frame-dump", "--pcap", "-", "--strict", "--assume-ws"], input: Self.midstream()).status == 0)
        }
    }

    @Test func anEncryptedConnectionIsNamed() throws {
        var c = Conversation()
        var segments = c.open()
        segments.append(c.send([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00], fromClient: true))
        segments.append(c.send([0x16, 0x03, 0x03, 0x00, 0x02, 0x02, 0x00], fromClient: false))
        let pcap = pcapFile(segments.map { TestLink.raw.wrap($0.ipBytes()) }, linkType: 101)
        let result = try frameDump(["--pcap", "x", "--json"], input: pcap)
        let notes = try jsonLines(result.output).filter { $0["type"] as? String == "note" }
        #expect(notes.map { $0["kind"] as? String } == ["encrypted"], "\(result.output)")
        #expect(notes.first?["problem"] as? Bool == true)
        #expect(result.summary.problems == 1)
    }

    @Test func packetsCutByTheSnapLengthAreNamed() throws {
        var c = Conversation()
        var segments = c.open()
        segments.append(c.send(Array("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n".utf8), fromClient: true))
        // 20 bytes of IP header, 20 of TCP, 20 of payload kept.
        let pcap = pcapFile(segments.map { TestLink.raw.wrap($0.ipBytes()) }, linkType: 101, snapLength: 60)
        let result = try frameDump(["--pcap", "x"], input: pcap)
        #expect(result.output.contains("# #1 1 packet was cut by the capture's snap length (60 bytes kept)"), "\(result.output)")
        #expect(result.summary.problems == 1)
    }

    @Test func aCaptureFileCutShortIsNamedAndWhatCameBeforeIsDecoded() throws {
        var c = Conversation()
        var segments = c.open()
        segments.append(c.send(Array("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8), fromClient: true))
        segments.append(c.send(Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n".utf8), fromClient: false))
        segments.append(c.send(Self.serverHi, fromClient: false))
        segments.append(c.send(Self.serverHi, fromClient: false))
        let whole = pcapFile(segments.map { TestLink.raw.wrap($0.ipBytes()) }, linkType: 101)
        let cut = Array(whole.dropLast(3))
        let result = try frameDump(["--pcap", "x"], input: cut)
        // The last record: a 16-byte record header and 44 bytes of IP, TCP and frame.
        #expect(result.output.hasPrefix("# input ends inside a packet record at byte \(whole.count - 60) (57 bytes left over)"), "\(result.output)")
        #expect(result.summary.frames == 1)
        #expect(result.summary.problems == 1)
        #expect(try frameDump(["--pcap", "x"], input: whole).summary.problems == 0)
    }

    @Test func aStreamThatEndsInsideAFrameFailsStrict() throws {
        let result = try frameDump(hex: "81 05 48 65 6c")
        #expect(result.summary.problems == 1)
        #expect(result.output.contains("server stream ends inside a frame (5 bytes of it present) at offset 0"))
        if wskExecutable != nil {
            #expect(try runWSK(["frame-dump", "--hex", "--strict"], input: Array("81 05 48 65 6c".utf8)).status == 1)
            #expect(try runWSK(["frame-dump", "--hex", "--strict"], input: Array("81 05 48 65 6c 6c 6f".utf8)).status == 0)
        }
    }

    @Test func captureFramesCarryTheirPacketTimeAndTheTotalsCloseTheOutput() throws {
        var c = Conversation()
        var segments = c.open()
        segments.append(c.send(Array("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8), fromClient: true))
        segments.append(c.send(Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n".utf8), fromClient: false))
        segments.append(c.send(Self.serverHi, fromClient: false))  // packet 6: 1_700_000_000 s + 5 µs
        segments.append(c.send(Self.maskedHello, fromClient: true))  // packet 7: + 6 µs
        let pcap = pcapFile(segments.map { TestLink.raw.wrap($0.ipBytes()) }, linkType: 101)
        let text = try frameDump(["--pcap", "x"], input: pcap)
        #expect(text.output.contains("#1 22:13:20.000005      129  server  FIN ---  text"), "\(text.output)")
        #expect(text.output.hasSuffix("# totals: frames 2 (text 2)  messages 2  payload 7 bytes  input \(text.summary.inputBytes) bytes  connections 1  client: frames 1, messages 1, 5 bytes  server: frames 1, messages 1, 2 bytes  violations 0\n"), "\(text.output)")
        let json = try jsonLines(try frameDump(["--pcap", "x", "--json"], input: pcap).output)
        let frames = json.filter { $0["type"] as? String == "frame" }
        #expect(frames.map { $0["time"] as? String } == ["2023-11-14T22:13:20.000005Z", "2023-11-14T22:13:20.000006Z"])
        let totals = try #require(json.last)
        #expect(totals["type"] as? String == "summary")
        #expect((totals["client"] as? [String: Any])?["frames"] as? Int == 1)
        #expect((totals["server"] as? [String: Any])?["payload_bytes"] as? Int == 2)
    }
}
