import NIOCore
import Testing
import WSKCompression
import WSKCore

@Suite("PerMessageDeflate negotiation")
struct PerMessageDeflateNegotiatorTests {
    typealias Options = PerMessageDeflateOptions
    typealias Parameters = PerMessageDeflateParameters
    typealias NegotiationError = PerMessageDeflateNegotiationError

    static func parse(_ header: String) -> [WebSocketExtensionOffer] {
        try! ExtensionHeaderParser.parse(header)
    }

    // MARK: - Client offers

    struct OfferCase: Sendable, CustomTestStringConvertible {
        var options: Options
        var header: String
        var testDescription: String { header }
    }

    static let offerCases: [OfferCase] = [
        .init(options: Options(), header: "permessage-deflate; client_max_window_bits"),
        .init(options: Options(offersClientMaxWindowBits: false), header: "permessage-deflate"),
        .init(options: Options(clientMaxWindowBits: 10), header: "permessage-deflate; client_max_window_bits=10"),
        .init(
            options: Options(clientMaxWindowBits: 9, offersClientMaxWindowBits: false),
            header: "permessage-deflate; client_max_window_bits=9"
        ),
        .init(
            options: Options(
                serverNoContextTakeover: true,
                clientNoContextTakeover: true,
                serverMaxWindowBits: 10,
                clientMaxWindowBits: 12
            ),
            header: "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                + "server_max_window_bits=10; client_max_window_bits=12"
        ),
    ]

    @Test(arguments: offerCases)
    func clientOffer(_ testCase: OfferCase) {
        let offer = PerMessageDeflateNegotiator(options: testCase.options).offer()
        #expect(offer.description == testCase.header)
        // What the client sends parses back to the same element.
        #expect(Self.parse(testCase.header) == [offer])
    }

    // MARK: - Client validates the response

    struct ResponseCase: Sendable, CustomTestStringConvertible {
        var options: Options = Options()
        var response: String
        var expected: Result<Parameters, NegotiationError>

        var testDescription: String { "\(response) → \(expected)" }
    }

