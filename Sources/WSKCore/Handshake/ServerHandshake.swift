import HTTPTypes

/// The server's side of the opening handshake (RFC 6455 §4.2): a validated upgrade request,
/// and the responses to send.
///
/// Creating one validates a client's request (RFC 6455 §4.2.1) and keeps what the server
/// needs to answer it. Sans-IO: the caller parses the HTTP request head, passes its parts
/// in, and writes the `HTTPResponse` it gets back.
///
/// ```swift
/// func respond(to method: HTTPRequest.Method, _ fields: HTTPFields) throws(UsageError) -> HTTPResponse {
///     let handshake: ServerHandshake
///     do {
///         handshake = try ServerHandshake(method: method, httpVersion: (1, 1), headerFields: fields)
///     } catch {
///         return ServerHandshake.rejectionResponse(for: error)  // write it, then close
///     }
///     let subprotocol = handshake.selectSubprotocol(supported: ["chat"])
///     return try handshake.acceptResponse(subprotocol: subprotocol)  // write it, then speak frames
/// }
/// ```
/// (`HandshakeRoundTripTests` compiles and runs this example.)
///
/// - Note: `Origin` is recorded, not checked. RFC 6455 §10.2 leaves origin policy to the
///   server, so a caller that wants one compares ``origin`` and rejects with 403 itself.
///   The request target (path) is not interpreted either; routing is the caller's.
public struct ServerHandshake: Hashable, Sendable {
    /// The only WebSocket version this implementation speaks (RFC 6455 §4.1).
    public static let supportedVersion = "13"

    /// Which handshake the client made: an HTTP/1.1 upgrade (RFC 6455) or an HTTP/2
    /// extended CONNECT (RFC 8441). The responses differ; see ``acceptResponse(subprotocol:extensions:additionalHeaderFields:)``.
    public let shape: HandshakeShape
    /// The client's `Sec-WebSocket-Key`, as sent (whitespace trimmed); empty for an
    /// extended CONNECT, which has none (RFC 8441 §5).
    public let key: String
    /// The `Host` header (or the `:authority` pseudo-header), for example `example.com:8080`.
    public let host: String
    /// The `Origin` header, or `nil` if the client sent none (RFC 6455 §4.2.1 item 7).
    public let origin: String?
    /// The subprotocols the client offered, most preferred first: every
    /// `Sec-WebSocket-Protocol` line, comma-split and trimmed.
    public let offeredSubprotocols: [String]
    /// The extensions the client offered, in order, from every `Sec-WebSocket-Extensions`
    /// line.
    public let offeredExtensions: [WebSocketExtensionOffer]

    /// Validates a client's upgrade request.
    ///
    /// The checks follow RFC 6455 §4.2.1, except that `Sec-WebSocket-Version` is checked
    /// before `Sec-WebSocket-Key`: a client speaking another version may not send a key of
    /// this version's form, and should get 426 with the version this server speaks rather
    /// than a 400 about its key.
    ///
    /// - Parameters:
    ///   - method: the request method.
    ///   - httpVersion: the HTTP version from the request line.
    ///   - headerFields: the request header fields.
    ///   - authority: the `:authority` pseudo-header, for callers whose HTTP layer moved
    ///     `Host` there (NIO's `HTTPRequest(_:)` conversion does); it takes precedence over
    ///     a `Host` field. `nil` to read the `Host` field.
    /// - Throws: the first ``HandshakeFailure`` found. Reply with
    ///   ``rejectionResponse(for:)``: RFC 6455 §4.2.1 says the server "MUST stop processing
    ///   the client's handshake and return an HTTP response with an appropriate error code".
    public init(
        method: HTTPRequest.Method,
        httpVersion: (major: Int, minor: Int),
        headerFields: HTTPFields,
        authority: String? = nil
    ) throws(HandshakeFailure) {
        // RFC 6455 §4.1: "The method of the request MUST be GET, and the HTTP version MUST
        // be at least 1.1."
        guard method == .get else { throw .methodNotAllowed(method.rawValue) }
        guard httpVersion.major > 1 || (httpVersion.major == 1 && httpVersion.minor >= 1) else {
            throw .unsupportedHTTPVersion(major: httpVersion.major, minor: httpVersion.minor)
        }

        // RFC 6455 §4.2.1 item 2: "A |Host| header field containing the server's authority."
        // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any
        // HTTP/1.1 request message that lacks a Host header field and to any request message
        // that contains more than one Host header field line or a Host header field with an
        // invalid field value."
        if let authority, !authority.isEmpty {
            self.host = authority
        } else {
            let hosts = headerFields[values: .hostField]
            guard hosts.count <= 1 else { throw .duplicateHostHeader }
            guard let host = hosts.first, !host.isEmpty else { throw .missingHostHeader }
            self.host = host
        }

        // RFC 6455 §4.2.1 item 3: "An |Upgrade| header field containing the value
        // "websocket", treated as an ASCII case-insensitive value."
        guard let upgrade = headerFields[.upgrade] else { throw .missingUpgradeHeader }
        guard headerFields.containsToken("websocket", in: .upgrade) else { throw .invalidUpgradeHeader(upgrade) }

        // RFC 6455 §4.2.1 item 4: "A |Connection| header field that includes the token
        // "Upgrade", treated as an ASCII case-insensitive value."
        guard let connection = headerFields[.connection] else { throw .missingConnectionHeader }
        guard headerFields.containsToken("upgrade", in: .connection) else {
            throw .invalidConnectionHeader(connection)
        }

        let common = try Self.validateCommonFields(headerFields)
        // RFC 6455 §4.2.1 item 5: "A |Sec-WebSocket-Key| header field with a base64-encoded
        // (see Section 4 of [RFC4648]) value that, when decoded, is 16 bytes in length."
        // RFC 6455 §11.3.1: "The |Sec-WebSocket-Key| header field MUST NOT appear more than
        // once in an HTTP request."
        let keys = headerFields[values: .secWebSocketKey]
        guard let rawKey = keys.first else { throw .missingKey }
        guard keys.count == 1 else { throw .duplicateKey }
        let key = HeaderValue.trimmingWhitespace(rawKey)
        guard let decodedKey = Base64.decode(key) else { throw .malformedKey(rawKey) }
        guard decodedKey.count == 16 else { throw .invalidKeyLength(decodedKey.count) }
        self.key = key
        self.shape = .upgrade
        self.origin = common.origin
        self.offeredSubprotocols = common.subprotocols
        self.offeredExtensions = common.extensions
    }

