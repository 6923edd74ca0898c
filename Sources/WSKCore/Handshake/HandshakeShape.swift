/// Which opening handshake carried a WebSocket: the two shapes the protocol has.
public enum HandshakeShape: String, Hashable, Sendable, CaseIterable {
    /// HTTP/1.1 Upgrade (RFC 6455 §4): `GET` with `Upgrade: websocket` and a
    /// `Sec-WebSocket-Key`, answered by 101 with `Sec-WebSocket-Accept`; the TCP connection
    /// then carries the frames.
    case upgrade
    /// HTTP/2 extended CONNECT (RFC 8441): `:method CONNECT` with `:protocol websocket` on
    /// a stream, answered by 200; that stream's DATA frames then carry the frames. No key,
    /// no accept value, no `Upgrade` or `Connection` fields.
    case extendedConnect

    /// How logs and `--json` name the transport: `HTTP/1.1` or `HTTP/2`.
    public var httpVersion: String {
        switch self {
        case .upgrade: return "HTTP/1.1"
        case .extendedConnect: return "HTTP/2"
        }
    }
}