    static let responseCases: [ResponseCase] = [
        .init(response: "permessage-deflate", expected: .success(Parameters())),
        .init(response: "Permessage-Deflate", expected: .success(Parameters())),
        .init(
            response: "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            expected: .success(Parameters(serverNoContextTakeover: true, clientNoContextTakeover: true))
        ),
        // The server MAY limit its own window unasked (RFC 7692 §7.1.2.1).
        .init(
            response: "permessage-deflate; server_max_window_bits=12",
            expected: .success(Parameters(serverMaxWindowBits: 12))),
        .init(
            response: "permessage-deflate; server_max_window_bits=\"8\"",
            expected: .success(Parameters(serverMaxWindowBits: 8))),
        // The value-less offer lets the server pick the client's window.
        .init(
            response: "permessage-deflate; client_max_window_bits=9",
            expected: .success(Parameters(clientMaxWindowBits: 9))),
        .init(
            response: "permessage-deflate; client_max_window_bits=8",
            expected: .success(Parameters(clientMaxWindowBits: 8))),
        // A value the client promised caps a larger one in the response.
        .init(
            options: Options(clientMaxWindowBits: 10),
            response: "permessage-deflate; client_max_window_bits=12",
            expected: .success(Parameters(clientMaxWindowBits: 10))
        ),
        .init(
            options: Options(clientMaxWindowBits: 10),
            response: "permessage-deflate",
            expected: .success(Parameters(clientMaxWindowBits: 10))
        ),
        // The client's announced client_no_context_takeover holds even if not echoed.
        .init(
            options: Options(clientNoContextTakeover: true),
            response: "permessage-deflate",
            expected: .success(Parameters(clientNoContextTakeover: true))
        ),
        // Requested server_no_context_takeover must be confirmed.
        .init(
            options: Options(serverNoContextTakeover: true),
            response: "permessage-deflate; server_no_context_takeover",
            expected: .success(Parameters(serverNoContextTakeover: true))
        ),
        .init(
            options: Options(serverNoContextTakeover: true),
            response: "permessage-deflate",
            expected: .failure(.missingServerNoContextTakeover)
        ),
        // Requested server_max_window_bits: same or smaller, and present.
        .init(
            options: Options(serverMaxWindowBits: 10),
            response: "permessage-deflate; server_max_window_bits=10",
            expected: .success(Parameters(serverMaxWindowBits: 10))
        ),
        .init(
            options: Options(serverMaxWindowBits: 10),
            response: "permessage-deflate; server_max_window_bits=9",
            expected: .success(Parameters(serverMaxWindowBits: 9))
        ),
        .init(
            options: Options(serverMaxWindowBits: 10),
            response: "permessage-deflate; server_max_window_bits=11",
            expected: .failure(.serverMaxWindowBitsTooLarge(requested: 10, received: 11))
        ),
        .init(
            options: Options(serverMaxWindowBits: 10),
            response: "permessage-deflate",
            expected: .failure(.missingServerMaxWindowBits(requested: 10))
        ),
        // client_max_window_bits only if offered, and with a value.
        .init(
            options: Options(offersClientMaxWindowBits: false),
            response: "permessage-deflate; client_max_window_bits=10",
            expected: .failure(.clientMaxWindowBitsNotOffered)
        ),
        .init(
            response: "permessage-deflate; client_max_window_bits",
            expected: .failure(.missingValue("client_max_window_bits"))
        ),
        // Syntax: unknown, duplicate, bad values.
        .init(response: "permessage-deflate; x_unknown", expected: .failure(.unknownParameter("x_unknown"))),
        .init(
            response: "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            expected: .failure(.duplicateParameter("server_no_context_takeover"))
        ),
        .init(
            response: "permessage-deflate; server_max_window_bits=10; SERVER_MAX_WINDOW_BITS=10",
            expected: .failure(.duplicateParameter("SERVER_MAX_WINDOW_BITS"))
        ),
        .init(
            response: "permessage-deflate; server_no_context_takeover=true",
            expected: .failure(.unexpectedValue(name: "server_no_context_takeover", value: "true"))
        ),
        .init(
            response: "permessage-deflate; client_no_context_takeover=\"\"",
            expected: .failure(.unexpectedValue(name: "client_no_context_takeover", value: ""))
        ),
        .init(
            response: "permessage-deflate; server_max_window_bits",
            expected: .failure(.missingValue("server_max_window_bits"))),
        .init(
            response: "permessage-deflate; server_max_window_bits=7",
            expected: .failure(.invalidWindowBits(name: "server_max_window_bits", value: "7"))
        ),
        .init(
            response: "permessage-deflate; server_max_window_bits=16",
            expected: .failure(.invalidWindowBits(name: "server_max_window_bits", value: "16"))
        ),
        .init(
            response: "permessage-deflate; server_max_window_bits=09",
            expected: .failure(.invalidWindowBits(name: "server_max_window_bits", value: "09"))
        ),
        .init(
            response: "permessage-deflate; client_max_window_bits=+9",
            expected: .failure(.invalidWindowBits(name: "client_max_window_bits", value: "+9"))
        ),
        .init(
            response: "permessage-deflate; client_max_window_bits=\" 9\"",
            expected: .failure(.invalidWindowBits(name: "client_max_window_bits", value: " 9"))
        ),
        .init(
            response: "permessage-deflate; client_max_window_bits=0xa",
            expected: .failure(.invalidWindowBits(name: "client_max_window_bits", value: "0xa"))
        ),
        .init(response: "x-webkit-deflate-frame", expected: .failure(.notPerMessageDeflate("x-webkit-deflate-frame"))),
    ]

    @Test(arguments: responseCases)
    func clientAcceptsResponse(_ testCase: ResponseCase) throws {
        let responses = Self.parse(testCase.response)
        try #require(responses.count == 1)
        let negotiator = PerMessageDeflateNegotiator(options: testCase.options)
        let result = Result { () throws(NegotiationError) in try negotiator.accept(responses[0]) }
        #expect(result == testCase.expected)
    }

    // MARK: - Server answers offers

    struct ServerCase: Sendable, CustomTestStringConvertible {
        var options: Options = Options()
        var offers: String
        /// The response element, or `nil` when every offer is declined.
        var response: String?
        var parameters: Parameters? = nil