    /// What both handshake shapes check the same way: the version, then the optional
    /// origin, subprotocols and extensions (RFC 6455 §4.2.1 items 6-9; RFC 8441 §5 keeps
    /// them on HTTP/2).
    ///
    /// `Sec-WebSocket-Version` is checked before the key (see the initialiser), so a
    /// client of another version hears which one this server speaks.
    static func validateCommonFields(
        _ headerFields: HTTPFields
    ) throws(HandshakeFailure) -> (origin: String?, subprotocols: [String], extensions: [WebSocketExtensionOffer]) {
        // RFC 6455 §4.2.1 item 6: "A |Sec-WebSocket-Version| header field, with a value of 13."
        // RFC 6455 §11.3.5: "The |Sec-WebSocket-Version| header field MUST NOT appear more
        // than once in an HTTP request."
        let versions = headerFields[values: .secWebSocketVersion]
        guard let version = versions.first else { throw .missingVersionHeader }
        guard versions.count == 1 else { throw .duplicateVersionHeader }
        guard HeaderValue.trimmingWhitespace(version) == Self.supportedVersion else {
            throw .unsupportedVersion(version)
        }
        // RFC 6455 §4.2.1 item 7: "Optionally, an |Origin| header field."
        // RFC 6455 §4.2.1 item 8: "Optionally, a |Sec-WebSocket-Protocol| header field, with
        // a list of values indicating which protocols the client would like to speak,
        // ordered by preference." Several lines form one list (RFC 9110 §5.3).
        // RFC 6455 §4.2.1 item 9: "Optionally, a |Sec-WebSocket-Extensions| header field,
        // with a list of values indicating which extensions the client would like to speak."
        do throws(ExtensionHeaderParser.ParseError) {
            return (
                headerFields[.origin],
                headerFields.listElements(.secWebSocketProtocol),
                try ExtensionHeaderParser.parse(headerFields[values: .secWebSocketExtensions])
            )
        } catch {
            throw .malformedExtensionHeader(error)
        }
    }

    /// Validates a client's upgrade request given as an `HTTPRequest`; see
    /// ``init(method:httpVersion:headerFields:authority:)``. The request's `:authority`, if
    /// any, is the host.
    ///
    /// - Parameters:
    ///   - request: the request head.
    ///   - httpVersion: the HTTP version from the request line, which `HTTPRequest` does not
    ///     carry.
    public init(request: HTTPRequest, httpVersion: (major: Int, minor: Int)) throws(HandshakeFailure) {
        try self.init(
            method: request.method,
            httpVersion: httpVersion,
            headerFields: request.headerFields,
            authority: request.authority
        )
    }

    /// The `Sec-WebSocket-Accept` value for this request's key (RFC 6455 §4.2.2).
    public var acceptKey: String { AcceptKey.compute(forKey: key) }

    /// The first subprotocol the client offered that the server supports, or `nil`.
    ///
    /// The client's order decides: RFC 6455 §4.2.1 says the client lists its subprotocols
    /// "ordered by preference". Names compare exactly.
    ///
    /// - Parameters:
    ///   - offered: the client's subprotocols, most preferred first.
    ///   - supported: the subprotocols this server speaks.
    /// - Returns: the subprotocol to pass to
    ///   ``acceptResponse(subprotocol:extensions:additionalHeaderFields:)``.
    public static func selectSubprotocol(offered: [String], supported: [String]) -> String? {
        offered.first { supported.contains($0) }
    }

    /// The first subprotocol in ``offeredSubprotocols`` that the server supports, or `nil`.
    /// See ``selectSubprotocol(offered:supported:)``.
    public func selectSubprotocol(supported: [String]) -> String? {
        Self.selectSubprotocol(offered: offeredSubprotocols, supported: supported)
    }

