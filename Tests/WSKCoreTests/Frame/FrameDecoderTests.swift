import NIOCore
import Testing
@testable import WSKCore

/// Decodes at every two-way split point and one byte at a time; asserts all agree with
/// the unsplit result and returns it.
func decodeEverySplit(
    _ bytes: [UInt8],
    role: Role,
    mode: FrameDecoder.Mode = .strict,
    configuration: WebSocketConfiguration = .init(),
    allowedReservedBits: ReservedBits = [],
    sourceLocation: SourceLocation = #_sourceLocation
) -> DecodeResult {
    let whole = decode(bytes, role: role, mode: mode, configuration: configuration, allowedReservedBits: allowedReservedBits)
    let oneByte = decode(bytes, role: role, chunks: [1], mode: mode, configuration: configuration, allowedReservedBits: allowedReservedBits)
    #expect(oneByte == whole, "one byte at a time", sourceLocation: sourceLocation)
    if bytes.count > 1 {
        for split in 1..<bytes.count {
            let result = decode(bytes, role: role, chunks: [split, bytes.count], mode: mode, configuration: configuration, allowedReservedBits: allowedReservedBits)
            #expect(result == whole, "split at \(split)", sourceLocation: sourceLocation)
        }
    }
    return whole
}

@Suite("Frame decoder: RFC 6455 §5.7 vectors at every split point")
struct FrameDecoderVectorTests {
    @Test func unmaskedHello() {
        let result = decodeEverySplit(hexBytes("81 05 48 65 6c 6c 6f"), role: .client)
        #expect(result.error == nil)
        #expect(result.frames == [SimpleFrame(fin: true, rsv: [], opcode: .text, maskingKey: nil, payload: Array("Hello".utf8), offset: 0)])
    }

    @Test func maskedHello() {
        let result = decodeEverySplit(hexBytes("81 85 37 fa 21 3d 7f 9f 4d 51 58"), role: .server)
        #expect(result.error == nil)
        #expect(result.frames.map(\.payload) == [Array("Hello".utf8)])
        #expect(result.frames.first?.maskingKey == MaskingKey(rawValue: 0x37FA_213D))
    }

