// The server's handshake validator and response builder on arbitrary request headers.
// The first byte picks the method and HTTP version. Must never trap.
import FuzzSupport
import HTTPTypes
import WSKCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let selector = data[0]
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    let methods: [HTTPRequest.Method] = [.get, .get, .post, .head]
    let method = methods[Int(selector & 3)]
    let version = (major: Int(selector >> 2 & 1) + 1 - Int(selector >> 3 & 1), minor: Int(selector >> 4 & 3))
    do throws(HandshakeFailure) {
        let handshake = try ServerHandshake(method: method, httpVersion: version, headerFields: headerFields(from: text[...]))
        let subprotocol = handshake.selectSubprotocol(supported: ["chat", "superchat"])
        _ = try? handshake.acceptResponse(subprotocol: subprotocol, extensions: [])
    } catch {
        _ = ServerHandshake.rejectionResponse(for: error)
    }
    return 0
}

@_cdecl("FuzzHandshakeRequest_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
