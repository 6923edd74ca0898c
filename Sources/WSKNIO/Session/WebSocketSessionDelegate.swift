import NIOCore
import WSKCore

/// What the application does with a session's events. Every call happens on the
/// session's event loop.
///
/// The flow-control contract: ``WebSocketSession/send(_:)`` returns whether the peer is
/// still writable. When it returns false, stop producing for this session (pause the
/// source you relay from) until ``sessionWritabilityDidChange(_:isWritable:)`` says it is
/// writable again. Nothing is buffered beyond the channel's write-buffer water marks
/// except by an application that ignores the answer; a server caps that with
/// ``SessionOptions/maxBackpressure`` (close 1008).
public protocol WebSocketSessionDelegate: AnyObject, Sendable {
    /// The connection is established (after the handshake).
    func sessionDidOpen(_ session: WebSocketSession)
    /// An event from the connection: a message, a ping (already answered under the
    /// automatic policy), a pong, the peer's close frame (parsed), or a violation. The last
    /// event, ``WSKCore/ConnectionEvent/closed(_:)``, arrives as ``sessionDidClose(_:outcome:)``.
    func session(_ session: WebSocketSession, didReceive event: ConnectionEvent)
    /// The connection is over; the last call.
    func sessionDidClose(_ session: WebSocketSession, outcome: CloseOutcome)
    /// The socket's writability changed (NIO's high and low water marks).
    func sessionWritabilityDidChange(_ session: WebSocketSession, isWritable: Bool)
}

extension WebSocketSessionDelegate {
    public func sessionWritabilityDidChange(_ session: WebSocketSession, isWritable: Bool) {}
}

/// What the handshake settled, and who the peer is.
public struct SessionInfo: Sendable {
    /// The peer's address, for example `127.0.0.1:51234`.
    public var remoteAddress: String
    /// The request target (`/chat?room=1`).
    public var path: String
    /// The negotiated subprotocol, if any.
    public var subprotocol: String?
    /// The accepted extensions as they appeared in the response header.
    public var extensions: [WebSocketExtensionOffer]
    /// What the application set up before the upgrade was answered (see
    /// ``WebSocketServerConfiguration/prepareUpgrade``).
    public var prepared: (any PreparedUpgrade)?
    /// The upgrade request and the 101 response as text (a server that records them:
    /// ``WebSocketServerConfiguration/recordsHandshake``; one reference, not two strings,
    /// in every session).
    public var handshake: HandshakeText? = nil
    /// How the WebSocket was opened: an HTTP/1.1 upgrade or an HTTP/2 extended CONNECT
    /// (``WSKCore/HandshakeShape/httpVersion`` names it in logs and metrics).
    public var shape: HandshakeShape = .upgrade

    /// Creates session information.
    public init(
        remoteAddress: String,
        path: String,
        subprotocol: String?,
        extensions: [WebSocketExtensionOffer],
        prepared: (any PreparedUpgrade)? = nil
    ) {
        self.remoteAddress = remoteAddress
        self.path = path
        self.subprotocol = subprotocol
        self.extensions = extensions
        self.prepared = prepared
    }

    /// Whether permessage-deflate was negotiated.
    public var isCompressed: Bool {
        extensions.contains { $0.name.lowercased() == "permessage-deflate" }
    }
}

/// Counters for one session, read by the application when it closes.
public struct SessionCounters: Sendable {
    /// Text messages received.
    public var textMessagesReceived = 0
    /// Binary messages received.
    public var binaryMessagesReceived = 0
    /// Payload bytes received in messages (after inflation).
    public var bytesReceived = 0
    /// Text messages sent.
    public var textMessagesSent = 0
    /// Binary messages sent.
    public var binaryMessagesSent = 0
    /// Payload bytes sent in messages (before compression).
    public var bytesSent = 0

    mutating func countReceived(_ message: Message) {
        if message.isText { textMessagesReceived += 1 } else { binaryMessagesReceived += 1 }
        bytesReceived += message.data.readableBytes
    }

    mutating func countSent(_ opcode: Opcode, bytes: Int) {
        if opcode == .text { textMessagesSent += 1 } else { binaryMessagesSent += 1 }
        bytesSent += bytes
    }
}

/// How a session behaves beyond the protocol: timeouts, keepalive and flow control.
public struct SessionOptions: Sendable {
    /// Pings and the silence after which the peer is taken for gone; `nil` for none.
    public var keepalive: KeepalivePolicy?
    /// The most bytes queued for a peer that does not read before it is closed with 1008
    /// (servers: a broadcast target that stopped reading).
    public var maxBackpressure: Int
    /// How long to wait for the peer's part of the closing handshake before dropping the
    /// transport.
    public var closeTimeout: TimeAmount
    /// Whether reading from this peer stops while the peer does not take what is sent to
    /// it (an echo server: a client that does not read only slows itself down). A relay
    /// turns this off and pauses the other side instead.
    public var pausesReadingWhileUnwritable: Bool

    /// Creates options.
    public init(
        keepalive: KeepalivePolicy? = nil,
        maxBackpressure: Int = .max,
        closeTimeout: TimeAmount = .seconds(2),
        pausesReadingWhileUnwritable: Bool = true
    ) {
        self.keepalive = keepalive
        self.maxBackpressure = maxBackpressure
        self.closeTimeout = closeTimeout
        self.pausesReadingWhileUnwritable = pausesReadingWhileUnwritable
    }
}

/// The opening handshake as text, for `--show-handshake` on the server's side.
public final class HandshakeText: Sendable {
    public let request: String
    public let response: String

    public init(request: String, response: String) {
        self.request = request
        self.response = response
    }
}
