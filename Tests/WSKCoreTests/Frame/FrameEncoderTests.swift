import NIOCore
import Testing
@testable import WSKCore

@Suite("Frame encoder: RFC 6455 §5.7 vectors byte-exact")
struct FrameEncoderTests {
    func encoded(_ frame: Frame) -> [UInt8] {
        var out = ByteBuffer()
        FrameEncoder.encode(frame, into: &out)
        return out.bytes
    }

    @Test func unmaskedHello() {
        #expect(encoded(Frame(opcode: .text, payload: buffer("Hello"))) == hexBytes("81 05 48 65 6c 6c 6f"))
    }

    @Test func maskedHello() {
        let frame = Frame(opcode: .text, maskingKey: MaskingKey(rawValue: 0x37FA_213D), payload: buffer("Hello"))
        #expect(encoded(frame) == hexBytes("81 85 37 fa 21 3d 7f 9f 4d 51 58"))
    }

    @Test func fragmentedHello() {
        let first = encoded(Frame(isFinal: false, opcode: .text, payload: buffer("Hel")))
        let second = encoded(Frame(opcode: .continuation, payload: buffer("lo")))
        #expect(first + second == hexBytes("01 03 48 65 6c 80 02 6c 6f"))
    }

    @Test func pingAndMaskedPong() {
        #expect(encoded(Frame(opcode: .ping, payload: buffer("Hello"))) == hexBytes("89 05 48 65 6c 6c 6f"))
        let pong = Frame(opcode: .pong, maskingKey: MaskingKey(rawValue: 0x37FA_213D), payload: buffer("Hello"))
        #expect(encoded(pong) == hexBytes("8a 85 37 fa 21 3d 7f 9f 4d 51 58"))
    }

    @Test func lengthEncodings() {
        let b256 = encoded(Frame(opcode: .binary, payload: ByteBuffer(repeating: 0xAB, count: 256)))
        #expect(Array(b256.prefix(4)) == hexBytes("82 7e 01 00"))
        #expect(b256.count == 260)
        let b64k = encoded(Frame(opcode: .binary, payload: ByteBuffer(repeating: 0xAB, count: 65536)))
        #expect(Array(b64k.prefix(10)) == hexBytes("82 7f 00 00 00 00 00 01 00 00"))
        #expect(b64k.count == 65546)
        // Boundaries of the minimal encoding.
        #expect(FrameEncoder.headerLength(payloadLength: 125, masked: false) == 2)
        #expect(FrameEncoder.headerLength(payloadLength: 126, masked: false) == 4)
        #expect(FrameEncoder.headerLength(payloadLength: 65535, masked: true) == 8)
        #expect(FrameEncoder.headerLength(payloadLength: 65536, masked: true) == 14)
    }

    @Test func reservedBitsAndOpcodesAreWrittenAsGiven() {
        let frame = Frame(isFinal: false, reservedBits: [.rsv1, .rsv3], opcode: Opcode(rawValue: 0xB)!, payload: ByteBuffer())
        #expect(encoded(frame) == [0x5B, 0x00])
    }

    /// Encode then decode round trip over lengths around every encoding boundary.
    @Test(arguments: [0, 1, 125, 126, 127, 65535, 65536, 70000])
    func roundTrip(length: Int) {
        var generator = SplitMix64(seed: UInt64(length))
        let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for role in Role.allCases {
            let key: MaskingKey? = role == .client ? MaskingKey.random(using: &generator) : nil
            var out = ByteBuffer()
            FrameEncoder.encode(opcode: .binary, maskingKey: key, payload: ByteBuffer(bytes: bytes), into: &out)
            var decoder = FrameDecoder(role: role.peer)
            let frame = try! decoder.nextFrame(from: &out)
            #expect(frame?.frame.payload.bytes == bytes)
            #expect(frame?.frame.maskingKey == key)
        }
    }
}
