import NIOCore

/// A complete message received from the peer, or one fragment of it when the connection
/// delivers fragments (``WebSocketConfiguration/deliversFragments``).
public struct Message: Hashable, Sendable {
    /// ``Opcode/text`` or ``Opcode/binary``; ``Opcode/continuation`` for a fragment after
    /// the first.
    public var opcode: Opcode
    /// The (decompressed) payload. For a whole text message it is valid UTF-8 (a fragment
    /// may end inside a character).
    public var data: ByteBuffer
    /// Whether this ends the message: always for whole messages; false for a fragment
    /// that more follow.
    public var isFinal: Bool

    /// Creates a message, or a fragment of one.
    public init(opcode: Opcode, data: ByteBuffer, isFinal: Bool = true) {
        self.opcode = opcode
        self.data = data
        self.isFinal = isFinal
    }

    /// Whether this is one fragment of a message rather than a whole message.
    public var isFragment: Bool { opcode == .continuation || !isFinal }

    /// Whether this is a text message.
    public var isText: Bool { opcode == .text }

    /// The payload as a string (lossless for text messages, which are validated UTF-8).
    public var text: String { String(buffer: data) }
}

/// What the connection learned from the bytes it was given.
public enum ConnectionEvent: Hashable, Sendable {
    /// A complete text or binary message.
    case message(Message)
    /// A ping (with the automatic policy, the pong is already queued).
    case ping(ByteBuffer)
    /// A pong.
    case pong(ByteBuffer)
    /// The peer's close frame (with the automatic policy, the reply is already queued).
    case closeReceived(CloseFrame)
    /// The peer broke the protocol; the connection is failed (RFC 6455 §7.1.7). With the
    /// automatic policy, a close frame carrying ``ProtocolViolation/closeCode`` is queued.
    case failed(ProtocolViolation)
    /// The connection is over; the last event. The transport should now be closed (a
    /// server closes it first, RFC 6455 §7.1.1; a client waits briefly for the server to).
    case closed(CloseOutcome)
}

/// What to send.
public enum OutboundMessage: Hashable, Sendable {
    /// A text message.
    case text(String)
    /// A binary message.
    case binary(ByteBuffer)
    /// A ping with up to 125 bytes of payload.
    case ping(ByteBuffer)
    /// A pong (unsolicited pongs serve as heartbeats, RFC 6455 §5.5.3).
    case pong(ByteBuffer)
    /// A close frame; starts or completes the closing handshake.
    case close(CloseFrame)
    /// One raw frame, written as given, even if it breaks the protocol (for testing peers).
    /// A client frame without a masking key is masked with a fresh key unless
    /// `maskingKey` is set; to send an unmasked client frame, use ``FrameEncoder`` directly.
    case frame(Frame)
}
