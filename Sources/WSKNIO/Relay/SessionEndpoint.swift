import NIOCore
import WSKCore

/// A WebSocket session as one side of a ``Relay``: its messages go to the other side, its
/// close frame finishes the other side, and its writability paces the other side.
///
/// For an upstream client session it is the session's delegate; a server application
/// forwards its sessions' delegate calls to it.
public final class SessionEndpoint: RelayEndpoint, WebSocketSessionDelegate, @unchecked Sendable {
    public weak var relay: Relay?
    /// The side it plays.
    public let side: Relay.Side
    /// The session, once open.
    public private(set) var session: WebSocketSession?
    /// Called with the session's protocol violations (for logs).
    let onViolation: (ProtocolViolation) -> Void
    /// Whether pings and pongs go to the other side (the session runs under
    /// ``WSKCore/AutoReplyPolicy/relay`` and does not answer pings itself).
    public let forwardsControlFrames: Bool
    /// Whether the relay paused this side (kept for a session that is not open yet).
    var readingPaused = false

    /// Creates an endpoint for `side`.
    public init(
        side: Relay.Side,
        session: WebSocketSession? = nil,
        forwardsControlFrames: Bool = false,
        onViolation: @escaping (ProtocolViolation) -> Void = { _ in }
    ) {
        self.side = side
        self.session = session
        self.forwardsControlFrames = forwardsControlFrames
        self.onViolation = onViolation
    }

    // MARK: - RelayEndpoint

    public func deliver(_ message: Message) -> Bool {
        guard let session else { return false }
        if message.isFragment {
            return session.sendFragment(opcode: message.opcode, payload: message.data, isFinal: message.isFinal)
        }
        return session.send(message)
    }

    public func deliverControl(_ opcode: Opcode, payload: ByteBuffer) -> Bool {
        guard let session else { return false }
        switch opcode {
        case .ping: return session.send(.ping(payload))
        case .pong: return session.send(.pong(payload))
        default: return true
        }
    }

    public func finish(_ close: CloseFrame) {
        session?.close(code: close.code ?? .normalClosure, reason: close.reason)
    }

    /// A session ends the same way either way: its closing handshake, bounded by the close
    /// timeout.
    public func terminate(_ close: CloseFrame) {
        finish(close)
    }

    public func pauseReading() {
        readingPaused = true
        session?.pauseReading()
    }

    public func resumeReading() {
        readingPaused = false
        session?.resumeReading()
    }

    // MARK: - WebSocketSessionDelegate

    public func sessionDidOpen(_ session: WebSocketSession) {
        self.session = session
        if readingPaused { session.pauseReading() }
    }

    public func session(_ session: WebSocketSession, didReceive event: ConnectionEvent) {
        switch event {
        case .message(let message):
            relay?.received(message, from: side)
        case .closeReceived(let close):
            relay?.finished(side, close: close)
        case .failed(let violation):
            onViolation(violation)
        case .ping(let payload):
            if forwardsControlFrames { relay?.receivedControl(.ping, payload: payload, from: side) }
        case .pong(let payload):
            if forwardsControlFrames { relay?.receivedControl(.pong, payload: payload, from: side) }
        case .closed:
            break
        }
    }

    public func sessionDidClose(_ session: WebSocketSession, outcome: CloseOutcome) {
        relay?.ended(side, outcome: outcome)
    }

    public func sessionWritabilityDidChange(_ session: WebSocketSession, isWritable: Bool) {
        if isWritable { relay?.becameWritable(side) }
    }
}
