import NIOCore
import WSKCore

/// A byte stream as one side of a ``Relay``: a TCP connection, or a program's stdin and
/// stdout (a pipe channel). A channel handler: add it to the stream's pipeline.
///
/// Framing: ``Framing/bytes`` turns each read into a binary message and writes messages
/// as their bytes; ``Framing/lines`` turns each line of output (without its `\n` or
/// `\r\n`) into a text message, the last one even without a newline, and writes text
/// messages as lines and binary ones as raw bytes. Reading pauses when the other side
/// cannot take more; the writes' writability paces the other side.
public final class StreamEndpoint: ChannelDuplexHandler, RelayEndpoint, @unchecked Sendable {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// How bytes become messages.
    public enum Framing: Sendable {
        case bytes
        case lines
    }

    public weak var relay: Relay?
    let framing: Framing
    /// The longest line; a longer one ends the relay with 1009 (bounds memory).
    public var maxLineLength: Int
    /// Called once the stream has ended and its last message was relayed, before the
    /// relay hears of the end (a program's exit status can be awaited there).
    public var onEnd: (@escaping (CloseOutcome) -> Void) -> Void
    /// What ``terminate(_:)`` does besides closing the channel (end a program).
    public var onTerminate: (() -> Void)?
    /// After ``finish(_:)``, how long the stream may take to end on its own before it is
    /// terminated (a program that ignores EOF on its stdin); `nil` waits for it.
    public var finishTimeout: TimeAmount?
    var finishTimer: Scheduled<Void>?
    var context: ChannelHandlerContext?
    var lineBuffer: ByteBuffer?
    /// Bytes of ``lineBuffer`` already searched for a newline.
    var scannedBytes = 0
    var readingPaused = false
    var readPending = false
    var ended = false

    /// Creates an endpoint; `onEnd` is given a completion to call with the outcome to
    /// report (after waiting for a program's exit, say).
    public init(
        framing: Framing,
        maxLineLength: Int = 16 << 20,
        onEnd: @escaping (@escaping (CloseOutcome) -> Void) -> Void = { report in
            report(CloseOutcome(code: .normalClosure, reason: "", wasClean: true, initiatedByPeer: true))
        }
    ) {
        self.framing = framing
        self.maxLineLength = maxLineLength
        self.onEnd = onEnd
    }

    // MARK: - Channel events

    public func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    public func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        switch framing {
        case .bytes:
            relay?.received(Message(opcode: .binary, data: bytes), from: .upstream)
        case .lines:
            guard !ended else { return }
            var buffer = lineBuffer ?? context.channel.allocator.buffer(capacity: bytes.readableBytes)
            lineBuffer = nil
            buffer.writeBuffer(&bytes)
            // Only the new bytes are searched: a long line costs linear time, not quadratic.
            var searchFrom = buffer.readerIndex + scannedBytes
            while let newline = buffer.readableBytesView[searchFrom...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = buffer.readSlice(length: newline - buffer.readerIndex)!
                buffer.moveReaderIndex(forwardBy: 1)
                if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
                guard line.readableBytes <= maxLineLength else { return lineTooLong(context) }
                relayLine(line)
                searchFrom = buffer.readerIndex
            }
            scannedBytes = buffer.readableBytes
            guard buffer.readableBytes <= maxLineLength else { return lineTooLong(context) }
            if buffer.readableBytes == 0 {
                scannedBytes = 0
            } else {
                lineBuffer = buffer
            }
        }
    }

    /// A line over ``maxLineLength``: the message would be over the limit, so the relay
    /// ends with 1009 (RFC 6455 §7.4.1 "message too big") and the program is terminated.
    func lineTooLong(_ context: ChannelHandlerContext) {
        lineBuffer = nil
        ended = true
        relay?.ended(.upstream, outcome: CloseOutcome(code: .messageTooBig, reason: "line over \(maxLineLength) bytes", wasClean: false, initiatedByPeer: true))
        context.close(promise: nil)
        onTerminate?()
    }

    func relayLine(_ line: ByteBuffer) {
        // Text messages must be UTF-8 (RFC 6455 §5.6): a line that is not goes as binary.
        var validator = UTF8Validator()
        let isText = line.withUnsafeReadableBytes { validator.validate($0) } && validator.isComplete
        let opcode: Opcode = isText ? .text : .binary
        relay?.received(Message(opcode: opcode, data: line), from: .upstream)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            streamEnded()
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        streamEnded()
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { relay?.becameWritable(.upstream) }
        context.fireChannelWritabilityChanged()
    }

    public func read(context: ChannelHandlerContext) {
        if readingPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    /// Everything was read: the last line (without a newline) goes out, then the end.
    func streamEnded() {
        guard !ended else { return }
        ended = true
        finishTimer?.cancel()
        if let rest = lineBuffer, rest.readableBytes > 0 {
            lineBuffer = nil
            relayLine(rest)
        }
        onEnd { [weak self] outcome in
            self?.relay?.ended(.upstream, outcome: outcome)
        }
    }

    // MARK: - RelayEndpoint

    public func deliver(_ message: Message) -> Bool {
        guard let context else { return false }
        var data = message.data
        if framing == .lines && message.isText {
            var line = context.channel.allocator.buffer(capacity: data.readableBytes + 1)
            line.writeBuffer(&data)
            line.writeInteger(UInt8(ascii: "\n"))
            data = line
        }
        context.writeAndFlush(wrapOutboundOut(data), promise: nil)
        return context.channel.isWritable
    }

    /// Half-close: the peer sees EOF and can still answer.
    public func finish(_ close: CloseFrame) {
        guard let context else { return }
        let channel = context.channel
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenFailure { _ in channel.close(mode: .all, promise: nil) }
        context.close(mode: .output, promise: promise)
        if let finishTimeout, finishTimer == nil {
            finishTimer = context.eventLoop.scheduleTask(in: finishTimeout) { [self] in
                if !ended { terminate(close) }
            }
        }
    }

    public func terminate(_ close: CloseFrame) {
        context?.close(promise: nil)
        onTerminate?()
    }

    public func pauseReading() {
        readingPaused = true
    }

    public func resumeReading() {
        readingPaused = false
        if readPending {
            readPending = false
            context?.read()
        }
    }
}
