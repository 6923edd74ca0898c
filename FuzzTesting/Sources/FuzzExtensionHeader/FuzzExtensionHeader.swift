// The Sec-WebSocket-Extensions grammar and the permessage-deflate negotiators on
// arbitrary header text. Must never trap.
import FuzzSupport
import WSKCompression
import WSKCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let offers = try? ExtensionHeaderParser.parse(text) else { return 0 }
    _ = WebSocketExtensionOffer.headerValue(offers)
    let negotiator = PerMessageDeflateNegotiator(options: .init())
    _ = negotiator.respond(to: offers)
    if let first = offers.first {
        _ = try? negotiator.accept(first)
    }
    return 0
}

@_cdecl("FuzzExtensionHeader_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
