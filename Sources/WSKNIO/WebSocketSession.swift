import NIOCore
import WSKCompression
import WSKCore

/// What the application does with a session's events. Every call happens on the
/// session's event loop.
public protocol WebSocketSessionDelegate: AnyObject, Sendable {
    /// The connection is established (after the handshake).
    func sessionDidOpen(_ session: WebSocketSession)
    /// A complete message arrived.
    func session(_ session: WebSocketSession, didReceive message: Message)
    /// A control frame arrived (pings are already answered).
    func session(_ session: WebSocketSession, didReceiveControl opcode: Opcode, payload: ByteBuffer)
    /// The peer broke the protocol; the session is failing the connection.
    func session(_ session: WebSocketSession, didFail violation: ProtocolViolation)
    /// The connection is over; the last call.
    func sessionDidClose(_ session: WebSocketSession, outcome: CloseOutcome)
}

extension WebSocketSessionDelegate {
    public func session(_ session: WebSocketSession, didReceiveControl opcode: Opcode, payload: ByteBuffer) {}
    public func session(_ session: WebSocketSession, didFail violation: ProtocolViolation) {}
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
    /// The request's header fields (server side).
    public var requestHeaders: [(name: String, value: String)]

    /// Creates session information.
    public init(
        remoteAddress: String,
        path: String,
        subprotocol: String?,
        extensions: [WebSocketExtensionOffer],
        requestHeaders: [(name: String, value: String)] = []
    ) {
        self.remoteAddress = remoteAddress
        self.path = path
        self.subprotocol = subprotocol
        self.extensions = extensions
        self.requestHeaders = requestHeaders
    }
}

/// Counters for one session, read by the application when it closes.
public struct SessionCounters: Sendable {
    /// Messages received, by type.
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
}

