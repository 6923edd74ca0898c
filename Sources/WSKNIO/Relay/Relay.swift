import NIOCore
import WSKCore

/// One side of a ``Relay``: a WebSocket session, a TCP connection or a program's pipes.
/// Every method is called on the relay's event loop.
public protocol RelayEndpoint: AnyObject {
    /// The relay this endpoint reports to (held weakly).
    var relay: Relay? { get set }
    /// Takes a message from the other side. Returns whether this side can take more now;
    /// false pauses the other side until this one calls ``Relay/becameWritable(_:)``.
    func deliver(_ message: Message) -> Bool
    /// Takes a ping or pong from the other side, to send on (a WebSocket endpoint under
    /// ``WSKCore/AutoReplyPolicy/relay``); returns whether this side can take more now.
    /// Endpoints without control frames ignore it (the default).
    func deliverControl(_ opcode: Opcode, payload: ByteBuffer) -> Bool
    /// The other side finished sending (a close frame, EOF): end this side gracefully,
    /// after what was delivered, while still relaying what this side sends back.
    func finish(_ close: CloseFrame)
    /// The other side is gone: end this side now.
    func terminate(_ close: CloseFrame)
    /// Stops reading from this side's peer.
    func pauseReading()
    /// Reads from this side's peer again.
    func resumeReading()
}

extension RelayEndpoint {
    public func deliverControl(_ opcode: Opcode, payload: ByteBuffer) -> Bool { true }
}

/// Joins two endpoints so that messages move both ways with flow control end to end:
/// when one side cannot take more, the relay stops reading the other side (TCP
/// backpressure then reaches the far peer), and resumes when it drains. Nothing is
/// buffered beyond each side's write-buffer water marks, except the messages of one read
/// that arrive before the other side is attached.
///
/// One side may still be connecting when the relay is made: the upstream (the client
/// came first) or the client (`proxy` dials the upstream before it answers the client's
/// upgrade, so the upstream's refusal, subprotocol and extensions reach the client).
///
/// `proxy` joins a client session to a WebSocket session, a TCP connection or a program;
/// each pairing is the same relay. Everything runs on one event loop.
public final class Relay: @unchecked Sendable {
    /// Which side of the relay.
    public enum Side: String, Sendable {
        case client, upstream

        /// The other side.
        public var other: Side { self == .client ? .upstream : .client }
    }

    /// What the application learns from a relay (logs, counters). Called on the loop.
    public struct Observer {
        /// A message (or, when the sessions deliver fragments, a fragment) is relayed from
        /// `side`.
        public var message: (Side, Message) -> Void = { _, _ in }
        /// A ping or pong is relayed from `side`.
        public var control: (Side, Opcode, ByteBuffer) -> Void = { _, _, _ in }
        /// `side` finished (close frame, EOF) with this close.
        public var finished: (Side, CloseFrame) -> Void = { _, _ in }
        /// `side` is over; when both are, the relay is done.
        public var ended: (Side, CloseOutcome) -> Void = { _, _ in }

        /// Creates an observer that ignores everything.
        public init() {}
    }

    /// The loop everything runs on.
    public let eventLoop: EventLoop
    /// How long the client's close reply may wait for the upstream to finish.
    public let closeReplyTimeout: TimeAmount
    var observer: Observer
    var endpoints: [Side: RelayEndpoint] = [:]
    var ended: Set<Side> = []
    /// Sides paused because the other side could not take more.
    var pausedForBackpressure: Set<Side> = []
    /// What passes from one side to the other.
    enum Item {
        case message(Message)
        case control(Opcode, ByteBuffer)
    }

    /// The side still connecting, if any; until it connects, the other side is paused and
    /// what it already sent waits in ``pending``.
    var connecting: Side?
    /// What the other side sent before ``connecting`` connected (one read at most: it is
    /// paused until then).
    var pending: [Item] = []
    /// The other side's close, when it came before ``connecting`` connected.
    var pendingFinish: CloseFrame?
    /// How the other side ended, when it ended before ``connecting`` connected.
    var pendingEnd: CloseOutcome?
    var replyTimer: Scheduled<Void>?
    /// Messages relayed from each side.
    public private(set) var relayedMessages: [Side: Int] = [.client: 0, .upstream: 0]
    /// The client's close frame, once it sent one.
    public private(set) var clientClose: CloseFrame?

    /// Creates a relay between a client and an upstream, one of which (`connecting`) is
    /// about to connect: call ``didConnect(_:)`` or ``connectFailed(_:)`` for it. What the
    /// connected side sends meanwhile waits (one read; that side is paused).
    public init(
        client: RelayEndpoint,
        upstream: RelayEndpoint,
        eventLoop: EventLoop,
        connecting: Side = .upstream,
        closeReplyTimeout: TimeAmount = .seconds(5),
        observer: Observer = .init()
    ) {
        self.eventLoop = eventLoop
        self.closeReplyTimeout = closeReplyTimeout
        self.observer = observer
        self.connecting = connecting
        endpoints[.client] = client
        endpoints[.upstream] = upstream
        client.relay = self
        upstream.relay = self
        endpoints[connecting.other]?.pauseReading()
    }

    /// Whether `side` is still running.
    public func isOpen(_ side: Side) -> Bool { !ended.contains(side) }

    /// The upstream is connected (``didConnect(_:)``).
    public func upstreamDidConnect() { didConnect(.upstream) }

    /// The upstream could not be reached (``connectFailed(_:)``).
    public func upstreamFailed() { connectFailed(.upstream) }

