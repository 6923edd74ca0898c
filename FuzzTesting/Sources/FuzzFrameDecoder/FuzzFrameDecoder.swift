// The frame decoder in both roles and both modes; bit 7 of the first byte picks the role,
// bit 6 the mode, the rest the chunk size. Must never trap.
import FuzzSupport
import NIOCore
import WSKCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let (selector, pieces) = chunks(data, size)
    var configuration = WebSocketConfiguration()
    configuration.maxFrameSize = 1 << 20
    configuration.maxMessageSize = 1 << 20
    var decoder = FrameDecoder(
        role: selector & 0x80 == 0 ? .server : .client,
        configuration: configuration,
        mode: selector & 0x40 == 0 ? .strict : .inspect
    )
    decoder.allowedReservedBits = selector & 0x20 == 0 ? [] : .rsv1
    var cumulation = ByteBuffer()
    for var piece in pieces {
        cumulation.writeBuffer(&piece)
        do {
            while let frame = try decoder.nextFrame(from: &cumulation) {
                _ = frame.frame.payload.readableBytes
                _ = decoder.takeViolations()
            }
        } catch {
            return 0
        }
    }
    return 0
}

@_cdecl("FuzzFrameDecoder_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
