import Testing
@testable import WSKCore

@Suite("Sec-WebSocket-Extensions grammar (RFC 6455 §9.1)")
struct ExtensionHeaderParserTests {
    typealias Offer = WebSocketExtensionOffer
    typealias Parameter = WebSocketExtensionOffer.Parameter

    @Test func singleTokenWithoutParameters() throws {
        #expect(try ExtensionHeaderParser.parse("permessage-deflate") == [Offer(name: "permessage-deflate")])
    }

    @Test func parametersWithAndWithoutValues() throws {
        let offers = try ExtensionHeaderParser.parse("permessage-deflate; client_max_window_bits; server_max_window_bits=10")
        #expect(offers == [
            Offer(name: "permessage-deflate", parameters: [Parameter(name: "client_max_window_bits"), Parameter(name: "server_max_window_bits", value: "10")])
        ])
    }

    @Test func quotedStringValuesAreUnquoted() throws {
        let offers = try ExtensionHeaderParser.parse(#"x; a="10"; b="with \"escaped\" quote""#)
        #expect(offers.first?.parameters == [Parameter(name: "a", value: "10"), Parameter(name: "b", value: #"with "escaped" quote"#)])
    }

    @Test func aQuoteBeforeACombiningMarkSurvivesARoundTrip() throws {
        // Found by a fuzzer (issue 14): a quoted value holding an escaped quote followed by
        // U+0301 (a combining mark) is one Character in Swift but a quote byte in the header;
        // serialising must escape it.
        let bytes: [UInt8] = [0x61, 0x3B, 0x20, 0x62, 0x3D, 0x22, 0x5C, 0x22, 0xCC, 0x81, 0x22]
        let offers = try ExtensionHeaderParser.parse(String(decoding: bytes, as: UTF8.self))
        let quoteAndMark = String(decoding: [0x22, 0xCC, 0x81], as: UTF8.self)
        #expect(offers.first?.parameters.first?.value == quoteAndMark)
        let serialised = offers.map(\.description).joined(separator: ", ")
        let reparsed = try ExtensionHeaderParser.parse(serialised)
        #expect(reparsed == offers, "\(serialised)")
    }

    @Test func aBackslashBeforeAControlByteIsRejected() throws {
        // RFC 7230 §3.2.6: quoted-pair = "\\" ( HTAB / SP / VCHAR / obs-text ).
        let control: [UInt8] = Array(#"x; ux="998\"#.utf8) + [0x02] + Array(#"999ab""#.utf8)
        #expect(throws: ExtensionHeaderParser.ParseError.self) {
            try ExtensionHeaderParser.parse(String(decoding: control, as: UTF8.self))
        }
        let tab: [UInt8] = Array(#"x; a="tab\"#.utf8) + [0x09] + Array(#"here""#.utf8)
        #expect(try ExtensionHeaderParser.parse(String(decoding: tab, as: UTF8.self)).first?.parameters.first?.value == "tab\there")
    }

    @Test func severalOffersAndWhitespace() throws {
        let offers = try ExtensionHeaderParser.parse(" permessage-deflate ;\tclient_max_window_bits , permessage-deflate ; server_no_context_takeover ,foo")
        #expect(offers.map(\.name) == ["permessage-deflate", "permessage-deflate", "foo"])
        #expect(offers[1].parameters == [Parameter(name: "server_no_context_takeover")])
    }

    @Test func severalHeaderLinesFormOneList() throws {
        let offers = try ExtensionHeaderParser.parse(["a; x=1", "b, c"])
        #expect(offers.map(\.name) == ["a", "b", "c"])
    }

    @Test func emptyElementsAreSkipped() throws {
        // RFC 7230 §7: recipients accept empty list elements.
        #expect(try ExtensionHeaderParser.parse("a, , b,").map(\.name) == ["a", "b"])
        #expect(try ExtensionHeaderParser.parse("").isEmpty)
    }

    @Test(arguments: [
        ("; x", "expected extension name", 0),
        ("a; =1", "expected parameter name", 3),
        ("a; x=", "expected parameter value", 5),
        ("a b", "expected ',' or ';'", 2),
        (#"a; x="unterminated"#, "unterminated quoted string", 5),
        ("a; x=\"bad\u{01}\"", "control character in quoted string", 9),
        ("a@b", "expected ',' or ';'", 1),
    ])
    func malformedHeadersNameTheProblem(input: String, message: String, offset: Int) {
        #expect(throws: ExtensionHeaderParser.ParseError(message: message, offset: offset)) {
            try ExtensionHeaderParser.parse(input)
        }
    }

    @Test func renderingRoundTrips() throws {
        let offers = [
            Offer(name: "permessage-deflate", parameters: [Parameter(name: "client_max_window_bits"), Parameter(name: "server_max_window_bits", value: "10")]),
            Offer(name: "x-custom", parameters: [Parameter(name: "note", value: "needs quoting")]),
        ]
        let header = Offer.headerValue(offers)
        #expect(header == #"permessage-deflate; client_max_window_bits; server_max_window_bits=10, x-custom; note="needs quoting""#)
        #expect(try ExtensionHeaderParser.parse(header) == offers)
    }
}
