import HTTPTypes

/// The client's side of the opening handshake (RFC 6455 §4.1): builds the upgrade request
/// and checks the server's response.
///
/// Sans-IO: it turns values into an `HTTPRequest` and an `HTTPResponse`'s parts into a
/// ``HandshakeOutcome`` and never touches a socket. The caller writes ``request`` as
/// HTTP/1.1, reads the response head, and passes its status and fields to
/// ``validateResponse(status:headerFields:)``.
///
/// ```swift
/// var generator = SystemRandomNumberGenerator()
/// let handshake = try ClientHandshake(
///     target: .init(host: "example.com", path: "/chat"),
///     subprotocols: ["chat"],
///     using: &generator
/// )
/// // write handshake.request, read the response head, then:
/// let outcome = try handshake.validateResponse(status: 101, headerFields: responseFields)
/// ```
/// (`HandshakeRoundTripTests` compiles and runs this example.)
///
/// - Note: Redirects (3xx) and authentication (401) are not followed: they surface as
///   ``HandshakeFailure/unexpectedStatus(_:)`` for the caller to act on, as RFC 6455 §4.1
///   leaves them to ordinary HTTP handling.
public struct ClientHandshake: Hashable, Sendable {
    /// Where the request goes: the parts of a `ws://` or `wss://` URI (RFC 6455 §3).
    public struct Target: Hashable, Sendable {
        /// The host name or IP address, without brackets, for example `example.com`,
        /// `127.0.0.1` or `::1`. An IPv6 literal is bracketed in ``authority``.
        public var host: String
        /// The TCP port, or `nil` for the scheme's default (80 for `ws`, 443 for `wss`).
        public var port: Int?
        /// The request target in origin form: the path and optional query, for example
        /// `/chat?room=1`. It must start with `/` and carry no fragment.
        public var path: String
        /// Whether the connection uses TLS (`wss`).
        public var isSecure: Bool

        /// Creates a target.
        ///
        /// - Parameters:
        ///   - host: the host name or IP address (an IPv6 literal with or without brackets).
        ///   - port: the port, or `nil` for the scheme's default.
        ///   - path: the path and query; `/` by default.
        ///   - isSecure: `true` for `wss`.
        public init(host: String, port: Int? = nil, path: String = "/", isSecure: Bool = false) {
            self.host = host
            self.port = port
            self.path = path
            self.isSecure = isSecure
        }

        /// The scheme's default port: 443 for `wss`, 80 for `ws` (RFC 6455 §3).
        public var defaultPort: Int { isSecure ? 443 : 80 }

        /// The port to connect to: ``port`` or the default.
        public var effectivePort: Int { port ?? defaultPort }

        /// The `Host` header value: the host, bracketed if it is an IPv6 literal, followed
        /// by `:port` only when the port is not the scheme's default.
        ///
        /// RFC 6455 §4.1: the request "MUST contain a |Host| header field whose value
        /// contains /host/ plus optionally ":" followed by /port/ (when not using the
        /// default port)."
        public var authority: String {
            var text = hostForAuthority
            if effectivePort != defaultPort {
                text += ":\(effectivePort)"
            }
            return text
        }

        var hostForAuthority: String {
            if host.hasPrefix("[") { return host }
            // RFC 3986 §3.2.2: an IPv6 literal is enclosed in brackets.
            return host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        }