        var testDescription: String { "\(offers) → \(response ?? "declined")" }
    }

    static let serverCases: [ServerCase] = [
        .init(offers: "permessage-deflate", response: "permessage-deflate", parameters: Parameters()),
        // Value-less client_max_window_bits: the server may omit it...
        .init(
            offers: "permessage-deflate; client_max_window_bits", response: "permessage-deflate",
            parameters: Parameters()),
        // ...or choose a value.
        .init(
            options: Options(clientMaxWindowBits: 10),
            offers: "permessage-deflate; client_max_window_bits",
            response: "permessage-deflate; client_max_window_bits=10",
            parameters: Parameters(clientMaxWindowBits: 10)
        ),
        // Not offered: the server must not send it, and still accepts.
        .init(
            options: Options(clientMaxWindowBits: 10),
            offers: "permessage-deflate",
            response: "permessage-deflate",
            parameters: Parameters()
        ),
        // The client's value is echoed, or lowered to the server's preference.
        .init(
            offers: "permessage-deflate; client_max_window_bits=12",
            response: "permessage-deflate; client_max_window_bits=12",
            parameters: Parameters(clientMaxWindowBits: 12)
        ),
        .init(
            options: Options(clientMaxWindowBits: 9),
            offers: "permessage-deflate; client_max_window_bits=12",
            response: "permessage-deflate; client_max_window_bits=9",
            parameters: Parameters(clientMaxWindowBits: 9)
        ),
        .init(
            options: Options(clientMaxWindowBits: 14),
            offers: "permessage-deflate; client_max_window_bits=12",
            response: "permessage-deflate; client_max_window_bits=12",
            parameters: Parameters(clientMaxWindowBits: 12)
        ),
        // server_max_window_bits=N requested: the server uses N or less.
        .init(
            offers: "permessage-deflate; server_max_window_bits=10",
            response: "permessage-deflate; server_max_window_bits=10",
            parameters: Parameters(serverMaxWindowBits: 10)
        ),
        .init(
            options: Options(serverMaxWindowBits: 9),
            offers: "permessage-deflate; server_max_window_bits=12",
            response: "permessage-deflate; server_max_window_bits=9",
            parameters: Parameters(serverMaxWindowBits: 9)
        ),
        .init(
            options: Options(serverMaxWindowBits: 13),
            offers: "permessage-deflate; server_max_window_bits=12",
            response: "permessage-deflate; server_max_window_bits=12",
            parameters: Parameters(serverMaxWindowBits: 12)
        ),
        .init(
            options: Options(serverMaxWindowBits: 11),
            offers: "permessage-deflate",
            response: "permessage-deflate; server_max_window_bits=11",
            parameters: Parameters(serverMaxWindowBits: 11)
        ),
        // Window 8 is accepted (compressed with distance-one matches only).
        .init(
            offers: "permessage-deflate; server_max_window_bits=8",
            response: "permessage-deflate; server_max_window_bits=8",
            parameters: Parameters(serverMaxWindowBits: 8)
        ),
        // Quoted values (RFC 6455 §9.1).
        .init(
            offers: "permessage-deflate; server_max_window_bits=\"10\"; client_max_window_bits=\"11\"",
            response: "permessage-deflate; server_max_window_bits=10; client_max_window_bits=11",
            parameters: Parameters(serverMaxWindowBits: 10, clientMaxWindowBits: 11)
        ),
        // no_context_takeover, requested or imposed.
        .init(
            offers: "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            response: "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            parameters: Parameters(serverNoContextTakeover: true, clientNoContextTakeover: true)
        ),
        .init(
            options: Options(serverNoContextTakeover: true, clientNoContextTakeover: true),
            offers: "permessage-deflate",
            response: "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            parameters: Parameters(serverNoContextTakeover: true, clientNoContextTakeover: true)
        ),
        // Several offers: invalid ones are declined, the first valid one wins.
        .init(
            offers: "permessage-deflate; server_max_window_bits=7, permessage-deflate; foo, "
                + "permessage-deflate; client_max_window_bits=11, permessage-deflate",
            response: "permessage-deflate; client_max_window_bits=11",
            parameters: Parameters(clientMaxWindowBits: 11)
        ),
        .init(
            offers: "permessage-deflate; server_no_context_takeover; server_no_context_takeover, "
                + "permessage-deflate; server_max_window_bits=10",
            response: "permessage-deflate; server_max_window_bits=10",
            parameters: Parameters(serverMaxWindowBits: 10)
        ),
        // Other extensions are skipped.
        .init(
            offers: "x-webkit-deflate-frame, permessage-deflate; client_no_context_takeover",
            response: "permessage-deflate; client_no_context_takeover",
            parameters: Parameters(clientNoContextTakeover: true)
        ),
        .init(offers: "PerMessage-Deflate", response: "permessage-deflate", parameters: Parameters()),
        // Nothing acceptable.
        .init(offers: "x-webkit-deflate-frame", response: nil),
        .init(offers: "permessage-deflate; server_max_window_bits=16", response: nil),
        .init(offers: "permessage-deflate; server_max_window_bits=010", response: nil),
        .init(offers: "permessage-deflate; server_max_window_bits", response: nil),
        .init(offers: "permessage-deflate; client_max_window_bits=ab", response: nil),
        .init(offers: "permessage-deflate; client_max_window_bits=\"\"", response: nil),
        .init(offers: "permessage-deflate; client_max_window_bits; client_max_window_bits=10", response: nil),
        .init(offers: "permessage-deflate; server_no_context_takeover=1", response: nil),
        .init(offers: "permessage-deflate; mux", response: nil),
        .init(offers: "permessage-deflate; foo, permessage-deflate; server_max_window_bits=20", response: nil),
    ]