    @Test func unmaskedPayloadsHeldByTheCallerNeverChange() throws {
        // The decoder reuses the storage of unmasked payloads once the caller let go of
        // them; payloads still held must keep their bytes, however many frames follow.
        var decoder = FrameDecoder(role: .server, configuration: .init(), mode: .strict)
        var held: [(ByteBuffer, [UInt8])] = []
        for index in 0..<50 {
            let text = Array("message \(index) " .utf8) + [UInt8](repeating: UInt8(index), count: index * 7)
            var wire = ByteBuffer()
            FrameEncoder.encode(opcode: .binary, maskingKey: MaskingKey(rawValue: UInt32(index) &* 0x9E37_79B9), payload: ByteBuffer(bytes: text), into: &wire)
            let frame = try #require(try decoder.nextFrame(from: &wire))
            #expect(Array(frame.frame.payload.readableBytesView) == text)
            if index % 3 == 0 { held.append((frame.frame.payload, text)) }  // the rest is dropped at once
        }
        for (payload, text) in held { #expect(Array(payload.readableBytesView) == text) }
    }

    @Test func fragmentedHello() {
        let result = decodeEverySplit(hexBytes("01 03 48 65 6c 80 02 6c 6f"), role: .client)
        #expect(result.error == nil)
        #expect(result.frames.map(\.opcode) == [.text, .continuation])
        #expect(result.frames.map(\.fin) == [false, true])
        #expect(result.frames.map(\.offset) == [0, 5])
        #expect(result.frames.flatMap(\.payload) == Array("Hello".utf8))
    }

    @Test func pingAndMaskedPong() {
        let ping = decodeEverySplit(hexBytes("89 05 48 65 6c 6c 6f"), role: .client)
        #expect(ping.frames.map(\.opcode) == [.ping])
        #expect(ping.frames.first?.payload == Array("Hello".utf8))
        let pong = decodeEverySplit(hexBytes("8a 85 37 fa 21 3d 7f 9f 4d 51 58"), role: .server)
        #expect(pong.frames.map(\.opcode) == [.pong])
        #expect(pong.frames.first?.payload == Array("Hello".utf8))
    }

    @Test func sixteenBitLength() {
        let payload = (0..<256).map { UInt8($0) }
        let result = decode(hexBytes("82 7e 01 00") + payload, role: .client, chunks: [1])
        #expect(result.frames.first?.payload == payload)
        #expect(result.frames.first?.opcode == .binary)
    }

    @Test func sixtyFourBitLength() {
        let payload = (0..<65536).map { UInt8(truncatingIfNeeded: $0) }
        for chunk in [1, 7, 4096, 70000] {
            let result = decode(hexBytes("82 7f 00 00 00 00 00 01 00 00") + payload, role: .client, chunks: [chunk])
            #expect(result.frames.count == 1)
            #expect(result.frames.first?.payload == payload)
        }
    }

    @Test func controlFramesMayInterleaveFragments() {
        // RFC 6455 §5.4: "Control frames ... MAY be injected in the middle of a fragmented message."
        let bytes = hexBytes("01 03 48 65 6c 89 00 80 02 6c 6f")
        let result = decodeEverySplit(bytes, role: .client)
        #expect(result.error == nil)
        #expect(result.frames.map(\.opcode) == [.text, .ping, .continuation])
    }

    @Test func emptyFramesAndEmptyClose() {
        let result = decodeEverySplit(hexBytes("81 00 82 00 88 00"), role: .client)
        #expect(result.error == nil)
        #expect(result.frames.map(\.opcode) == [.text, .binary, .close])
    }

    @Test func multiByteUTF8SplitAcrossFragments() {
        // "€" = e2 82 ac split across three fragments is valid.
        let result = decodeEverySplit(hexBytes("01 01 e2 00 01 82 80 01 ac"), role: .client)
        #expect(result.error == nil)
        #expect(result.frames.count == 3)
    }

    @Test func streamOffsetsAdvance() {
        var decoder = FrameDecoder(role: .client)
        var bytes = buffer(hex: "81 05 48 65 6c 6c 6f 82 00")
        let first = try! decoder.nextFrame(from: &bytes)
        let second = try! decoder.nextFrame(from: &bytes)
        #expect(first?.streamOffset == 0)
        #expect(first?.headerLength == 2)
        #expect(second?.streamOffset == 7)
        #expect(decoder.streamOffset == 9)
        #expect(try! decoder.nextFrame(from: &bytes) == nil)
    }
}

/// One negative vector: bytes, the role that decodes them, the expected reason, close code
/// and offset.
struct ViolationCase: CustomTestStringConvertible, Sendable {
    var name: String
    var hex: String
    var role: Role
    var reason: ProtocolViolation.Reason
    var closeCode: CloseCode
    var offset: Int
    var allowed: ReservedBits = []
    var testDescription: String { name }
}

@Suite("Frame decoder: every violation, its close code and offset")
struct FrameDecoderViolationTests {
    static let cases: [ViolationCase] = [
        // RFC 6455 §5.2: reserved opcodes.
        ViolationCase(name: "reserved data opcode 0x3", hex: "83 00", role: .client, reason: .reservedOpcode(3), closeCode: .protocolError, offset: 0),
        ViolationCase(name: "reserved control opcode 0xB", hex: "81 00 8b 00", role: .client, reason: .reservedOpcode(0xB), closeCode: .protocolError, offset: 2),
        // RFC 6455 §5.2: RSV bits without an extension.
        ViolationCase(name: "RSV1 without extension", hex: "c1 00", role: .client, reason: .reservedBitsSet(.rsv1), closeCode: .protocolError, offset: 0),
        ViolationCase(name: "RSV2 without extension", hex: "a1 00", role: .client, reason: .reservedBitsSet(.rsv2), closeCode: .protocolError, offset: 0),
        ViolationCase(name: "RSV3 with deflate", hex: "91 00", role: .client, reason: .reservedBitsSet(.rsv3), closeCode: .protocolError, offset: 0, allowed: .rsv1),
        // RFC 6455 §5.5: control frames.
        ViolationCase(name: "fragmented ping", hex: "09 00", role: .client, reason: .fragmentedControlFrame, closeCode: .protocolError, offset: 0),
        ViolationCase(name: "ping over 125 bytes", hex: "89 7e 00 7e" + String(repeating: "00", count: 126), role: .client, reason: .controlFrameTooLong(126), closeCode: .protocolError, offset: 0),
        // RFC 6455 §5.1: masking direction.
        ViolationCase(name: "unmasked client frame", hex: "81 05 48 65 6c 6c 6f", role: .server, reason: .unmaskedClientFrame, closeCode: .protocolError, offset: 0),
        ViolationCase(name: "masked server frame", hex: "81 85 37 fa 21 3d 7f 9f 4d 51 58", role: .client, reason: .maskedServerFrame, closeCode: .protocolError, offset: 0),
        // RFC 6455 §5.4: fragmentation sequence.
        ViolationCase(name: "continuation without a message", hex: "80 00", role: .client, reason: .unexpectedContinuation, closeCode: .protocolError, offset: 0),
        ViolationCase(name: "new data frame inside a message", hex: "01 01 41 81 01 42", role: .client, reason: .expectedContinuation(got: .text), closeCode: .protocolError, offset: 3),
        ViolationCase(name: "binary inside a text message", hex: "01 00 82 00", role: .client, reason: .expectedContinuation(got: .binary), closeCode: .protocolError, offset: 2),
        // RFC 6455 §5.2: lengths (NIO's regression vector for the high bit).
        ViolationCase(name: "64-bit length with MSB set", hex: "82 7f 80 00 00 00 00 00 00 01", role: .client, reason: .lengthHighBitSet, closeCode: .protocolError, offset: 0),
        ViolationCase(name: "16-bit length for 5 bytes", hex: "81 7e 00 05 48 65 6c 6c 6f", role: .client, reason: .nonMinimalLength, closeCode: .protocolError, offset: 0),
        ViolationCase(name: "64-bit length for 5 bytes", hex: "81 7f 00 00 00 00 00 00 00 05 48 65 6c 6c 6f", role: .client, reason: .nonMinimalLength, closeCode: .protocolError, offset: 0),
        // RFC 6455 §8.1: UTF-8, failing at the first bad byte.
        ViolationCase(name: "invalid UTF-8 byte in a single frame", hex: "81 04 41 42 ff 43", role: .client, reason: .invalidUTF8, closeCode: .invalidPayloadData, offset: 4),
        ViolationCase(name: "invalid UTF-8 in the first fragment, before the message ends", hex: "01 03 41 c0 80", role: .client, reason: .invalidUTF8, closeCode: .invalidPayloadData, offset: 3),
        ViolationCase(name: "invalid UTF-8 split across fragments", hex: "01 01 e2 00 01 28", role: .client, reason: .invalidUTF8, closeCode: .invalidPayloadData, offset: 5),
        ViolationCase(name: "surrogate in a masked fragment", hex: "01 83 00 00 00 00 ed a0 80", role: .server, reason: .invalidUTF8, closeCode: .invalidPayloadData, offset: 7),
        ViolationCase(name: "truncated sequence at message end", hex: "81 02 41 e2", role: .client, reason: .invalidUTF8, closeCode: .invalidPayloadData, offset: 4),
        // RFC 6455 §5.5.1 and §7.4: close payloads.
        ViolationCase(name: "1-byte close payload", hex: "88 01 03", role: .client, reason: .invalidClosePayloadLength, closeCode: .protocolError, offset: 0),
        ViolationCase(name: "close code 999", hex: "88 02 03 e7", role: .client, reason: .invalidCloseCode(999), closeCode: .protocolError, offset: 0),
        ViolationCase(name: "close code 1004", hex: "88 02 03 ec", role: .client, reason: .invalidCloseCode(1004), closeCode: .protocolError, offset: 0),
        ViolationCase(name: "close code 1005", hex: "88 02 03 ed", role: .client, reason: .invalidCloseCode(1005), closeCode: .protocolError, offset: 0),
        ViolationCase(name: "close code 1006", hex: "88 02 03 ee", role: .client, reason: .invalidCloseCode(1006), closeCode: .protocolError, offset: 0),
        ViolationCase(name: "close code 1015", hex: "88 02 03 f7", role: .client, reason: .invalidCloseCode(1015), closeCode: .protocolError, offset: 0),
        ViolationCase(name: "close code 1016", hex: "88 02 03 f8", role: .client, reason: .invalidCloseCode(1016), closeCode: .protocolError, offset: 0),
        ViolationCase(name: "close code 2999", hex: "88 02 0b b7", role: .client, reason: .invalidCloseCode(2999), closeCode: .protocolError, offset: 0),
        ViolationCase(name: "close code 5000", hex: "88 02 13 88", role: .client, reason: .invalidCloseCode(5000), closeCode: .protocolError, offset: 0),
        ViolationCase(name: "close code 0", hex: "88 02 00 00", role: .client, reason: .invalidCloseCode(0), closeCode: .protocolError, offset: 0),
        ViolationCase(name: "close reason not UTF-8", hex: "88 04 03 e8 ff fe", role: .client, reason: .invalidCloseReasonUTF8, closeCode: .invalidPayloadData, offset: 0),
        ViolationCase(name: "frame after close", hex: "88 02 03 e8 81 00", role: .client, reason: .frameAfterClose, closeCode: .protocolError, offset: 4),
        // RFC 7692 §6.1: RSV1 rules with permessage-deflate negotiated.
        ViolationCase(name: "compressed ping", hex: "c9 00", role: .client, reason: .compressedControlFrame, closeCode: .protocolError, offset: 0, allowed: .rsv1),
        ViolationCase(name: "compressed continuation", hex: "01 00 c0 00", role: .client, reason: .compressedContinuation, closeCode: .protocolError, offset: 2, allowed: .rsv1),
    ]