        func validate() throws(UsageError) {
            try Self.validateHost(host)
            if let port, !(1...65535).contains(port) {
                throw .invalidPort(port)
            }
            // RFC 6455 §3: "Fragment identifiers are meaningless in the context of
            // WebSocket URIs and MUST NOT be used on these URIs."
            let pathBytes = Array(path.utf8)
            guard pathBytes.first == UInt8(ascii: "/"),
                !pathBytes.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "#") })
            else {
                throw .invalidRequestTarget(path)
            }
        }

        private static func validateHost(_ host: String) throws(UsageError) {
            var bytes = Array(host.utf8)
            if bytes.first == UInt8(ascii: "[") {
                guard bytes.count > 2, bytes.last == UInt8(ascii: "]") else { throw .invalidHost(host) }
                bytes = Array(bytes.dropFirst().dropLast())
            }
            let forbidden: Set<UInt8> = [
                UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "@"),
                UInt8(ascii: "["), UInt8(ascii: "]"),
            ]
            guard !bytes.isEmpty, !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F || forbidden.contains($0) })
            else {
                throw .invalidHost(host)
            }
        }
    }

    /// The fields the handshake sets itself; ``additionalHeaderFields`` may not contain them.
    static let handshakeFieldNames: [HTTPField.Name] = [
        .hostField, .upgrade, .connection, .secWebSocketKey, .secWebSocketVersion, .secWebSocketProtocol,
        .secWebSocketExtensions, .secWebSocketAccept,
    ]

    /// Where the request goes.
    public let target: Target
    /// The `Origin` header value, for example `https://example.com`, or `nil` to send none.
    /// RFC 6455 §4.1 requires it only of browser clients.
    public let origin: String?
    /// The subprotocols offered, most preferred first (`Sec-WebSocket-Protocol`).
    public let subprotocols: [String]
    /// The extensions offered, in order of preference (`Sec-WebSocket-Extensions`).
    public let extensions: [WebSocketExtensionOffer]
    /// Extra header fields sent after the handshake's own, for example `Authorization`.
    public let additionalHeaderFields: HTTPFields
    /// The `Sec-WebSocket-Key` sent: base64 of 16 random bytes.
    public let key: String

    /// Prepares a handshake with a fresh random key.
    ///
    /// RFC 6455 §4.1: the key "MUST be a nonce consisting of a randomly selected 16-byte
    /// value that has been base64-encoded"; "The nonce MUST be selected randomly for each
    /// connection." Pass `SystemRandomNumberGenerator` in production and a seeded
    /// generator in tests.
    ///
    /// - Parameters:
    ///   - target: where the request goes.
    ///   - origin: the `Origin` header value, or `nil` for none.
    ///   - subprotocols: the subprotocols to offer, most preferred first; each must be an
    ///     HTTP token and appear once.
    ///   - extensions: the extensions to offer.
    ///   - additionalHeaderFields: extra fields, such as `Authorization`. They may not
    ///     contain fields the handshake sets (`Host`, `Upgrade`, `Connection`,
    ///     `Sec-WebSocket-*`), nor `Origin` when `origin` is given.
    ///   - generator: the source of the key's 16 random bytes.
    /// - Throws: ``UsageError/invalidHost(_:)``, ``UsageError/invalidPort(_:)``,
    ///   ``UsageError/invalidRequestTarget(_:)``, ``UsageError/invalidSubprotocol(_:)``,
    ///   ``UsageError/duplicateSubprotocol(_:)`` or ``UsageError/reservedHeaderField(_:)``.
    public init(
        target: Target,
        origin: String? = nil,
        subprotocols: [String] = [],
        extensions: [WebSocketExtensionOffer] = [],
        additionalHeaderFields: HTTPFields = [:],
        using generator: inout some RandomNumberGenerator
    ) throws(UsageError) {
        try self.init(
            target: target,
            origin: origin,
            subprotocols: subprotocols,
            extensions: extensions,
            additionalHeaderFields: additionalHeaderFields,
            key: Self.makeKey(using: &generator)
        )
    }

    /// Prepares a handshake with a given key. Internal: production keys must be random.
    init(
        target: Target,
        origin: String?,
        subprotocols: [String],
        extensions: [WebSocketExtensionOffer],
        additionalHeaderFields: HTTPFields,
        key: String
    ) throws(UsageError) {
        try target.validate()
        var seen: Set<String> = []
        for subprotocol in subprotocols {
            // RFC 6455 §4.1: the elements "MUST be non-empty strings with characters in the
            // range U+0021 to U+007E not including separator characters as defined in
            // [RFC2616] and MUST all be unique strings." That is exactly an HTTP token.
            guard ExtensionHeaderParser.isToken(subprotocol) else { throw .invalidSubprotocol(subprotocol) }
            guard seen.insert(subprotocol).inserted else { throw .duplicateSubprotocol(subprotocol) }
        }
        for field in additionalHeaderFields {
            if Self.handshakeFieldNames.contains(field.name) || (origin != nil && field.name == .origin) {
                throw .reservedHeaderField(field.name.rawName)
            }
        }
        self.target = target
        self.origin = origin
        self.subprotocols = subprotocols
        self.extensions = extensions
        self.additionalHeaderFields = additionalHeaderFields
        self.key = key
    }

    /// A fresh `Sec-WebSocket-Key`: base64 of 16 bytes from `generator` (RFC 6455 §4.1).
    public static func makeKey(using generator: inout some RandomNumberGenerator) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for _ in 0..<2 {
            let word = generator.next() as UInt64
            for shift in stride(from: 0, to: 64, by: 8) {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return Base64.encode(bytes)
    }

    /// The `Sec-WebSocket-Accept` value a correct server answers with.
    public var expectedAcceptKey: String { AcceptKey.compute(forKey: key) }

    /// The upgrade request.
    ///
    /// The method is `GET`; the scheme is `http` or `https`; the host and port are the
    /// `:authority` pseudo-header, which an HTTP/1.1 serializer writes as the `Host` header
    /// (as NIO's `HTTPRequestHead(_:)` conversion does). The header fields are, in order:
    /// `Upgrade: websocket`, `Connection: Upgrade`, `Sec-WebSocket-Key`,
    /// `Sec-WebSocket-Version: 13`, then `Origin`, `Sec-WebSocket-Protocol` and
    /// `Sec-WebSocket-Extensions` when given, then ``additionalHeaderFields``.
    public var request: HTTPRequest {
        // RFC 6455 §4.1: "The method of the request MUST be GET" and the request "MUST
        // contain an |Upgrade| header field whose value MUST include the "websocket"
        // keyword", "a |Connection| header field whose value MUST include the "Upgrade"
        // token", "a header field with the name |Sec-WebSocket-Key|" and "a header field
        // with the name |Sec-WebSocket-Version|. The value of this header field MUST be 13."
        var fields: HTTPFields = [
            .upgrade: "websocket",
            .connection: "Upgrade",
            .secWebSocketKey: key,
            .secWebSocketVersion: ServerHandshake.supportedVersion,
        ]
        appendNegotiationFields(to: &fields)
        return HTTPRequest(
            method: .get,
            scheme: target.isSecure ? "https" : "http",
            authority: target.authority,
            path: target.path,
            headerFields: fields
        )
    }

    /// Checks the server's response and returns what it agreed to.
    ///
    /// The checks follow RFC 6455 §4.1 in order: status, `Upgrade`, `Connection`,
    /// `Sec-WebSocket-Accept`, `Sec-WebSocket-Extensions`, `Sec-WebSocket-Protocol`.
    ///
    /// - Parameters:
    ///   - status: the response's status code.
    ///   - headerFields: the response's header fields.
    /// - Returns: the selected subprotocol and the accepted extensions.
    /// - Throws: the first ``HandshakeFailure`` found; on any failure the client "MUST
    ///   _Fail the WebSocket Connection_" (RFC 6455 §4.1), that is close the TCP connection.
    public func validateResponse(status: Int, headerFields: HTTPFields) throws(HandshakeFailure) -> HandshakeOutcome {
        try validateResponse(status: status, headerFields: headerFields, shape: .upgrade)
    }

    /// Status, `Upgrade`, `Connection` and `Sec-WebSocket-Accept` of a 101 (RFC 6455 §4.1).
    func validateUpgradeFields(status: Int, headerFields: HTTPFields) throws(HandshakeFailure) {
        // RFC 6455 §4.1: "If the status code received from the server is not 101, the
        // client handles the response per HTTP [RFC2616] procedures."
        guard status == 101 else { throw .unexpectedStatus(status) }

        // RFC 6455 §4.1: "If the response lacks an |Upgrade| header field or the |Upgrade|
        // header field contains a value that is not an ASCII case-insensitive match for the
        // value "websocket", the client MUST _Fail the WebSocket Connection_."
        guard let upgrade = headerFields[.upgrade] else { throw .missingUpgradeHeader }
        guard headerFields.containsToken("websocket", in: .upgrade) else { throw .invalidUpgradeHeader(upgrade) }

        // RFC 6455 §4.1: "If the response lacks a |Connection| header field or the
        // |Connection| header field doesn't contain a token that is an ASCII
        // case-insensitive match for the value "Upgrade", the client MUST _Fail the
        // WebSocket Connection_."
        guard let connection = headerFields[.connection] else { throw .missingConnectionHeader }
        guard headerFields.containsToken("upgrade", in: .connection) else {
            throw .invalidConnectionHeader(connection)
        }

        // RFC 6455 §4.1: "If the response lacks a |Sec-WebSocket-Accept| header field or the
        // |Sec-WebSocket-Accept| contains a value other than the base64-encoded SHA-1 of the
        // concatenation of the |Sec-WebSocket-Key| (as a string, not base64-decoded) with
        // the string "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" but ignoring any leading and
        // trailing whitespace, the client MUST _Fail the WebSocket Connection_."
        guard let accept = headerFields[.secWebSocketAccept] else { throw .missingAcceptKey }
        let expected = expectedAcceptKey
        guard HeaderValue.trimmingWhitespace(accept) == expected else {
            throw .acceptKeyMismatch(expected: expected, got: accept)
        }
    }

    /// The extensions and subprotocol the server selected (RFC 6455 §4.1; the same on
    /// HTTP/2, RFC 8441 §5).
    func validateNegotiation(_ headerFields: HTTPFields) throws(HandshakeFailure) -> HandshakeOutcome {
        // RFC 6455 §4.1: "If the response includes a |Sec-WebSocket-Extensions| header field
        // and this header field indicates the use of an extension that was not present in
        // the client's handshake (the server has indicated an extension not requested by
        // the client), the client MUST _Fail the WebSocket Connection_."
        let accepted: [WebSocketExtensionOffer]
        do throws(ExtensionHeaderParser.ParseError) {
            accepted = try ExtensionHeaderParser.parse(headerFields[values: .secWebSocketExtensions])
        } catch {
            throw .malformedExtensionHeader(error)
        }
        for response in accepted
        where !extensions.contains(where: { HeaderValue.equalsIgnoringASCIICase($0.name, response.name) }) {
            throw .extensionNotOffered(response.name)
        }

        // RFC 6455 §4.1: "If the response includes a |Sec-WebSocket-Protocol| header field
        // and this header field indicates the use of a subprotocol that was not present in
        // the client's handshake (the server has indicated a subprotocol not requested by
        // the client), the client MUST _Fail the WebSocket Connection_."
        // The whole value must be one offered name: a list of several is not a selection.
        // Names compare exactly, as browsers do. An empty value counts as no selection.
        var subprotocol: String? = nil
        let protocolValues = headerFields[values: .secWebSocketProtocol]
        if !protocolValues.isEmpty {
            let value = HeaderValue.trimmingWhitespace(protocolValues.joined(separator: ", "))
            if !value.isEmpty {
                guard subprotocols.contains(value) else { throw .subprotocolNotOffered(value) }
                subprotocol = value
            }
        }

        return HandshakeOutcome(subprotocol: subprotocol, extensions: accepted)
    }

    /// Checks the server's response; see ``validateResponse(status:headerFields:)``.
    public func validateResponse(_ response: HTTPResponse) throws(HandshakeFailure) -> HandshakeOutcome {
        try validateResponse(status: response.status.code, headerFields: response.headerFields)
    }
}
