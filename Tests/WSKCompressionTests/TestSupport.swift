import CZlib
import NIOCore
import Testing
import WSKCompression
import WSKCore

// Helpers shared by the compression tests: hex, buffers, a seeded generator, and two
// zlib tools that do not go through the code under test (a reference compressor and a
// strict inflater).

/// Bytes from `"f2 48 cd"`-style hex.
func hex(_ text: String) -> [UInt8] {
    text.split(separator: " ").map { UInt8($0, radix: 16)! }
}

/// `"f2 48 cd"`-style hex of `bytes`.
func hexString<C: Collection<UInt8>>(_ bytes: C) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
}

func buffer(_ bytes: [UInt8]) -> ByteBuffer {
    ByteBuffer(bytes: bytes)
}

func buffer(_ text: String) -> ByteBuffer {
    ByteBuffer(string: text)
}

extension ByteBuffer {
    var bytes: [UInt8] { Array(readableBytesView) }
}

/// SplitMix64, so random payloads are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var generator = SplitMix64(state: seed)
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}

/// Text-like data with repeats at many distances: words drawn from a small vocabulary.
func wordSoup(_ count: Int, seed: UInt64) -> [UInt8] {
    let words = ["alpha", "beta", "gamma", "delta", "websocket", "frame", "deflate", "window", "{\"id\":", "}, "]
    var generator = SplitMix64(state: seed)
    var out: [UInt8] = []
    out.reserveCapacity(count + 16)
    while out.count < count {
        out += Array(words[Int.random(in: 0..<words.count, using: &generator)].utf8)
        out.append(UInt8(ascii: " "))
    }
    return Array(out.prefix(count))
}

/// Decodes a whole message given as one frame.
func decodeMessage(
    _ codec: PerMessageDeflate,
    _ payload: [UInt8],
    limit: Int = 1 << 30
) throws(ProtocolViolation.Reason) -> [UInt8] {
    var output = ByteBuffer()
    try codec.decode(buffer(payload), isFinal: true, into: &output, limit: limit)
    return output.bytes
}

/// Runs `body` and returns the `ProtocolViolation.Reason` it throws, or `nil`.
func reasonThrown(_ body: () throws -> Void) -> ProtocolViolation.Reason? {
    do {
        try body()
        return nil
    } catch let reason as ProtocolViolation.Reason {
        return reason
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// A raw-DEFLATE compressor straight over zlib: the reference side of the tests.
final class ReferenceDeflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init(windowBits: Int32, level: Int32 = 6, strategy: Int32 = Z_DEFAULT_STRATEGY) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        precondition(wsk_deflateInit2WithStrategy(stream, level, -windowBits, 8, strategy) == Z_OK)
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `data` (fed `repetitions` times) with the given final flush.
    func compress(_ data: [UInt8], repetitions: Int = 1, flush finalFlush: Int32 = Z_SYNC_FLUSH) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        for index in 0..<repetitions {
            let flush = index == repetitions - 1 ? finalFlush : Z_NO_FLUSH
            data.withUnsafeBufferPointer { input in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.pointee.avail_in = uInt(input.count)
                repeat {
                    chunk.withUnsafeMutableBufferPointer { output in
                        stream.pointee.next_out = output.baseAddress
                        stream.pointee.avail_out = uInt(output.count)
                        _ = deflate(stream, flush)
                        out += output.prefix(output.count - Int(stream.pointee.avail_out))
                    }
                } while stream.pointee.avail_out == 0
            }
        }
        return out
    }

    /// RFC 7692 §7.2.1: the message payload for `data`, sync-flushed, tail removed.
    func message(_ data: [UInt8], repetitions: Int = 1) -> [UInt8] {
        let out = compress(data, repetitions: repetitions)
        precondition(out.suffix(4) == [0x00, 0x00, 0xFF, 0xFF])
        return Array(out.dropLast(4))
    }

    func setDictionary(_ dictionary: [UInt8]) {
        precondition(deflateSetDictionary(stream, dictionary, uInt(dictionary.count)) == Z_OK)
    }
}

/// An inflater whose window is exactly `2^windowBits` bytes and that produces one byte
/// per zlib call, so every back-reference has to come from the window: any distance
/// beyond the window fails ("invalid distance too far back"), however zlib buffers output.
final class StrictInflater {
    struct Failure: Error {}

    private let stream: UnsafeMutablePointer<z_stream>

    init(windowBits: Int32) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        precondition(wsk_inflateInit2(stream, -windowBits) == Z_OK)
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    func reset() {
        precondition(inflateReset(stream) == Z_OK)
    }

    /// Inflates one permessage-deflate message payload (the tail is appended here).
    func message(_ payload: [UInt8]) throws(Failure) -> [UInt8] {
        let input = payload + [0x00, 0x00, 0xFF, 0xFF]
        var out: [UInt8] = []
        var status = Z_OK
        input.withUnsafeBufferPointer { input in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = uInt(input.count)
            var byte: UInt8 = 0
            while true {
                let produced = withUnsafeMutablePointer(to: &byte) { pointer in
                    stream.pointee.next_out = pointer
                    stream.pointee.avail_out = 1
                    status = inflate(stream, Z_SYNC_FLUSH)
                    return 1 - Int(stream.pointee.avail_out)
                }
                if produced == 1 { out.append(byte) }
                if status != Z_OK || (produced == 0 && stream.pointee.avail_in == 0) { break }
            }
        }
        guard status == Z_OK || status == Z_BUF_ERROR else { throw Failure() }
        return out
    }
}
