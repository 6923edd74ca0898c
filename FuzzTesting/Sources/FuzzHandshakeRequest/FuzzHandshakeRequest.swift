// The server's handshake validator and response builder on arbitrary request headers.
// The first byte picks the method and HTTP version, or (high bit set) an HTTP/2 extended
// CONNECT (RFC 8441) with its :protocol and pseudo-headers. Must never trap.
//
// Properties for the extended CONNECT: an accepted request was CONNECT with :protocol
// websocket and version 13; its response is a 200 with no Upgrade, Connection or
// Sec-WebSocket-Accept (RFC 8441 §5, RFC 9113 §8.2.2), and so is every rejection.
import FuzzSupport
import HTTPTypes
import WSKCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let selector = data[0]
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    if selector & 0x80 != 0 {
        fuzzExtendedConnect(selector, text[...])
        return 0
    }
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

/// Without leading and trailing spaces and tabs, byte-wise.
func trimmed(_ value: String) -> String {
    var bytes = Array(value.utf8)[...]
    while bytes.first == 0x20 || bytes.first == 0x09 { bytes = bytes.dropFirst() }
    while bytes.last == 0x20 || bytes.last == 0x09 { bytes = bytes.dropLast() }
    return String(decoding: bytes, as: UTF8.self)
}

func fuzzExtendedConnect(_ selector: UInt8, _ text: Substring) {
    let methods: [HTTPRequest.Method] = [.connect, .connect, .get, .post]
    let protocols: [String?] = ["websocket", "WebSocket", nil, "connect-udp"]
    var request = HTTPRequest(
        method: methods[Int(selector & 3)],
        scheme: selector & 0x10 == 0 ? "https" : nil,
        authority: selector & 0x20 == 0 ? "example.com" : nil,
        path: selector & 0x40 == 0 ? "/chat" : nil,
        headerFields: headerFields(from: text)
    )
    request.extendedConnectProtocol = protocols[Int(selector >> 2 & 3)]
    let forbidden: [HTTPField.Name] = [.upgrade, .connection, .secWebSocketAccept]
    do throws(HandshakeFailure) {
        let handshake = try ServerHandshake(extendedConnect: request)
        require(request.method == .connect, "accepted a \(request.method) as an extended CONNECT")
        require(request.extendedConnectProtocol?.lowercased() == "websocket", "accepted :protocol \(request.extendedConnectProtocol ?? "(none)")")
        require(request.headerFields[.secWebSocketVersion].map(trimmed) == "13", "accepted without version 13")
        let subprotocol = handshake.selectSubprotocol(supported: ["chat", "superchat"])
        if let response = try? handshake.acceptResponse(subprotocol: subprotocol, extensions: []) {
            require(response.status == .ok, "accepted with \(response.status)")
            for name in forbidden { require(response.headerFields[name] == nil, "the 200 carries \(name)") }
        }
    } catch {
        let response = ServerHandshake.rejectionResponse(for: error, shape: .extendedConnect)
        require(response.status.code >= 400, "rejected with \(response.status)")
        for name in forbidden { require(response.headerFields[name] == nil, "the rejection carries \(name)") }
    }
}

@_cdecl("FuzzHandshakeRequest_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
