/// Where a connection is in its closing handshake, from this endpoint's point of view
/// (RFC 6455 §7).
public enum ConnectionState: Hashable, Sendable {
    /// Messages flow both ways.
    case open
    /// This endpoint sent a close frame and waits for the peer's (it may still receive data).
    case closeSent
    /// The peer sent a close frame and this endpoint has not answered yet.
    case closeReceived
    /// The closing handshake is complete, or the connection failed or ended.
    case closed
}

/// How a connection answers pings and close frames on its own.
public enum AutoReplyPolicy: Hashable, Sendable {
    /// Answer each ping with a pong carrying the same payload (RFC 6455 §5.5.2) and echo a
    /// received close frame's code (§5.5.1); fail the connection with a close frame on a
    /// violation. `connect` and `serve-echo` use this.
    case automatic
    /// Send nothing on the caller's behalf: pings and closes are reported as events and the
    /// caller forwards them (`proxy`).
    case passThrough
    /// Like ``automatic`` (pongs, and close frames on violations), except that a received
    /// close frame is not answered here: the connection waits in
    /// ``ConnectionState/closeReceived`` until the caller sends its close, so it can finish
    /// what is in flight first (RFC 6455 §5.5.1 lets an endpoint delay its reply "until
    /// after it sends the current message"; `proxy` waits for the upstream).
    case deferredCloseReply
    /// Like ``deferredCloseReply``, except that pings are not answered here either: the
    /// caller forwards each ping to the far peer and relays its pong back, so a ping
    /// measures the whole path (`proxy` to a WebSocket upstream). Violations are still
    /// answered with a close frame.
    case relay

    /// Whether a ping is answered with a pong here.
    var answersPings: Bool { self == .automatic || self == .deferredCloseReply }
}

/// How a connection ended.
public struct CloseOutcome: Hashable, Sendable, CustomStringConvertible {
    /// The code that describes the end: the peer's close code for a closing handshake
    /// (1005 when its close frame had none), the code this endpoint sent when it failed
    /// the connection or when the peer left without answering its close frame (not
    /// clean), or 1006 when the transport ended without any close frame.
    public var code: CloseCode
    /// The peer's close reason, or the violation for a failed connection.
    public var reason: String
    /// Whether both close frames were exchanged (RFC 6455 §7.1.4 "cleanly").
    public var wasClean: Bool
    /// Whether the peer sent the first close frame.
    public var initiatedByPeer: Bool

    /// Creates an outcome.
    public init(code: CloseCode, reason: String, wasClean: Bool, initiatedByPeer: Bool) {
        self.code = code
        self.reason = reason
        self.wasClean = wasClean
        self.initiatedByPeer = initiatedByPeer
    }

    /// `1000 (normal closure) "bye" clean`.
    public var description: String {
        var text = code.description
        if !reason.isEmpty { text += " \"\(reason)\"" }
        return text + (wasClean ? " clean" : " not clean")
    }
}
