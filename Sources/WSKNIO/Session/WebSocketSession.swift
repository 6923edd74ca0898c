import NIOCore
import NIOSSL
import WSKCore

/// One WebSocket connection after the upgrade: a channel handler that drives
/// ``WSKCore/Connection`` and writes what it produces.
///
/// Everything the session writes goes through one buffer, ``output``: messages the
/// application sends and the connection's automatic replies (pongs, close replies),
/// which ``WSKCore/Connection/nextEvent(replyingInto:)`` appends as their events are read,
/// so a reply is ordered after what the application sent in answer to earlier events. The
/// buffer is flushed once per read burst, on the next event-loop tick outside one, or as
/// soon as it holds 64 KiB. On plain TCP a large payload is not copied into it: it is
/// written after its frame's header (``outputPayloads``).
///
/// Flow control: ``send(_:)`` returns whether the channel is still writable (NIO's water
/// marks); ``pauseReading()`` and ``resumeReading()`` stop and restart reading from the
/// peer; writability changes reach the delegate. See ``WebSocketSessionDelegate``.
///
/// All methods must be called on ``eventLoop``; from elsewhere, hop with
/// `session.eventLoop.execute { … }`.
public final class WebSocketSession: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// Where the transport is, from the session's point of view.
    enum Phase {
        /// The HTTP handlers are still being removed: output is kept, not written.
        case holdingWrites
        /// Bytes flow both ways.
        case open
        /// The transport is closing (after the closing handshake, on a timeout, or forced
        /// with an outcome to report instead of 1006); nothing more is written.
        case closingTransport(forced: CloseOutcome?)
    }

    /// The handshake's outcome and the peer's address.
    public let info: SessionInfo
    /// Message counters.
    public internal(set) var counters = SessionCounters()
    /// The event loop the session lives on.
    public let eventLoop: EventLoop
    /// When the session opened.
    public let openedAt: NIODeadline
    /// Free for the application (for example the pub/sub topic).
    public var userData: String? = nil

    let role: Role
    let options: SessionOptions
    let delegate: WebSocketSessionDelegate
    var connection: Connection
    var phase: Phase = .open
    /// Whether ``WebSocketSessionDelegate/sessionDidClose(_:outcome:)`` was called.
    var reportedClose = false
    var context: ChannelHandlerContext?
    var output: ByteBuffer
    /// Large payloads sent without being copied into ``output``, each with the offset in
    /// ``output`` after which it goes (see ``writeOutput(_:)``).
    var outputPayloads: [(offset: Int, payload: ByteBuffer)] = []
    var flushScheduled = false
    /// The most recent write, so closing can wait for it.
    /// Between channelRead and channelReadComplete: sends are flushed at the end of the burst.
    var inReadBurst = false
    var readPending = false
    var readingPaused = false
    /// Whether large payloads are written uncopied after their header (see
    /// ``writeAfterOutput(_:)``): on a plain TCP connection only. TLS encrypts each write
    /// as its own record and an HTTP/2 stream frames each as its own DATA frame, so there
    /// one buffer per flush is cheaper.
    var writesPayloadsUncopied = false
    /// The channel's writability as its last change reported it (NIO fires the change on
    /// this loop as soon as its water marks are crossed): read per message, so kept here
    /// rather than asked of the channel (an existential call and an atomic load) each time.
    var channelWritable = true
    var keepalive: SessionKeepalive?
    var closeTask: Scheduled<Void>?
    var registry: SessionRegistry?
    /// Producers waiting in ``whenWritable()``.
    var writabilityWaiters: [EventLoopPromise<Void>] = []

    /// Creates a session; add it to the channel pipeline in place of the HTTP handlers.
    public init(connection: Connection, info: SessionInfo, eventLoop: EventLoop, options: SessionOptions, delegate: WebSocketSessionDelegate) {
        self.role = connection.role
        self.connection = connection
        self.info = info
        self.eventLoop = eventLoop
        self.options = options
        self.delegate = delegate
        self.openedAt = .now()
        self.output = ByteBufferAllocator().buffer(capacity: 0)
        self.keepalive = options.keepalive.map { SessionKeepalive(policy: $0, eventLoop: eventLoop) }
    }

    /// The connection's closing-handshake state.
    public var state: ConnectionState { connection.state }

    /// Whether the peer takes what is sent (the channel is below its high water mark).
    public var isWritable: Bool { context != nil && channelWritable }

    /// A future that completes when the connection's transport has closed.
    public var closeFuture: EventLoopFuture<Void> {
        context?.channel.closeFuture ?? eventLoop.makeSucceededVoidFuture()
    }

    /// Whether the session still sends: the connection is open (or the peer's close is not
    /// answered yet) and the transport is not closing.
    public var isSending: Bool {
        isWriting && (connection.state == .open || connection.state == .closeReceived)
    }

    var isWriting: Bool {
        if case .closingTransport = phase { return false }
        return context != nil
    }

    // MARK: - Channel events

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        channelWritable = context.channel.isWritable
        writesPayloadsUncopied = info.shape == .upgrade && (try? context.pipeline.syncOperations.handler(type: NIOSSLHandler.self)) == nil
        delegate.sessionDidOpen(self)
        keepalive?.start(
            ping: { [self] in
                send(.ping(ByteBuffer(string: KeepalivePolicy.pingPayload)))
                flushOutput()
            },
            end: { [self] ending in
                switch ending {
                case .close(let code, let reason): close(code: code, reason: reason)
                case .abort(let reason): abort(reason: reason)
                }
            }
        )
        if !context.channel.isActive {
            channelInactive(context: context)  // the peer left during the upgrade
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        keepalive?.stop()
        closeTask?.cancel()
        self.context = nil
        wakeWritabilityWaiters()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        inReadBurst = true
        keepalive?.activity()
        connection.receive(&bytes)
        drainEvents()
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        inReadBurst = false
        flushOutput()
        context.fireChannelReadComplete()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        connection.receiveEndOfStream()
        drainEvents()
        keepalive?.stop()
        closeTask?.cancel()
        clearOutput(context.channel.allocator)
        wakeWritabilityWaiters()
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        // I/O and TLS errors end the transport; channelInactive reports the close (1006).
        context.close(promise: nil)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        channelWritable = writable
        if writable { wakeWritabilityWaiters() }
        resumeReadingIfAllowed()
        delegate.sessionWritabilityDidChange(self, isWritable: writable)
        context.fireChannelWritabilityChanged()
    }

    public func read(context: ChannelHandlerContext) {
        if readsAllowed {
            context.read()
        } else {
            readPending = true
        }
    }

    // MARK: - Flow control

    var readsAllowed: Bool {
        guard context != nil else { return false }
        return !readingPaused && !(options.pausesReadingWhileUnwritable && !channelWritable)
    }

    /// Stops reading from the peer (its TCP window fills and it slows down) until
    /// ``resumeReading()``.
    public func pauseReading() {
        readingPaused = true
    }

    /// Reads from the peer again after ``pauseReading()``.
    public func resumeReading() {
        readingPaused = false
        resumeReadingIfAllowed()
    }

    /// A future that succeeds once the peer can take more (at once when it can, or when
    /// the session no longer sends): for a producer that awaits instead of implementing
    /// ``WebSocketSessionDelegate/sessionWritabilityDidChange(_:isWritable:)``.
    public func whenWritable() -> EventLoopFuture<Void> {
        flushOutput()
        guard isWriting, !isWritable else { return eventLoop.makeSucceededVoidFuture() }
        let promise = eventLoop.makePromise(of: Void.self)
        writabilityWaiters.append(promise)
        return promise.futureResult
    }

    func wakeWritabilityWaiters() {
        guard !writabilityWaiters.isEmpty else { return }
        let waiters = writabilityWaiters
        writabilityWaiters.removeAll()
        for waiter in waiters { waiter.succeed(()) }
    }

    func resumeReadingIfAllowed() {
        if readPending && readsAllowed {
            readPending = false
            context?.read()
        }
    }

    // MARK: - Events

    func drainEvents() {
        while let event = connection.nextEvent(replyingInto: &output) {
            switch event {
            case .message(let message):
                counters.countReceived(message)
                delegate.session(self, didReceive: event)
            case .closed(let outcome):
                finish(outcome)
            default:
                delegate.session(self, didReceive: event)
            }
        }
    }

    func finish(_ outcome: CloseOutcome) {
        guard !reportedClose else { return }
        reportedClose = true
        keepalive?.stop()
        registry?.remove(self)
        var outcome = outcome
        if case .closingTransport(let forced?) = phase, outcome.code == .abnormalClosure { outcome = forced }
        delegate.sessionDidClose(self, outcome: outcome)
        flushOutput()
        // RFC 6455 §7.1.1: the server closes the TCP connection first; a client waits for
        // it (briefly) after the closing handshake.
        if role == .server {
            closeTransport()
        } else {
            scheduleCloseTimeout()
        }
    }

    /// Closes the TCP connection once everything queued (the close frame above all) is
    /// written: NIO fails writes still pending when a channel closes.
    func closeTransport() {
        guard let context, case .open = phase else { return }
        phase = .closingTransport(forced: nil)
        wakeWritabilityWaiters()
        // Writes complete in order: an empty one's completion means all before it are out.
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: written)
        let channel = context.channel
        written.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }

    func scheduleCloseTimeout() {
        closeTask?.cancel()
        closeTask = eventLoop.scheduleTask(in: options.closeTimeout) { [self] in
            if case .holdingWrites = phase { phase = .open }
            closeTransport()
        }
    }
}
