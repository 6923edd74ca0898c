/// What an opening handshake agreed on: the subprotocol and the extensions in use.
///
/// A client gets it from ``ClientHandshake/validateResponse(status:headerFields:)``; a
/// server builds it from the subprotocol and extensions it passed to
/// ``ServerHandshake/acceptResponse(subprotocol:extensions:additionalHeaderFields:)``.
/// Both sides of one connection see equal values. Turning the extension responses into
/// configured ``WebSocketExtension`` instances is each extension's negotiator's job, since
/// only it knows what its parameters mean.
public struct HandshakeOutcome: Hashable, Sendable {
    /// The subprotocol the server selected (`Sec-WebSocket-Protocol`), or `nil` if none.
    public var subprotocol: String?
    /// The extensions the server accepted, with the parameters it sent, in the order of the
    /// server's `Sec-WebSocket-Extensions` header. Order matters: RFC 6455 §9.1 applies
    /// extensions in the order listed.
    public var extensions: [WebSocketExtensionOffer]

    /// Creates an outcome.
    public init(subprotocol: String? = nil, extensions: [WebSocketExtensionOffer] = []) {
        self.subprotocol = subprotocol
        self.extensions = extensions
    }
}
