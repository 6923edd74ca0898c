import HTTPTypes

extension ServerHandshake {
    /// The header fields RFC 9113 §8.2.2 calls connection-specific: an HTTP/2 request
    /// carrying one "MUST be treated as malformed".
    static let connectionSpecificFieldNames: [HTTPField.Name] = [
        .connection, .upgrade, .transferEncoding, .proxyConnection, .keepAlive,
    ]

    /// Validates a client's extended CONNECT request on an HTTP/2 stream (RFC 8441 §4-5).
    ///
    /// The checks, in order: the method is `CONNECT` (405 otherwise); `:protocol` is
    /// present (a CONNECT without it asks for a tunnel, which a WebSocket server does not
    /// offer: 501) and is `websocket` (501 for another protocol); `:scheme`, `:path` and
    /// `:authority` (or `Host`) are present (RFC 8441 §4: "The :scheme and :path
    /// pseudo-header fields MUST be included"); no connection-specific field (RFC 9113
    /// §8.2.2); then `Sec-WebSocket-Version`, `Origin`, `Sec-WebSocket-Protocol` and
    /// `Sec-WebSocket-Extensions` exactly as for an upgrade (RFC 8441 §5). A
    /// `Sec-WebSocket-Key`, if sent, is ignored: RFC 8441 §5 does not use it.
    ///
    /// Reply to a failure with ``rejectionResponse(for:shape:)`` and `.extendedConnect`, then
    /// reset the stream; its neighbours on the connection go on.
    ///
    /// - Parameter request: the request's pseudo-header fields and header fields, as
    ///   decoded from the HEADERS frame.
    public init(extendedConnect request: HTTPRequest) throws(HandshakeFailure) {
        guard request.method == .connect else { throw .notExtendedConnect(request.method.rawValue) }
        guard let protocolName = request.extendedConnectProtocol else { throw .missingProtocolPseudoHeader }
        // RFC 8441 §4: the value is a token from the Hypertext Transfer Protocol Upgrade
        // Token Registry; RFC 8441 §5 registers "websocket". Tokens compare
        // case-insensitively (RFC 9110 §7.8).
        guard HeaderValue.equalsIgnoringASCIICase(protocolName, "websocket") else {
            throw .unsupportedProtocol(protocolName)
        }
        guard let scheme = request.scheme, !scheme.isEmpty else { throw .missingPseudoHeader(":scheme") }
        guard let path = request.path, !path.isEmpty else { throw .missingPseudoHeader(":path") }
        _ = (scheme, path)
        if let authority = request.authority, !authority.isEmpty {
            self.host = authority
        } else {
            let hosts = request.headerFields[values: .hostField]
            guard hosts.count <= 1 else { throw .duplicateHostHeader }
            guard let host = hosts.first, !host.isEmpty else { throw .missingPseudoHeader(":authority") }
            self.host = host
        }
        for name in Self.connectionSpecificFieldNames where request.headerFields[name] != nil {
            throw .connectionSpecificField(name.canonicalName)
        }
        let common = try Self.validateCommonFields(request.headerFields)
        self.shape = .extendedConnect
        self.key = ""
        self.origin = common.origin
        self.offeredSubprotocols = common.subprotocols
        self.offeredExtensions = common.extensions
    }
}

extension HTTPField.Name {
    static var proxyConnection: Self { Self("Proxy-Connection")! }
    static var keepAlive: Self { Self("Keep-Alive")! }
}
