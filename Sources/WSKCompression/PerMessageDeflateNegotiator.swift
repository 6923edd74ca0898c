import WSKCore

/// Negotiates permessage-deflate (RFC 7692 §5, §7.1) over parsed
/// `Sec-WebSocket-Extensions` elements. Pure: no zlib, no I/O.
///
/// - A client calls ``offer()`` for its request header and ``accept(_:)`` on the server's
///   permessage-deflate response element; a failure there must fail the connection.
/// - A server calls `respond(to:)` on the client's offers, in
///   order, and sends back the response of the first acceptable one.
///
/// Both produce ``PerMessageDeflateParameters``; build the codec with
/// ``PerMessageDeflate/init(parameters:role:compressionLevel:)``.
///
/// - Note: every value-bearing parameter is checked strictly (RFC 7692 §7.1.2: "a decimal
///   integer value without leading zeroes between 8 to 15 inclusive"). Quoted values such
///   as `server_max_window_bits="10"` are accepted, since ``ExtensionHeaderParser`` hands
///   over the unquoted text and RFC 6455 §9.1 only asks that it then be a token.
public struct PerMessageDeflateNegotiator: Hashable, Sendable {
    /// The registered extension token.
    public static let extensionName = "permessage-deflate"

    /// What the server sends back for an accepted offer, and what both ends then use.
    public struct ServerAgreement: Hashable, Sendable {
        /// The element to put in the response's `Sec-WebSocket-Extensions`.
        public var response: WebSocketExtensionOffer
        /// The parameters the response establishes.
        public var parameters: PerMessageDeflateParameters
    }

    /// This endpoint's wishes.
    public var options: PerMessageDeflateOptions

    /// Creates a negotiator.
    ///
    /// - Precondition: the options' window bits are `nil` or in 8...15.
    public init(options: PerMessageDeflateOptions = PerMessageDeflateOptions()) {
        options.checkPreconditions()
        self.options = options
    }

    // MARK: - Client

    /// The client's offer, for example
    /// `permessage-deflate; client_max_window_bits` (the default options).
    ///
    /// `client_max_window_bits` is included, value-less unless
    /// ``PerMessageDeflateOptions/clientMaxWindowBits`` is set, whenever
    /// ``PerMessageDeflateOptions/offersClientMaxWindowBits`` is on (RFC 7692 §7.1.2.2).
    public func offer() -> WebSocketExtensionOffer {
        var parameters: [WebSocketExtensionOffer.Parameter] = []
        if options.serverNoContextTakeover { parameters.append(.init(name: Name.serverNoContextTakeover)) }
        if options.clientNoContextTakeover { parameters.append(.init(name: Name.clientNoContextTakeover)) }
        if let bits = options.serverMaxWindowBits {
            parameters.append(.init(name: Name.serverMaxWindowBits, value: String(bits)))
        }
        if let bits = options.clientMaxWindowBits {
            parameters.append(.init(name: Name.clientMaxWindowBits, value: String(bits)))
        } else if options.offersClientMaxWindowBits {
            parameters.append(.init(name: Name.clientMaxWindowBits))
        }
        return WebSocketExtensionOffer(name: Self.extensionName, parameters: parameters)
    }

    /// Validates the server's response to ``offer()`` and returns what was agreed.
    ///
    /// - Parameter response: the permessage-deflate element of the server's
    ///   `Sec-WebSocket-Extensions`.
    /// - Returns: the agreed parameters. A `client_no_context_takeover` this client
    ///   announced holds even if the response omits it; a `client_max_window_bits` this
    ///   client promised caps the response's value.
    /// - Throws: ``PerMessageDeflateNegotiationError``. RFC 7692 §7: "A client MUST _Fail
    ///   the WebSocket Connection_ if" the response "contains an extension parameter not
    ///   defined for use in a response", one "with an invalid value", "multiple extension
    ///   parameters with the same name", or a configuration the client does not support.
    public func accept(_ response: WebSocketExtensionOffer) throws(PerMessageDeflateNegotiationError)
        -> PerMessageDeflateParameters
    {
        let received = try Self.parse(response)

        // RFC 7692 §7.1.1.1: "A server accepts an extension negotiation offer that includes
        // the "server_no_context_takeover" extension parameter by including it in the response".
        if options.serverNoContextTakeover && !received.serverNoContextTakeover {
            throw .missingServerNoContextTakeover
        }

        // RFC 7692 §7.1.2.1: the server answers "with the same or smaller value as the offer".
        // Without a request, the server MAY still limit its own window.
        if let requested = options.serverMaxWindowBits {
            guard let bits = received.serverMaxWindowBits else {
                throw .missingServerMaxWindowBits(requested: requested)
            }
            guard bits <= requested else { throw .serverMaxWindowBitsTooLarge(requested: requested, received: bits) }
        }

        var clientMaxWindowBits = options.clientMaxWindowBits ?? 15
        switch received.clientMaxWindowBits {
        case .absent:
            break
        case .valueless:
            // RFC 7692 §7.1.2.2: in a response the parameter "MUST have a value".
            throw .missingValue(Name.clientMaxWindowBits)
        case .value(let bits):
            // RFC 7692 §7.1.2.2: without the parameter in the offer, the server "MUST NOT
            // include" it in the response.
            guard options.clientMaxWindowBits != nil || options.offersClientMaxWindowBits else {
                throw .clientMaxWindowBitsNotOffered
            }
            clientMaxWindowBits = min(clientMaxWindowBits, bits)
        }

        return PerMessageDeflateParameters(
            serverNoContextTakeover: received.serverNoContextTakeover,
            clientNoContextTakeover: received.clientNoContextTakeover || options.clientNoContextTakeover,
            serverMaxWindowBits: received.serverMaxWindowBits ?? 15,
            clientMaxWindowBits: clientMaxWindowBits
        )
    }

