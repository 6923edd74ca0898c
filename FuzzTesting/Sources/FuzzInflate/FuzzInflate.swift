// permessage-deflate inflation with the size limit on: arbitrary compressed payloads,
// split into frames by the first byte. Must never trap or exceed the limit.
import FuzzSupport
import NIOCore
import WSKCompression
import WSKCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let (selector, pieces) = chunks(data, size)
    let codec = PerMessageDeflate(parameters: .init(clientMaxWindowBits: Int(selector % 8) + 8), role: .server)
    var output = ByteBuffer()
    let limit = 64 * 1024
    for (index, piece) in pieces.enumerated() {
        do {
            try codec.decode(piece, isFinal: index == pieces.count - 1, into: &output, limit: limit)
        } catch {
            return 0
        }
        precondition(output.readableBytes <= limit, "inflated past the limit")
    }
    return 0
}

@_cdecl("FuzzInflate_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