    @Test(arguments: serverCases)
    func serverResponds(_ testCase: ServerCase) {
        let agreement = PerMessageDeflateNegotiator(options: testCase.options).respond(to: Self.parse(testCase.offers))
        #expect(agreement?.response.description == testCase.response)
        #expect(agreement?.parameters == testCase.parameters)
        if let agreement {
            // The response is valid in the client's eyes and means the same thing there,
            // whatever the client offered (here: everything it could have).
            let clientView = PerMessageDeflateNegotiator(options: Options())
            #expect(Self.parse(agreement.response.description) == [agreement.response])
            if let clientParameters = try? clientView.accept(agreement.response) {
                #expect(clientParameters.serverMaxWindowBits == agreement.parameters.serverMaxWindowBits)
                #expect(clientParameters.serverNoContextTakeover == agreement.parameters.serverNoContextTakeover)
            }
        }
    }

    struct DeclineCase: Sendable, CustomTestStringConvertible {
        var offer: String
        var error: NegotiationError
        var testDescription: String { offer }
    }

    static let declineCases: [DeclineCase] = [
        .init(offer: "permessage-deflate; foo", error: .unknownParameter("foo")),
        .init(offer: "permessage-deflate; foo=bar", error: .unknownParameter("foo")),
        .init(
            offer: "permessage-deflate; client_no_context_takeover; Client_No_Context_Takeover",
            error: .duplicateParameter("Client_No_Context_Takeover")
        ),
        .init(offer: "permessage-deflate; server_max_window_bits", error: .missingValue("server_max_window_bits")),
        .init(
            offer: "permessage-deflate; server_max_window_bits=7",
            error: .invalidWindowBits(name: "server_max_window_bits", value: "7")
        ),
        .init(
            offer: "permessage-deflate; client_max_window_bits=015",
            error: .invalidWindowBits(name: "client_max_window_bits", value: "015")
        ),
        .init(
            offer: "permessage-deflate; client_max_window_bits=100",
            error: .invalidWindowBits(name: "client_max_window_bits", value: "100")
        ),
        .init(
            offer: "permessage-deflate; server_no_context_takeover=\"x\"",
            error: .unexpectedValue(name: "server_no_context_takeover", value: "x")
        ),
        .init(offer: "deflate-frame", error: .notPerMessageDeflate("deflate-frame")),
    ]