    @Test(arguments: cases)
    func strictModeReportsViolation(_ vector: ViolationCase) {
        let result = decodeEverySplit(hexBytes(vector.hex), role: vector.role, allowedReservedBits: vector.allowed)
        #expect(result.error?.reason == vector.reason)
        #expect(result.error?.closeCode == vector.closeCode)
        #expect(result.error?.streamOffset == vector.offset)
    }

    @Test(arguments: cases)
    func inspectModeReportsTheSameViolation(_ vector: ViolationCase) {
        let result = decodeEverySplit(hexBytes(vector.hex), role: vector.role, mode: .inspect, allowedReservedBits: vector.allowed)
        #expect(result.violations.first?.reason == vector.reason)
        #expect(result.violations.first?.closeCode == vector.closeCode)
        #expect(result.violations.first?.streamOffset == vector.offset)
    }

    @Test func failedDecoderKeepsFailing() {
        var decoder = FrameDecoder(role: .client)
        var bytes = buffer(hex: "83 00 81 00")
        #expect(throws: ProtocolViolation(.reservedOpcode(3), streamOffset: 0)) { try decoder.nextFrame(from: &bytes) }
        #expect(throws: ProtocolViolation(.reservedOpcode(3), streamOffset: 0)) { try decoder.nextFrame(from: &bytes) }
    }

