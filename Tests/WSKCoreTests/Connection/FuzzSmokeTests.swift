import NIOCore
import Testing
@testable import WSKCore

/// An always-on fuzz pass: seeded random inputs through the decoder (both roles, both
/// modes) and the connection engine, fed in random chunks. Peer bytes must never trap.
@Suite("Fuzz smoke test (10k seeded inputs)")
struct FuzzSmokeTests {
    /// Random input biased towards plausible frames: valid-looking headers with random
    /// flags, lengths near encoding boundaries, masks and UTF-8-ish payloads.
    static func input(_ generator: inout SplitMix64) -> [UInt8] {
        var bytes: [UInt8] = []
        let frames = Int.random(in: 1...6, using: &generator)
        for _ in 0..<frames {
            if Int.random(in: 0..<10, using: &generator) == 0 {
                bytes += (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                continue
            }
            let first = UInt8.random(in: 0...255, using: &generator)
            let masked = Bool.random(using: &generator)
            let length = [0, 1, 2, 5, 125, 126, 127, 300, 65535, 65536].randomElement(using: &generator)!
            let payload = min(length, Int.random(in: 0...400, using: &generator))
            bytes.append(first)
            if length < 126 {
                bytes.append((masked ? 0x80 : 0) | UInt8(length))
            } else if length <= 0xFFFF {
                bytes.append((masked ? 0x80 : 0) | 126)
                bytes += [UInt8(length >> 8), UInt8(length & 0xFF)]
            } else {
                bytes.append((masked ? 0x80 : 0) | 127)
                bytes += (0..<8).map { UInt8(truncatingIfNeeded: UInt64(length) >> (56 - 8 * UInt64($0))) }
            }
            if masked { bytes += (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) } }
            let alphabet: [UInt8] = [0x41, 0x03, 0xE8, 0xC3, 0xA9, 0xED, 0xA0, 0xF0, 0x90, 0xFF, 0x80]
            bytes += (0..<payload).map { _ in alphabet.randomElement(using: &generator)! }
        }
        return bytes
    }

    @Test func decoderAndConnectionNeverTrap() {
        var generator = SplitMix64(seed: 0x5EED)
        var frames = 0
        var violations = 0
        var configuration = WebSocketConfiguration()
        configuration.maxFrameSize = 70_000
        configuration.maxMessageSize = 100_000
        for iteration in 0..<10_000 {
            let bytes = Self.input(&generator)
            let chunk = Int.random(in: 1...64, using: &generator)
            for role in Role.allCases {
                for mode in [FrameDecoder.Mode.strict, .inspect] {
                    let result = decode(bytes, role: role, chunks: [chunk], mode: mode, configuration: configuration, allowedReservedBits: iteration % 2 == 0 ? [] : .rsv1)
                    frames += result.frames.count
                    violations += result.violations.count + (result.error == nil ? 0 : 1)
                }
                var connection = Connection(role: role, configuration: configuration, randomNumberGenerator: SplitMix64(seed: UInt64(iteration)))
                var index = 0
                while index < bytes.count {
                    let end = min(bytes.count, index + chunk)
                    var piece = ByteBuffer(bytes: bytes[index..<end])
                    connection.receive(&piece)
                    index = end
                    var replies = ByteBuffer()
                    while connection.nextEvent(replyingInto: &replies) != nil {}
                }
                connection.receiveEndOfStream()
                var sawClosed = false
                var replies = ByteBuffer()
                while let event = connection.nextEvent(replyingInto: &replies) {
                    if case .closed = event { sawClosed = true }
                }
                // Every connection ends with exactly one `.closed` event.
                #expect(sawClosed || connection.state == .closed)
                #expect(connection.state == .closed)
            }
        }
        // The corpus exercises both paths.
        #expect(frames > 10_000)
        #expect(violations > 10_000)
    }
}