    @Test(arguments: declineCases)
    func serverDeclinesInvalidOffer(_ testCase: DeclineCase) throws {
        let offers = Self.parse(testCase.offer)
        try #require(offers.count == 1)
        let negotiator = PerMessageDeflateNegotiator()
        let result = Result { () throws(NegotiationError) in try negotiator.respond(to: offers[0]) }
        #expect(result.map(\.response) == .failure(testCase.error))
        #expect(negotiator.respond(to: offers) == nil)
    }

    // MARK: - Both sides

    /// Client offer → server response → client acceptance: both ends agree, and their
    /// codecs talk to each other in both directions.
    @Test(arguments: [
        (Options(), Options()),
        (Options(serverNoContextTakeover: true), Options()),
        (Options(clientNoContextTakeover: true, serverMaxWindowBits: 8), Options(clientMaxWindowBits: 9)),
        (Options(clientMaxWindowBits: 11), Options(serverNoContextTakeover: true, serverMaxWindowBits: 10)),
        (Options(offersClientMaxWindowBits: false), Options(clientNoContextTakeover: true, clientMaxWindowBits: 8)),
        (
            Options(serverMaxWindowBits: 12, clientMaxWindowBits: 12),
            Options(serverMaxWindowBits: 9, clientMaxWindowBits: 8)
        ),
    ])
    func handshakeAgrees(clientOptions: Options, serverOptions: Options) throws {
        let client = PerMessageDeflateNegotiator(options: clientOptions)
        let server = PerMessageDeflateNegotiator(options: serverOptions)
        let offerHeader = WebSocketExtensionOffer.headerValue([client.offer()])
        let agreement = try #require(server.respond(to: Self.parse(offerHeader)))
        let responseHeader = WebSocketExtensionOffer.headerValue([agreement.response])
        let clientParameters = try client.accept(Self.parse(responseHeader)[0])
        #expect(clientParameters == agreement.parameters)

        let clientCodec = PerMessageDeflate(parameters: clientParameters, role: .client)
        let serverCodec = PerMessageDeflate(parameters: agreement.parameters, role: .server)
        for text in ["Hello", "Hello", String(repeating: "websocket ", count: 500)] {
            let up = try #require(clientCodec.encode(buffer(text)))
            #expect(try decodeMessage(serverCodec, up.bytes) == Array(text.utf8))
            let down = try #require(serverCodec.encode(buffer(text)))
            #expect(try decodeMessage(clientCodec, down.bytes) == Array(text.utf8))
        }
    }

    @Test func configurationPerRole() {
        let parameters = Parameters(
            serverNoContextTakeover: true,
            clientNoContextTakeover: false,
            serverMaxWindowBits: 9,
            clientMaxWindowBits: 12
        )
        #expect(
            parameters.configuration(for: .client)
                == PerMessageDeflateConfiguration(
                    sendNoContextTakeover: false,
                    receiveNoContextTakeover: true,
                    sendMaxWindowBits: 12,
                    receiveMaxWindowBits: 9
                )
        )
        #expect(
            parameters.configuration(for: .server)
                == PerMessageDeflateConfiguration(
                    sendNoContextTakeover: true,
                    receiveNoContextTakeover: false,
                    sendMaxWindowBits: 9,
                    receiveMaxWindowBits: 12
                )
        )
        #expect(PerMessageDeflate(parameters: parameters, role: .server).configuration.sendMaxWindowBits == 9)
    }

    /// The client's last step (ClientUpgradeHandler, FuzzHandshakeResponse): the first
    /// permessage-deflate element of the accepted extensions, in any letter case, or none.
    @Test func acceptResponseFindsThePermessageDeflateElement() throws {
        let client = PerMessageDeflateNegotiator(options: Options())
        #expect(try client.acceptResponse([]) == nil)
        #expect(try client.acceptResponse(Self.parse("x-other; a=1")) == nil)
        let agreed = try client.acceptResponse(Self.parse("x-other, PerMessage-Deflate; server_max_window_bits=10"))
        #expect(agreed == Parameters(serverMaxWindowBits: 10))
        #expect(throws: NegotiationError.self) { try client.acceptResponse(Self.parse("permessage-deflate; bogus")) }
    }
}
