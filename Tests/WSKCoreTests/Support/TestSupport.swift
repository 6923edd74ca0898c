import NIOCore
@testable import WSKCore

/// A small seeded generator (SplitMix64) so masked outputs and random inputs are
/// reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Bytes from a hex string; spaces are ignored.
func hexBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.filter { !$0.isWhitespace })
    precondition(digits.count % 2 == 0, "odd hex")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }
func buffer(hex: String) -> ByteBuffer { ByteBuffer(bytes: hexBytes(hex)) }
func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

extension ByteBuffer {
    var bytes: [UInt8] { Array(readableBytesView) }
}

/// Decodes `bytes` fed in chunks of the given sizes (the last size repeats), returning the
/// frames (payload bytes copied out) and the error, if any.
struct DecodeResult: Equatable {
    var frames: [SimpleFrame] = []
    var error: ProtocolViolation? = nil
    var violations: [ProtocolViolation] = []
}

struct SimpleFrame: Equatable, CustomStringConvertible {
    var fin: Bool
    var rsv: ReservedBits
    var opcode: Opcode
    var maskingKey: MaskingKey?
    var payload: [UInt8]
    var offset: Int
    var description: String { "\(opcode) fin=\(fin) rsv=\(rsv) len=\(payload.count) @\(offset)" }
}

func decode(
    _ bytes: [UInt8],
    role: Role,
    chunks: [Int]? = nil,
    mode: FrameDecoder.Mode = .strict,
    configuration: WebSocketConfiguration = .init(),
    allowedReservedBits: ReservedBits = []
) -> DecodeResult {
    var decoder = FrameDecoder(role: role, configuration: configuration, mode: mode)
    decoder.allowedReservedBits = allowedReservedBits
    var result = DecodeResult()
    var cumulation = ByteBuffer()
    var index = 0
    var chunkIndex = 0
    let sizes = chunks ?? [bytes.count]
    repeat {
        let size = max(1, sizes[min(chunkIndex, sizes.count - 1)])
        chunkIndex += 1
        let end = min(bytes.count, index + size)
        cumulation.writeBytes(bytes[index..<end])
        index = end
        do {
            while let frame = try decoder.nextFrame(from: &cumulation) {
                result.frames.append(
                    SimpleFrame(
                        fin: frame.frame.isFinal,
                        rsv: frame.frame.reservedBits,
                        opcode: frame.frame.opcode,
                        maskingKey: frame.frame.maskingKey,
                        payload: frame.frame.payload.bytes,
                        offset: frame.streamOffset
                    )
                )
                result.violations += decoder.takeViolations()
            }
            result.violations += decoder.takeViolations()
        } catch {
            result.error = error
            result.violations += decoder.takeViolations()
            return result
        }
    } while index < bytes.count
    return result
}
