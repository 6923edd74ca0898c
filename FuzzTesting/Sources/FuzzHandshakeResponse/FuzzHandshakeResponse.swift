// The client's handling of the server's response head, as `ClientUpgradeHandler` (WSKNIO)
// does it once NIO has parsed the bytes: the header fields converted as
// `HTTPFields(HTTPHeaders)` does (invalid names dropped, values made valid),
// `ClientHandshake.validateResponse`, then `PerMessageDeflateNegotiator.acceptResponse` on
// the accepted extensions with the client's options, and a `PerMessageDeflate` built from
// the agreement.
//
// Input: bytes 0-1 the status (100 + n % 500, so 00 01 is 101), byte 2 the client's
// permessage-deflate options, the rest header lines. The request is fixed: its key comes
// from a generator seeded with 7, so the accept value is MtggOc+0+CFwX1ceSD8nUpkKbeI=.
//
// Properties beyond "never traps": an accepted response had status 101 and the right
// accept value, selected an offered subprotocol (or none) and only offered extensions;
// agreed parameters honour what the client asked for (no-context-takeover, window caps);
// and the agreement works: a message compressed by the client inflates at a server built
// from the same parameters, and the other way round.
import FuzzSupport
import HTTPTypes
import NIOCore
import WSKCompression
import WSKCore

let subprotocols = ["chat", "superchat"]
let serverBits: [Int?] = [nil, 8, 9, 10, 11, 12, 14, 15]
let clientBits: [Int?] = [nil, 8, 12, 15]

func options(from byte: UInt8) -> PerMessageDeflateOptions? {
    if byte == 0xFF { return nil }  // no permessage-deflate offered
    return PerMessageDeflateOptions(
        serverNoContextTakeover: byte & 1 != 0,
        clientNoContextTakeover: byte & 2 != 0,
        serverMaxWindowBits: serverBits[Int(byte >> 2 & 7)],
        clientMaxWindowBits: clientBits[Int(byte >> 5 & 3)],
        offersClientMaxWindowBits: byte & 0x80 == 0
    )
}

func roundTrip(_ message: [UInt8], from sender: PerMessageDeflate, to receiver: PerMessageDeflate) {
    let payload = ByteBuffer(bytes: message)
    guard let compressed = sender.encode(payload) else { return }
    var output = ByteBuffer()
    do throws(ProtocolViolation.Reason) {
        try receiver.decode(compressed, isFinal: true, into: &output, limit: 1 << 20)
    } catch {
        require(false, "a message compressed under the agreement does not inflate: \(error)")
    }
    require(output == payload, "permessage-deflate round trip changed the message")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)
    guard bytes.count >= 3 else { return 0 }
    let status = 100 + Int(UInt16(bytes[0]) << 8 | UInt16(bytes[1])) % 500
    let compression = options(from: bytes[2])
    let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
    var generator = FixedGenerator(seed: 7)
    let offers = compression.map { [PerMessageDeflateNegotiator(options: $0).offer()] } ?? []
    guard
        let client = try? ClientHandshake(
            target: .init(host: "example.com", port: 8080, path: "/chat"),
            subprotocols: subprotocols,
            extensions: offers,
            using: &generator
        )
    else { fatalError("the fixed request must build") }
    require(client.expectedAcceptKey == "MtggOc+0+CFwX1ceSD8nUpkKbeI=", "the fixed key changed: seeds need a new accept value")
    let fields = headerFields(from: text[...])
    let outcome: HandshakeOutcome
    do throws(HandshakeFailure) {
        outcome = try client.validateResponse(status: status, headerFields: fields)
    } catch {
        _ = error.description
        return 0
    }
    require(status == 101, "accepted a response with status \(status)")
    require(fields[.secWebSocketAccept].map { $0.trimmingCharacters() } == client.expectedAcceptKey, "accepted a wrong accept value")
    if let chosen = outcome.subprotocol { require(subprotocols.contains(chosen), "accepted a subprotocol not offered: \(chosen)") }
    for element in outcome.extensions {
        require(offers.contains { $0.name.lowercased() == element.name.lowercased() }, "accepted an extension not offered: \(element.name)")
    }
    guard let compression else { return 0 }
    let parameters: PerMessageDeflateParameters
    do throws(PerMessageDeflateNegotiationError) {
        guard let agreed = try PerMessageDeflateNegotiator(options: compression).acceptResponse(outcome.extensions) else { return 0 }
        parameters = agreed
    } catch {
        _ = error.description
        return 0
    }
    if compression.serverNoContextTakeover { require(parameters.serverNoContextTakeover, "server_no_context_takeover asked for but not agreed") }
    if compression.clientNoContextTakeover { require(parameters.clientNoContextTakeover, "client_no_context_takeover announced but not agreed") }
    if let cap = compression.serverMaxWindowBits { require(parameters.serverMaxWindowBits <= cap, "server window \(parameters.serverMaxWindowBits) over the requested \(cap)") }
    require(parameters.clientMaxWindowBits <= compression.clientMaxWindowBits ?? 15, "client window over its own limit")
    let clientCodec = PerMessageDeflate(parameters: parameters, role: .client)
    let serverCodec = PerMessageDeflate(parameters: parameters, role: .server)
    let message = Array(text.utf8.prefix(300))
    for _ in 0..<2 {
        roundTrip(message, from: clientCodec, to: serverCodec)
        roundTrip(message, from: serverCodec, to: clientCodec)
    }
    return 0
}

extension String {
    /// Without leading and trailing spaces and tabs, byte-wise (as the handshake compares).
    func trimmingCharacters() -> String {
        var bytes = Array(utf8)[...]
        while bytes.first == 0x20 || bytes.first == 0x09 { bytes = bytes.dropFirst() }
        while bytes.last == 0x20 || bytes.last == 0x09 { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

@_cdecl("FuzzHandshakeResponse_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