    /// `side` is connected: what the other side sent meanwhile follows, and the other side
    /// is read again.
    public func didConnect(_ side: Side) {
        guard connecting == side else { return }
        connecting = nil
        guard isOpen(side) else { return }
        let queued = pending
        pending = []
        for item in queued { relay(item, from: side.other) }
        if let close = pendingFinish {
            pendingFinish = nil
            endpoints[side]?.finish(Self.relayable(close))
        }
        if let outcome = pendingEnd {
            pendingEnd = nil
            endOther(after: side.other, outcome: outcome)
            return
        }
        if !isOpen(side.other) {
            endpoints[side]?.terminate(CloseFrame(code: .goingAway, reason: "\(side.other.rawValue) left"))
            return
        }
        if !pausedForBackpressure.contains(side.other) { endpoints[side.other]?.resumeReading() }
    }

    /// `side` could not be reached or never came: the other side is closed, with 1011 for
    /// an upstream (RFC 6455 §7.4.1: a condition prevented the server from fulfilling the
    /// request), 1001 for a client.
    public func connectFailed(_ side: Side) {
        guard connecting == side else { return }
        connecting = nil
        ended.insert(side)
        replyTimer?.cancel()
        pending = []
        let close = side == .upstream
            ? CloseFrame(code: .internalError, reason: "upstream unavailable")
            : CloseFrame(code: .goingAway, reason: "client left")
        endpoints[side.other]?.terminate(close)
        endpoints[side.other]?.resumeReading()  // to read the close reply
    }

    // MARK: - Reports from the endpoints

    /// `side` received a message for the other side.
    public func received(_ message: Message, from side: Side) {
        relay(.message(message), from: side)
    }

    /// `side` received a ping or pong for the other side (under
    /// ``WSKCore/AutoReplyPolicy/relay``, pings are answered end to end).
    public func receivedControl(_ opcode: Opcode, payload: ByteBuffer, from side: Side) {
        relay(.control(opcode, payload), from: side)
    }

    func relay(_ item: Item, from side: Side) {
        if connecting == side.other {
            if isOpen(side.other) { pending.append(item) }
            return
        }
        guard isOpen(side.other), let target = endpoints[side.other] else { return }
        let more: Bool
        switch item {
        case .message(let message):
            if message.isFinal { relayedMessages[side, default: 0] += 1 }
            observer.message(side, message)
            more = target.deliver(message)
        case .control(let opcode, let payload):
            observer.control(side, opcode, payload)
            more = target.deliverControl(opcode, payload: payload)
        }
        if !more && !pausedForBackpressure.contains(side) {
            pausedForBackpressure.insert(side)
            endpoints[side]?.pauseReading()
        }
    }

    /// `side` can take more again: the other side reads again.
    public func becameWritable(_ side: Side) {
        guard pausedForBackpressure.remove(side.other) != nil else { return }
        endpoints[side.other]?.resumeReading()
    }

    /// `side` finished sending (its peer's close frame, EOF); the other side ends
    /// gracefully. A client's close is answered when the upstream has finished, or after
    /// ``closeReplyTimeout``.
    public func finished(_ side: Side, close: CloseFrame) {
        observer.finished(side, close)
        if side == .client {
            clientClose = close
            replyTimer = eventLoop.scheduleTask(in: closeReplyTimeout) { [self] in
                endpoints[.client]?.finish(Self.relayable(close))
            }
        }
        if connecting == side.other && isOpen(side.other) {
            pendingFinish = close
            return
        }
        guard let target = endpoints[side.other] else { return }
        if isOpen(side.other) {
            target.finish(Self.relayable(close))
        } else if side == .client {
            replyTimer?.cancel()
            endpoints[.client]?.finish(Self.relayable(close))
        }
    }

    /// `side` is over. The other side is finished with the close that ended it (the
    /// client's own close code when it started the closing handshake, RFC 6455 §5.5.1).
    public func ended(_ side: Side, outcome: CloseOutcome) {
        guard !ended.contains(side) else { return }
        ended.insert(side)
        observer.ended(side, outcome)
        if side == .client { replyTimer?.cancel() }
        pausedForBackpressure.remove(side.other)
        if connecting == side.other {
            pendingEnd = outcome
            return
        }
        endOther(after: side, outcome: outcome)
    }

    /// Ends the other side of `side`, which ended with `outcome`.
    func endOther(after side: Side, outcome: CloseOutcome) {
        guard isOpen(side.other), let target = endpoints[side.other] else { return }
        if side == .upstream {
            replyTimer?.cancel()
            let close = clientClose ?? CloseFrame(code: outcome.code, reason: outcome.reason)
            target.finish(Self.relayable(close))
        } else {
            target.terminate(Self.relayable(CloseFrame(code: outcome.code, reason: outcome.reason), lost: .client))
        }
    }

    /// A close that may go on the wire for one that ended the other hop: none (1005)
    /// becomes 1000; 1006 and 1015 (local only, RFC 6455 §7.4.1) become 1001 going away,
    /// saying which side's connection was lost.
    public static func relayable(_ close: CloseFrame, lost side: Side = .upstream) -> CloseFrame {
        guard let code = close.code else { return CloseFrame(code: .normalClosure) }
        if code.mayAppearOnWire { return close }
        if code == .noStatusReceived { return CloseFrame(code: .normalClosure) }
        return CloseFrame(code: .goingAway, reason: "\(side.rawValue) connection lost")
    }
}