    @Test func inspectModeCarriesOnAfterViolations() {
        // reserved opcode, an unmasked client frame and a bad continuation, then a good frame.
        let bytes = hexBytes("83 00 80 00 81 82 00 00 00 00 4f 4b")
        let result = decodeEverySplit(bytes, role: .server, mode: .inspect)
        #expect(result.error?.reason == nil)
        #expect(result.violations.map(\.reason) == [.reservedOpcode(3), .unmaskedClientFrame, .unmaskedClientFrame, .unexpectedContinuation])
        #expect(result.frames.map(\.opcode) == [Opcode(rawValue: 3)!, .continuation, .text])
        #expect(result.frames.last?.payload == Array("OK".utf8))
    }

    @Test func frameSizeLimitIsCheckedAtHeaderTime() {
        var configuration = WebSocketConfiguration()
        configuration.maxFrameSize = 100
        // Only the header arrives: the decoder must refuse before any payload is buffered.
        let result = decode(hexBytes("82 7e 00 65"), role: .client, configuration: configuration)
        #expect(result.error?.reason == .frameTooLarge(size: 101, limit: 100))
        #expect(result.error?.closeCode == .messageTooBig)
        #expect(result.error?.streamOffset == 0)
    }

    @Test func hugeLengthIsRefusedWithoutAllocating() {
        // 2^62 bytes announced: refused by the default 16 MiB limit from the header alone.
        let result = decode(hexBytes("82 7f 40 00 00 00 00 00 00 00"), role: .client)
        #expect(result.error?.closeCode == .messageTooBig)
    }

    @Test func messageSizeLimitCountsFragments() {
        var configuration = WebSocketConfiguration()
        configuration.maxMessageSize = 10
        let bytes = hexBytes("02 06 00 00 00 00 00 00 80 05 00 00 00 00 00")
        let result = decodeEverySplit(bytes, role: .client, configuration: configuration)
        #expect(result.error?.reason == .messageTooLarge(size: 11, limit: 10))
        #expect(result.error?.closeCode == .messageTooBig)
        #expect(result.error?.streamOffset == 8)
        #expect(result.frames.count == 1)
    }

    @Test func lenientLengthsWhenConfigured() {
        var configuration = WebSocketConfiguration()
        configuration.requireMinimalLengths = false
        let result = decode(hexBytes("81 7e 00 05 48 65 6c 6c 6f"), role: .client, configuration: configuration)
        #expect(result.error == nil)
        #expect(result.frames.first?.payload == Array("Hello".utf8))
    }

    @Test func utf8FailsFastInsideAPartiallyReceivedFrame() {
        // A 1000-byte text frame whose 3rd payload byte is invalid: the violation surfaces
        // when only 5 bytes have arrived, not when the frame completes.
        var decoder = FrameDecoder(role: .client)
        var bytes = buffer(hex: "81 7e 03 e8 41 42 ff")
        #expect(throws: ProtocolViolation(.invalidUTF8, streamOffset: 6)) { try decoder.nextFrame(from: &bytes) }
    }

    @Test func compressedTextIsNotValidatedByTheDecoder() {
        // With permessage-deflate, the bytes are compressed; UTF-8 is checked after inflation.
        let result = decode(hexBytes("c1 07 f2 48 cd c9 c9 07 00"), role: .client, allowedReservedBits: .rsv1)
        #expect(result.error == nil)
        #expect(result.frames.first?.rsv == .rsv1)
    }
}
