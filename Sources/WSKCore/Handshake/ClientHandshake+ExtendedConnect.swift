import HTTPTypes

/// The client's side of the second handshake shape, WebSockets on an HTTP/2 stream by
/// extended CONNECT (RFC 8441), and the request fields both shapes share (their response
/// checks are ``ClientHandshake/validateNegotiation(_:)``).
extension ClientHandshake {
    /// `Origin`, `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions` when given, then
    /// ``additionalHeaderFields``: the part both request shapes share.
    func appendNegotiationFields(to fields: inout HTTPFields) {
        if let origin {
            fields[.origin] = origin
        }
        if !subprotocols.isEmpty {
            fields[.secWebSocketProtocol] = subprotocols.joined(separator: ", ")
        }
        if !extensions.isEmpty {
            fields[.secWebSocketExtensions] = WebSocketExtensionOffer.headerValue(extensions)
        }
        fields.append(contentsOf: additionalHeaderFields)
    }

    /// The same request as an HTTP/2 extended CONNECT (RFC 8441 §4-5): `:method CONNECT`,
    /// `:protocol websocket`, `:scheme`, `:authority` and `:path` from ``target``; then
    /// `Sec-WebSocket-Version: 13`, `Origin`, `Sec-WebSocket-Protocol`,
    /// `Sec-WebSocket-Extensions` and ``additionalHeaderFields`` as in ``request``. No
    /// `Upgrade`, `Connection` or `Sec-WebSocket-Key`: RFC 8441 §5 drops the key, and RFC
    /// 9113 §8.2.2 forbids connection-specific fields. Validate the answer with
    /// ``validateResponse(status:headerFields:shape:)`` and `.extendedConnect`.
    public var extendedConnectRequest: HTTPRequest {
        var fields: HTTPFields = [.secWebSocketVersion: ServerHandshake.supportedVersion]
        appendNegotiationFields(to: &fields)
        var request = HTTPRequest(
            method: .connect,
            scheme: target.isSecure ? "https" : "http",
            authority: target.authority,
            path: target.path,
            headerFields: fields
        )
        request.extendedConnectProtocol = "websocket"
        return request
    }

    /// Checks the server's response to a request of `shape` and returns what it agreed to.
    ///
    /// For `.upgrade` see ``validateResponse(status:headerFields:)``. For `.extendedConnect`
    /// (the response to ``extendedConnectRequest``) a 2xx status accepts the stream (RFC
    /// 8441 §5); there is no `Upgrade`, `Connection` or `Sec-WebSocket-Accept` to check,
    /// and `Sec-WebSocket-Extensions` and `Sec-WebSocket-Protocol` are checked as for an
    /// upgrade.
    public func validateResponse(status: Int, headerFields: HTTPFields, shape: HandshakeShape) throws(HandshakeFailure) -> HandshakeOutcome {
        switch shape {
        case .upgrade:
            try validateUpgradeFields(status: status, headerFields: headerFields)
        case .extendedConnect:
            // RFC 8441 §5: "a 2xx status code indicates success"; RFC 9113 §8.5 makes any
            // 2xx to a CONNECT the start of the tunnel.
            guard (200..<300).contains(status) else { throw .unexpectedExtendedConnectStatus(status) }
        }
        return try validateNegotiation(headerFields)
    }
}