    /// The client's last step: finds the permessage-deflate element among the extensions
    /// the server accepted (``ClientHandshake``'s ``HandshakeOutcome/extensions``) and
    /// validates it with ``accept(_:)``.
    ///
    /// - Returns: the agreed parameters, or `nil` when the server accepted no
    ///   permessage-deflate (then messages go uncompressed).
    /// - Throws: what ``accept(_:)`` throws for the first permessage-deflate element.
    public func acceptResponse(_ extensions: [WebSocketExtensionOffer]) throws(PerMessageDeflateNegotiationError)
        -> PerMessageDeflateParameters?
    {
        guard let element = extensions.first(where: { Self.isPerMessageDeflate($0.name) }) else { return nil }
        return try accept(element)
    }

    // MARK: - Server

    /// Picks the first acceptable permessage-deflate offer and answers it.
    ///
    /// Elements naming other extensions are skipped. Invalid permessage-deflate offers are
    /// declined and the next one is tried (RFC 7692 §5: the server "accepts" at most one
    /// and the client lists them "in order of preference").
    ///
    /// - Returns: the response and agreed parameters, or `nil` when no offer is acceptable
    ///   (then the response carries no permessage-deflate element).
    public func respond(to offers: [WebSocketExtensionOffer]) -> ServerAgreement? {
        for offer in offers where Self.isPerMessageDeflate(offer.name) {
            if let agreement = try? respond(to: offer) {
                return agreement
            }
        }
        return nil
    }

    /// Answers one offer, or says why it must be declined.
    ///
    /// Every valid offer is accepted. `wsk`'s compressor honours any window 8...15 (see
    /// ``PerMessageDeflate`` on window 8), so no `server_max_window_bits` request is refused.
    /// - `server_no_context_takeover` is included when the offer asks for it or
    ///   ``PerMessageDeflateOptions/serverNoContextTakeover`` is set.
    /// - `client_no_context_takeover` is included when the offer announces it (so the
    ///   client's window is not kept needlessly) or the options impose it.
    /// - `server_max_window_bits` is the smaller of the offer's and the options' values,
    ///   included if either is set.
    /// - `client_max_window_bits` is included only if the offer has it (RFC 7692 §7.1.2.2
    ///   "MUST NOT" otherwise), with the smaller of the offer's and the options' values;
    ///   a value-less offer with no server preference leaves it out (32 KiB).
    ///
    /// - Throws: ``PerMessageDeflateNegotiationError`` when the offer is invalid. RFC 7692
    ///   §7: "A server MUST decline an extension negotiation offer for this extension if"
    ///   it contains "an extension parameter not defined for use in an offer", one "with
    ///   an invalid value", or "multiple extension parameters with the same name".
    public func respond(to offer: WebSocketExtensionOffer) throws(PerMessageDeflateNegotiationError)
        -> ServerAgreement
    {
        let requested = try Self.parse(offer)

        let serverNoContextTakeover = requested.serverNoContextTakeover || options.serverNoContextTakeover
        let clientNoContextTakeover = requested.clientNoContextTakeover || options.clientNoContextTakeover
        let serverMaxWindowBits = [requested.serverMaxWindowBits, options.serverMaxWindowBits].compactMap { $0 }.min()
        let clientMaxWindowBits: Int?
        switch requested.clientMaxWindowBits {
        case .absent:
            clientMaxWindowBits = nil
        case .valueless:
            clientMaxWindowBits = options.clientMaxWindowBits
        case .value(let bits):
            clientMaxWindowBits = min(bits, options.clientMaxWindowBits ?? 15)
        }

        var parameters: [WebSocketExtensionOffer.Parameter] = []
        if serverNoContextTakeover { parameters.append(.init(name: Name.serverNoContextTakeover)) }
        if clientNoContextTakeover { parameters.append(.init(name: Name.clientNoContextTakeover)) }
        if let bits = serverMaxWindowBits {
            parameters.append(.init(name: Name.serverMaxWindowBits, value: String(bits)))
        }
        if let bits = clientMaxWindowBits {
            parameters.append(.init(name: Name.clientMaxWindowBits, value: String(bits)))
        }

        return ServerAgreement(
            response: WebSocketExtensionOffer(name: Self.extensionName, parameters: parameters),
            parameters: PerMessageDeflateParameters(
                serverNoContextTakeover: serverNoContextTakeover,
                clientNoContextTakeover: clientNoContextTakeover,
                serverMaxWindowBits: serverMaxWindowBits ?? 15,
                clientMaxWindowBits: clientMaxWindowBits ?? 15
            )
        )
    }

