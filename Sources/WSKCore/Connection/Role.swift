/// Which end of a WebSocket connection this endpoint is.
///
/// RFC 6455 §5.1: a client masks every frame it sends; a server never masks. The role
/// decides which rule the decoder enforces on incoming frames and which the encoder applies
/// to outgoing ones.
public enum Role: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The endpoint that opened the connection and sent the upgrade request.
    case client
    /// The endpoint that accepted the upgrade request.
    case server

    /// The role of the other end of the connection.
    @inlinable
    public var peer: Role {
        switch self {
        case .client: return .server
        case .server: return .client
        }
    }

    /// `"client"` or `"server"`.
    public var description: String {
        switch self {
        case .client: return "client"
        case .server: return "server"
        }
    }
}
