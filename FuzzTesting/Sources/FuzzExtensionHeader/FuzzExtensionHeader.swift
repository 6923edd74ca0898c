// The Sec-WebSocket-Extensions grammar and the permessage-deflate negotiators on arbitrary
// header text. Properties:
// - never traps;
// - parse -> serialise -> parse is the identity on what parsed (names, parameter names,
//   unquoted values), and serialising is then a fixed point;
// - parsing the value split into several header lines at a comma between elements gives
//   the same elements as parsing it whole;
// - what the server negotiator answers is itself a valid offer: it serialises, parses back
//   to the same element, and a client with default options accepts it.
import FuzzSupport
import WSKCompression
import WSKCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: inputBytes(data, size), as: UTF8.self)
    guard let offers = try? ExtensionHeaderParser.parse(text) else { return 0 }
    let serialised = WebSocketExtensionOffer.headerValue(offers)
    let reparsed: [WebSocketExtensionOffer]
    do throws(ExtensionHeaderParser.ParseError) {
        reparsed = try ExtensionHeaderParser.parse(serialised)
    } catch {
        fatalError("property violated: the serialised header does not parse (\(error)):\ninput:      \(Array(text.utf8))\nserialised: \(Array(serialised.utf8))")
    }
    require(reparsed == offers, "parse -> serialise -> parse changed the elements:\nfirst:  \(offers)\nsecond: \(reparsed)\nserialised: \(Array(serialised.utf8))")
    require(WebSocketExtensionOffer.headerValue(reparsed) == serialised, "serialising is not a fixed point")
    for element in offers {
        require(ExtensionHeaderParser.isToken(element.name), "a name that is not a token: \(element.name)")
        for parameter in element.parameters {
            require(ExtensionHeaderParser.isToken(parameter.name), "a parameter name that is not a token: \(parameter.name)")
        }
    }
    // Several header lines: the same list.
    if offers.count >= 2 {
        let lines = offers.map(\.description)
        require((try? ExtensionHeaderParser.parse(lines)) == offers, "the list split over header lines parses differently")
    }
    let negotiator = PerMessageDeflateNegotiator(options: .init())
    if let agreement = negotiator.respond(to: offers) {
        let response = agreement.response.description
        require((try? ExtensionHeaderParser.parse(response)) == [agreement.response], "the server's response does not parse back: \(response)")
        require((try? PerMessageDeflateNegotiator(options: .init()).accept(agreement.response)) != nil, "a default client refuses the server's response: \(response)")
    }
    if let first = offers.first {
        _ = try? negotiator.accept(first)
    }
    return 0
}

@_cdecl("FuzzExtensionHeader_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