    /// The response that accepts the connection: 101 Switching Protocols for an upgrade,
    /// 200 for an extended CONNECT (RFC 8441 §5, with only the `Sec-WebSocket-Protocol` and
    /// `Sec-WebSocket-Extensions` fields, then `additionalHeaderFields`).
    ///
    /// Header fields, in order: `Upgrade: websocket`, `Connection: Upgrade`,
    /// `Sec-WebSocket-Accept`, then `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions`
    /// when given, then `additionalHeaderFields`.
    ///
    /// - Parameters:
    ///   - subprotocol: the selected subprotocol, which must be one the client offered, or
    ///     `nil` for none.
    ///   - extensions: the accepted extensions with the parameters the server answers with,
    ///     in the order they apply; each name must be one the client offered.
    ///   - additionalHeaderFields: extra fields, such as `Set-Cookie`. They may not contain
    ///     the fields the handshake sets (`Upgrade`, `Connection`, `Sec-WebSocket-*`).
    /// - Throws: ``UsageError/unofferedSubprotocol(_:)``, ``UsageError/unofferedExtension(_:)``
    ///   or ``UsageError/reservedHeaderField(_:)``.
    public func acceptResponse(
        subprotocol: String? = nil,
        extensions: [WebSocketExtensionOffer] = [],
        additionalHeaderFields: HTTPFields = [:]
    ) throws(UsageError) -> HTTPResponse {
        // RFC 6455 §4.2.2: the selected subprotocol "MUST be derived from the values in the
        // client's handshake, specifically by selecting one of the values from the
        // |Sec-WebSocket-Protocol| field"; a server that selects none "MUST NOT send back a
        // |Sec-WebSocket-Protocol| header field in its response".
        if let subprotocol, !offeredSubprotocols.contains(subprotocol) {
            throw .unofferedSubprotocol(subprotocol)
        }
        // RFC 6455 §9.1: "the server MUST NOT include in its response any extension that
        // the client did not include in its opening handshake" (§4.1 has the client fail
        // the connection over it).
        for response in extensions
        where !offeredExtensions.contains(where: { HeaderValue.equalsIgnoringASCIICase($0.name, response.name) }) {
            throw .unofferedExtension(response.name)
        }
        for field in additionalHeaderFields where ClientHandshake.handshakeFieldNames.contains(field.name) {
            throw .reservedHeaderField(field.name.rawName)
        }

        if shape == .extendedConnect {
            // RFC 8441 §5: "the Sec-WebSocket-Accept header field ... [is] not used"; a 2xx
            // status accepts the stream. RFC 9113 §8.2.2: HTTP/2 messages carry no
            // connection-specific fields (Upgrade, Connection).
            var fields = HTTPFields()
            if let subprotocol { fields[.secWebSocketProtocol] = subprotocol }
            if !extensions.isEmpty { fields[.secWebSocketExtensions] = WebSocketExtensionOffer.headerValue(extensions) }
            fields.append(contentsOf: additionalHeaderFields)
            return HTTPResponse(status: .ok, headerFields: fields)
        }
        // RFC 6455 §4.2.2 item 5: the response's status line is 101, it has "An |Upgrade|
        // header field with value "websocket"", "A |Connection| header field with value
        // "Upgrade"" and "A |Sec-WebSocket-Accept| header field".
        var fields: HTTPFields = [
            .upgrade: "websocket",
            .connection: "Upgrade",
            .secWebSocketAccept: acceptKey,
        ]
        if let subprotocol {
            fields[.secWebSocketProtocol] = subprotocol
        }
        if !extensions.isEmpty {
            fields[.secWebSocketExtensions] = WebSocketExtensionOffer.headerValue(extensions)
        }
        fields.append(contentsOf: additionalHeaderFields)
        return HTTPResponse(status: .switchingProtocols, headerFields: fields)
    }

    /// The response that rejects a request for `failure`: its ``HandshakeFailure/status``
    /// (400 when it has none) and ``HandshakeFailure/responseHeaderFields``.
    ///
    /// The response has no body and no framing header; the caller adds `Content-Length`
    /// (and a body, if it wants one) before writing it, then closes the connection.
    public static func rejectionResponse(for failure: HandshakeFailure) -> HTTPResponse {
        HTTPResponse(status: failure.status ?? .badRequest, headerFields: failure.responseHeaderFields)
    }

    /// The response that rejects a request of `shape` for `failure`. For an upgrade it is
    /// ``rejectionResponse(for:)``; for an extended CONNECT see
    /// ``HandshakeFailure/status(for:)`` and ``HandshakeFailure/responseHeaderFields(for:)``
    /// (no `Upgrade` or `Connection` on HTTP/2).
    public static func rejectionResponse(for failure: HandshakeFailure, shape: HandshakeShape) -> HTTPResponse {
        HTTPResponse(status: failure.status(for: shape) ?? .badRequest, headerFields: failure.responseHeaderFields(for: shape))
    }
}