    // MARK: - Parsing

    /// The parameter names of RFC 7692 §7.1.
    enum Name {
        static let serverNoContextTakeover = "server_no_context_takeover"
        static let clientNoContextTakeover = "client_no_context_takeover"
        static let serverMaxWindowBits = "server_max_window_bits"
        static let clientMaxWindowBits = "client_max_window_bits"
    }

    /// `client_max_window_bits` is the one parameter with an optional value.
    enum WindowBitsParameter: Hashable {
        case absent
        case valueless
        case value(Int)
    }

    /// One element's parameters, syntax-checked but not yet judged against the other side.
    struct ParsedParameters: Hashable {
        var serverNoContextTakeover = false
        var clientNoContextTakeover = false
        var serverMaxWindowBits: Int? = nil
        var clientMaxWindowBits = WindowBitsParameter.absent
    }

    /// Whether `name` is permessage-deflate (tokens compare case-insensitively).
    static func isPerMessageDeflate(_ name: String) -> Bool {
        asciiLowercased(name) == extensionName
    }

    /// Checks names, duplicates and values of one permessage-deflate element.
    static func parse(_ element: WebSocketExtensionOffer) throws(PerMessageDeflateNegotiationError) -> ParsedParameters
    {
        guard isPerMessageDeflate(element.name) else { throw .notPerMessageDeflate(element.name) }
        var parsed = ParsedParameters()
        var seen: Set<String> = []
        for parameter in element.parameters {
            let name = asciiLowercased(parameter.name)
            // RFC 7692 §7: an offer or response with "multiple extension parameters with the
            // same name" is declined / fails the connection.
            guard seen.insert(name).inserted else { throw .duplicateParameter(parameter.name) }
            switch name {
            case Name.serverNoContextTakeover, Name.clientNoContextTakeover:
                // RFC 7692 §7.1.1: "This extension parameter has no value."
                if let value = parameter.value { throw .unexpectedValue(name: parameter.name, value: value) }
                if name == Name.serverNoContextTakeover {
                    parsed.serverNoContextTakeover = true
                } else {
                    parsed.clientNoContextTakeover = true
                }
            case Name.serverMaxWindowBits:
                // RFC 7692 §7.1.2.1: "This parameter has a decimal integer value".
                guard let value = parameter.value else { throw .missingValue(parameter.name) }
                parsed.serverMaxWindowBits = try windowBits(name: parameter.name, value: value)
            case Name.clientMaxWindowBits:
                // RFC 7692 §7.1.2.2: "This parameter has no value or a decimal integer value".
                if let value = parameter.value {
                    parsed.clientMaxWindowBits = .value(try windowBits(name: parameter.name, value: value))
                } else {
                    parsed.clientMaxWindowBits = .valueless
                }
            default:
                throw .unknownParameter(parameter.name)
            }
        }
        return parsed
    }

    /// RFC 7692 §7.1.2: "a decimal integer value without leading zeroes between 8 to 15
    /// inclusive". So `9` and `15`, never `09`, `+9`, ` 9`, `0x9` or `16`.
    static func windowBits(name: String, value: String) throws(PerMessageDeflateNegotiationError) -> Int {
        let digits = Array(value.utf8)
        guard (1...2).contains(digits.count),
            digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            digits[0] != UInt8(ascii: "0")
        else { throw .invalidWindowBits(name: name, value: value) }
        let bits = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard PerMessageDeflateOptions.validWindowBits.contains(bits) else {
            throw .invalidWindowBits(name: name, value: value)
        }
        return bits
    }

    static func asciiLowercased(_ text: String) -> String {
        String(
            decoding: text.utf8.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 },
            as: UTF8.self
        )
    }
}
