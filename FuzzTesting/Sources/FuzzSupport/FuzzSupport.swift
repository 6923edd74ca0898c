import CFuzzDriver
import NIOCore

/// Hands control to libFuzzer with `callback` as the test function.
public func runFuzzDriver(
    _ argc: Int32,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, callback)
}

/// The input as an array (empty for a null pointer).
public func inputBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Splits an input into chunks whose sizes come from its first byte (uWebSockets'
/// `makeChunked`), so one corpus exercises every split point of the incremental parsers.
public func chunks(_ data: UnsafePointer<UInt8>?, _ size: Int) -> (selector: UInt8, pieces: [ByteBuffer]) {
    guard let data, size > 0 else { return (0, []) }
    let selector = data[0]
    let chunkSize = Int(selector & 0x3F) + 1
    var pieces: [ByteBuffer] = []
    var index = 1
    while index < size {
        let end = min(size, index + chunkSize)
        pieces.append(ByteBuffer(bytes: UnsafeBufferPointer(start: data + index, count: end - index)))
        index = end
    }
    return (selector, pieces)
}

/// Cuts `bytes` into pieces of varying sizes, 1 to `maxPiece` bytes, in a sequence that
/// `seed` determines (a small xorshift), so the split points are not all a multiple of one
/// size. The pieces concatenated are `bytes`.
public func split(_ bytes: ArraySlice<UInt8>, seed: UInt8, maxPiece: Int) -> [ByteBuffer] {
    var state = UInt32(seed) &* 2_654_435_761 | 1
    var pieces: [ByteBuffer] = []
    var index = bytes.startIndex
    while index < bytes.endIndex {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        let length = Int(state % UInt32(max(1, maxPiece))) + 1
        let end = min(bytes.endIndex, index + length)
        pieces.append(ByteBuffer(bytes: bytes[index..<end]))
        index = end
    }
    return pieces
}

/// Traps with a message naming the violated property (libFuzzer then saves the input).
/// `fatalError` keeps its message in release builds, unlike `precondition`.
public func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("property violated: \(message())") }
}

/// A deterministic generator for masking keys and other choices.
public struct FixedGenerator: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return state
    }
}

/// The largest piece sizes a 4-bit selector picks from: single bytes up to whole frames.
public let pieceSizes = [1, 2, 3, 4, 5, 7, 8, 13, 16, 32, 64, 100, 128, 256, 1024, 4096]
