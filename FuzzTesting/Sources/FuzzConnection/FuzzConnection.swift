// The connection engine, with or without permessage-deflate, in both roles. Bit 7 of the
// first byte picks the role, bit 6 compression. Must never trap.
import FuzzSupport
import NIOCore
import WSKCompression
import WSKCore

struct Fixed: RandomNumberGenerator {
    var state: UInt64 = 1
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return state
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let (selector, pieces) = chunks(data, size)
    let role: Role = selector & 0x80 == 0 ? .server : .client
    var configuration = WebSocketConfiguration()
    configuration.maxFrameSize = 1 << 20
    configuration.maxMessageSize = 1 << 20
    let extensions: [any WebSocketExtension] = selector & 0x40 == 0 ? [] : [PerMessageDeflate(parameters: .init(), role: role)]
    var connection = Connection(role: role, configuration: configuration, extensions: extensions, randomNumberGenerator: Fixed())
    var out = ByteBuffer()
    for var piece in pieces {
        connection.receive(&piece)
        while let event = connection.nextEvent(replyingInto: &out) {
            if case .message(let message) = event {
                try? connection.sendMessage(opcode: message.opcode, payload: message.data, into: &out)
            }
        }
        out.clear()
    }
    connection.receiveEndOfStream()
    while connection.nextEvent(replyingInto: &out) != nil {}
    return 0
}

@_cdecl("FuzzConnection_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