/// One WebSocket connection after the upgrade: a channel handler that drives
/// ``WSKCore/Connection`` and executes what it asks for.
///
/// Reads are parsed as they arrive; replies and sent messages are gathered into one buffer
/// and flushed once per read burst. When the socket stops being writable the session stops
/// reading from it (backpressure), and a peer whose unread output passes the configured cap
/// is closed with 1008 rather than letting memory grow.
///
/// All methods must be called on ``eventLoop``; from elsewhere, hop with
/// `session.eventLoop.execute { … }`.
public final class WebSocketSession: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// The handshake's outcome and the peer's address.
    public let info: SessionInfo
    /// Message counters.
    public private(set) var counters = SessionCounters()
    /// The event loop the session lives on.
    public let eventLoop: EventLoop
    /// When the session opened.
    public let openedAt: NIODeadline
    /// Free for the application (for example the pub/sub topic).
    public var userData: String? = nil

    let role: Role
    let delegate: WebSocketSessionDelegate
    var connection: Connection
    let idleTimeout: TimeAmount?
    let maxBackpressure: Int
    let closeTimeout: TimeAmount

    var context: ChannelHandlerContext?
    var output: ByteBuffer?
    var flushScheduled = false
    /// The most recent write, so closing can wait for it.
    var lastWrite: EventLoopFuture<Void>?
    /// Between channelRead and channelReadComplete: sends are flushed at the end of the burst.
    var inReadBurst = false
    var readPending = false
    var lastActivity: NIODeadline
    var idleTask: Scheduled<Void>?
    var closeTask: Scheduled<Void>?
    var awaitingPong = false
    var didClose = false
    var registry: SessionRegistry?
    /// While true, output is kept instead of written (a client's HTTP handlers are still
    /// being removed); ``releaseWrites()`` ends it.
    var holdsWrites = false
    /// Why this side dropped the transport without a closing handshake (backpressure), to
    /// report instead of 1006.
    var forcedClose: CloseOutcome?
    var transportClosing = false

    /// Creates a session; add it to the channel pipeline in place of the HTTP handlers.
    public init(
        role: Role,
        connection: Connection,
        info: SessionInfo,
        eventLoop: EventLoop,
        idleTimeout: TimeAmount?,
        maxBackpressure: Int,
        closeTimeout: TimeAmount,
        delegate: WebSocketSessionDelegate
    ) {
        self.role = role
        self.connection = connection
        self.info = info
        self.eventLoop = eventLoop
        self.idleTimeout = idleTimeout
        self.maxBackpressure = maxBackpressure
        self.closeTimeout = closeTimeout
        self.delegate = delegate
        self.openedAt = .now()
        self.lastActivity = .now()
    }

    /// The connection's closing-handshake state.
    public var state: ConnectionState { connection.state }

    // MARK: - Channel events

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        delegate.sessionDidOpen(self)
        scheduleIdleCheck()
        if !context.channel.isActive {
            // The peer left during the upgrade.
            channelInactive(context: context)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        idleTask?.cancel()
        closeTask?.cancel()
        self.context = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        inReadBurst = true
        lastActivity = .now()
        awaitingPong = false
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
        idleTask?.cancel()
        closeTask?.cancel()
        output = nil
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        // I/O and TLS errors end the transport; channelInactive reports the close (1006).
        context.close(promise: nil)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable && readPending {
            readPending = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    public func read(context: ChannelHandlerContext) {
        // Backpressure: while the peer does not drain what we send, read nothing more from it.
        if context.channel.isWritable {
            context.read()
        } else {
            readPending = true
        }
    }

    // MARK: - Sending

    /// Sends a message (compressed if negotiated). Flushed at the end of the current read
    /// burst, or on the next event-loop tick when called outside one.
    public func send(_ message: OutboundMessage) {
        guard context != nil, !transportClosing else { return }
        var out = output ?? ByteBufferAllocator().buffer(capacity: 256)
        do {
            try connection.send(message, into: &out)
        } catch {
            output = out
            return  // sending after close, or a misuse: nothing goes out
        }
        output = out
        switch message {
        case .text(let text):
            counters.textMessagesSent += 1
            counters.bytesSent += text.utf8.count
        case .binary(let data):
            counters.binaryMessagesSent += 1
            counters.bytesSent += data.readableBytes
        default: break
        }
        afterSend()
    }

    /// Sends a message whose payload is already a buffer, keeping its type.
    public func send(_ message: Message) {
        send(opcode: message.opcode, payload: message.data)
    }

    /// Sends a data message (compressed if negotiated), split into frames of at most
    /// `fragmentSize` payload bytes when given. Returns false when the connection no longer
    /// sends.
    @discardableResult
    public func send(opcode: Opcode, payload: ByteBuffer, fragmentSize: Int? = nil) -> Bool {
        guard context != nil, !transportClosing else { return false }
        var out = output ?? ByteBufferAllocator().buffer(capacity: payload.readableBytes + 16)
        do {
            try connection.sendMessage(opcode: opcode, payload: payload, fragmentSize: fragmentSize, into: &out)
        } catch {
            output = out
            return false
        }
        output = out
        if opcode == .text {
            counters.textMessagesSent += 1
        } else {
            counters.binaryMessagesSent += 1
        }
        counters.bytesSent += payload.readableBytes
        afterSend()
        return true
    }

    /// Writes bytes exactly as given, outside the protocol engine: a hand-made frame, valid
    /// or not, for testing peers (`/frame` in the REPL). Returns false once the transport
    /// is closing.
    @discardableResult
    public func sendRaw(_ bytes: ByteBuffer) -> Bool {
        guard context != nil, !transportClosing else { return false }
        var out = output ?? ByteBufferAllocator().buffer(capacity: bytes.readableBytes)
        var bytes = bytes
        out.writeBuffer(&bytes)
        output = out
        afterSend()
        return true
    }

    /// A future that succeeds once the socket can take more data (at once when it can).
    public func whenWritable() -> EventLoopFuture<Void> {
        flushOutput()
        guard let context, !context.channel.isWritable, let lastWrite else {
            return eventLoop.makeSucceededVoidFuture()
        }
        // The last write completing means the kernel took the queued bytes.
        return lastWrite.flatMapErrorThrowing { _ in }
    }

    /// A future that completes when the connection's transport has closed.
    public var closeFuture: EventLoopFuture<Void> {
        context?.channel.closeFuture ?? eventLoop.makeSucceededVoidFuture()
    }

    /// Drops the transport at once, without a closing handshake (the peer is unresponsive).
    public func abort() {
        guard let context else { return }
        transportClosing = true
        context.close(promise: nil)
    }

    /// Starts the closing handshake; the transport closes when the peer answers or after
    /// the close timeout.
    ///
    /// Under ``AutoReplyPolicy/deferredCloseReply``, after the peer's close frame this sends
    /// the reply and the session closes.
    public func close(code: CloseCode, reason: String = "") {
        guard context != nil else { return }
        switch connection.state {
        case .open:
            send(.close(CloseFrame(code: code, reason: reason)))
            flushOutput()
            scheduleCloseTimeout()
        case .closeReceived:
            send(.close(CloseFrame(code: code, reason: reason)))
            drainEvents()  // the handshake is complete: report it and close the transport
            flushOutput()
        case .closeSent, .closed:
            break
        }
    }

    func afterSend() {
        if output.map({ $0.readableBytes >= 64 * 1024 }) ?? false {
            flushOutput()
        } else if !inReadBurst && !flushScheduled {
            flushScheduled = true
            eventLoop.execute { [self] in
                flushScheduled = false
                flushOutput()
            }
        }
    }

    /// Starts writing output kept while the HTTP handlers were being removed.
    func releaseWrites() {
        holdsWrites = false
        flushOutput()
        if connection.state == .closed && didClose && role == .server {
            closeTransport()
        }
    }

    func flushOutput() {
        guard let context, !holdsWrites else { return }
        if let replies = connection.takeOutput() {
            // Automatic replies produced outside drainEvents (rare); keep order simple.
            var out = output ?? ByteBufferAllocator().buffer(capacity: replies.readableBytes)
            var replies = replies
            out.writeBuffer(&replies)
            output = out
        }
        guard let out = output, out.readableBytes > 0 else { return }
        output = nil
        let written = context.writeAndFlush(wrapOutboundOut(out))
        lastWrite = written
        if !context.channel.isWritable {
            checkBackpressure(context)
        }
    }

    func checkBackpressure(_ context: ChannelHandlerContext) {
        guard let buffered = try? context.channel.syncOptions?.getOption(ChannelOptions.bufferedWritableBytes) else {
            return
        }
        if buffered > maxBackpressure {
            // The peer does not read: RFC 6455 §7.4.1 1008 "policy violation". The close
            // frame cannot overtake the queue, so drop the connection after queueing it.
            if connection.state == .open {
                var out = ByteBufferAllocator().buffer(capacity: 32)
                try? connection.send(.close(CloseFrame(code: .policyViolation, reason: "backpressure limit")), into: &out)
                context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            }
            forcedClose = CloseOutcome(code: .policyViolation, reason: "backpressure limit", wasClean: false, initiatedByPeer: false)
            transportClosing = true
            context.close(promise: nil)
        }
    }

    // MARK: - Events

    func drainEvents() {
        if let replies = connection.takeOutput() {
            var out = output ?? ByteBufferAllocator().buffer(capacity: replies.readableBytes)
            var replies = replies
            out.writeBuffer(&replies)
            output = out
        }
        while let event = connection.nextEvent() {
            switch event {
            case .message(let message):
                if message.opcode == .text {
                    counters.textMessagesReceived += 1
                } else {
                    counters.binaryMessagesReceived += 1
                }
                counters.bytesReceived += message.data.readableBytes
                delegate.session(self, didReceive: message)
            case .ping(let payload):
                delegate.session(self, didReceiveControl: .ping, payload: payload)
            case .pong(let payload):
                delegate.session(self, didReceiveControl: .pong, payload: payload)
            case .closeReceived(let close):
                var payload = ByteBuffer()
                try? close.writePayload(into: &payload)
                delegate.session(self, didReceiveControl: .close, payload: payload)
            case .failed(let violation):
                delegate.session(self, didFail: violation)
            case .closed(let outcome):
                finish(outcome)
            }
            if let replies = connection.takeOutput() {
                var out = output ?? ByteBufferAllocator().buffer(capacity: replies.readableBytes)
                var replies = replies
                out.writeBuffer(&replies)
                output = out
            }
        }
    }

    func finish(_ outcome: CloseOutcome) {
        guard !didClose else { return }
        didClose = true
        idleTask?.cancel()
        registry?.remove(self)
        var outcome = outcome
        if let forcedClose, outcome.code == .abnormalClosure { outcome = forcedClose }
        delegate.sessionDidClose(self, outcome: outcome)
        // RFC 6455 §7.1.1: the server closes the TCP connection first; a client waits for
        // it (briefly) after the closing handshake.
        if role == .server {
            flushOutput()
            closeTransport()
        } else {
            flushOutput()
            scheduleCloseTimeout()
        }
    }

    /// Closes the TCP connection once everything queued (the close frame above all) is
    /// written: NIO fails writes still pending when a channel closes.
    func closeTransport() {
        guard let context, !transportClosing else { return }
        transportClosing = true
        if let lastWrite {
            let channel = context.channel
            lastWrite.whenComplete { _ in channel.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }

    func scheduleCloseTimeout() {
        closeTask?.cancel()
        closeTask = eventLoop.scheduleTask(in: closeTimeout) { [self] in
            closeTransport()
        }
    }

    // MARK: - Idle timeout

    func scheduleIdleCheck() {
        guard let idleTimeout else { return }
        idleTask = eventLoop.scheduleTask(deadline: lastActivity + idleTimeout) { [self] in
            idleCheck(idleTimeout)
        }
    }

    func idleCheck(_ idleTimeout: TimeAmount) {
        guard context != nil, connection.state == .open else { return }
        let now = NIODeadline.now()
        if now - lastActivity < idleTimeout {
            scheduleIdleCheck()
            return
        }
        if awaitingPong {
            // Pinged and still silent: Bunny-style idle timeout.
            close(code: .goingAway, reason: "idle timeout")
            return
        }
        awaitingPong = true
        send(.ping(ByteBuffer(string: "wsk-idle")))
        flushOutput()
        idleTask = eventLoop.scheduleTask(in: idleTimeout) { [self] in
            idleCheck(idleTimeout)
        }
    }
}
