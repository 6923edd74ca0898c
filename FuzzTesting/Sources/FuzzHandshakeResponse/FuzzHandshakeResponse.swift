// The client's validation of a server response (status from the first two bytes, header
// lines from the rest) against a fixed request offering subprotocols and
// permessage-deflate. Must never trap.
import FuzzSupport
import HTTPTypes
import WSKCore

struct Fixed: RandomNumberGenerator {
    var state: UInt64 = 7
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return state
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 1 else { return 0 }
    let status = 100 + Int(UInt16(data[0]) << 8 | UInt16(data[1])) % 500
    let text = String(decoding: UnsafeBufferPointer(start: data + 2, count: size - 2), as: UTF8.self)
    var generator = Fixed()
    guard
        let client = try? ClientHandshake(
            target: .init(host: "example.com", port: 8080, path: "/chat"),
            subprotocols: ["chat", "superchat"],
            extensions: [WebSocketExtensionOffer(name: "permessage-deflate", parameters: [.init(name: "client_max_window_bits")])],
            using: &generator
        )
    else { fatalError("fixed request must build") }
    _ = try? client.validateResponse(status: status, headerFields: headerFields(from: text[...]))
    return 0
}

@_cdecl("FuzzHandshakeResponse_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
