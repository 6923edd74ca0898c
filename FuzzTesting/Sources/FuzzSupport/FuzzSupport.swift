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

