import NIOCore
import WSKCore

/// Sending, closing and flushing: everything the session writes goes through ``output``.
extension WebSocketSession {
    /// Sends a message or control frame (data compressed if negotiated). Returns whether
    /// the peer is still writable: false means stop sending until the delegate hears it
    /// is writable again (or the session no longer sends).
    @discardableResult
    public func send(_ message: OutboundMessage) -> Bool {
        guard isWriting else { return false }
        do {
            try connection.send(message, into: &output)
        } catch {
            return false  // sending after close, or a misuse: nothing goes out
        }
        switch message {
        case .text(let text): counters.countSent(.text, bytes: text.utf8.count)
        case .binary(let data): counters.countSent(.binary, bytes: data.readableBytes)
        default: break
        }
        return afterSend()
    }

    /// Sends a message whose payload is already a buffer, keeping its type.
    @discardableResult
    public func send(_ message: Message) -> Bool {
        send(opcode: message.opcode, payload: message.data)
    }

    /// Sends a data message (compressed if negotiated), split into frames of at most
    /// `fragmentSize` payload bytes when given. Returns whether the peer is still writable.
    @discardableResult
    public func send(opcode: Opcode, payload: ByteBuffer, fragmentSize: Int? = nil) -> Bool {
        guard isWriting else { return false }
        do {
            if writesPayloadsUncopied && fragmentSize == nil && Self.writesUncopied(payload) {
                if let uncopied = try connection.sendMessageDeferringPayload(opcode: opcode, payload: payload, into: &output) {
                    writeAfterOutput(uncopied)
                }
            } else {
                try connection.sendMessage(opcode: opcode, payload: payload, fragmentSize: fragmentSize, into: &output)
            }
        } catch {
            return false
        }
        counters.countSent(opcode, bytes: payload.readableBytes)
        return afterSend()
    }

    /// Sends one fragment of a message the caller splits itself (a relay keeping the
    /// sender's fragment boundaries), compressed if negotiated. Returns whether the peer is
    /// still writable.
    @discardableResult
    public func sendFragment(opcode: Opcode, payload: ByteBuffer, isFinal: Bool) -> Bool {
        guard isWriting else { return false }
        do {
            try connection.sendFragment(opcode: opcode, payload: payload, isFinal: isFinal, into: &output)
        } catch {
            return false
        }
        if opcode != .continuation {
            counters.countSent(opcode, bytes: payload.readableBytes)
        } else {
            counters.bytesSent += payload.readableBytes
        }
        return afterSend()
    }

    /// Writes bytes exactly as given, outside the protocol engine: a hand-made frame, valid
    /// or not, for testing peers (`/frame` in the REPL).
    @discardableResult
    public func sendRaw(_ bytes: ByteBuffer) -> Bool {
        guard isWriting else { return false }
        output.writeImmutableBuffer(bytes)
        return afterSend()
    }

    /// Drops the transport at once, without a closing handshake (the peer is
    /// unresponsive); the outcome reported is 1006 with `reason`.
    public func abort(reason: String = "") {
        guard let context, isWriting else { return }
        phase = .closingTransport(forced: CloseOutcome(code: .abnormalClosure, reason: reason, wasClean: false, initiatedByPeer: false))
        wakeWritabilityWaiters()
        context.close(promise: nil)
    }

    /// Starts the closing handshake; the transport closes when the peer answers or after
    /// the close timeout. Under ``WSKCore/AutoReplyPolicy/deferredCloseReply``, after the
    /// peer's close frame, this sends the reply and the session closes.
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

    /// Payloads from this size on are written as they are, after their frame's header in
    /// ``output``, instead of being copied into it (a server's frames are not masked): a
    /// 16 KiB echo is then one copy (the unmasking) instead of two. Smaller ones are cheaper
    /// to copy than to queue as a write of their own.
    static let uncopiedPayloadSize = 4096

    /// Whether `payload` is large enough to write uncopied, and at least half of the storage
    /// it holds: a small slice of a large receive buffer (a relay forwarding a client's
    /// decoded frame) is copied, so that a slow peer's queue pins no more than twice the
    /// bytes it counts against the backpressure limit.
    static func writesUncopied(_ payload: ByteBuffer) -> Bool {
        payload.readableBytes >= uncopiedPayloadSize && payload.storageCapacity <= 2 * payload.readableBytes
    }

    /// Queues `payload` to be written after what ``output`` holds now.
    func writeAfterOutput(_ payload: ByteBuffer) {
        guard payload.readableBytes > 0 else { return }
        outputPayloads.append((output.writerIndex, payload))
    }

    /// The bytes waiting for the next flush: ``output`` and the payloads queued after parts
    /// of it.
    var unflushedBytes: Int {
        outputPayloads.reduce(output.readableBytes) { $0 + $1.payload.readableBytes }
    }

    func afterSend() -> Bool {
        if unflushedBytes >= 64 * 1024 {
            flushOutput()
        } else if !inReadBurst && !flushScheduled {
            flushScheduled = true
            eventLoop.execute { [self] in
                flushScheduled = false
                flushOutput()
            }
        }
        return isWriting && isWritable
    }

    /// Starts writing output kept while the HTTP handlers were being removed.
    func releaseWrites() {
        handshakeBytesForwarded()
        guard case .holdingWrites = phase else { return }
        phase = .open
        flushOutput()
        if reportedClose && role == .server { closeTransport() }
    }

    /// The HTTP decoder, on its removal, forwarded the bytes that followed the handshake
    /// in the same read (frames sent right after the 101 or the upgrade request). It does so
    /// with a channelRead that no channelReadComplete follows: end that read burst here and
    /// flush, or what the application answered would wait for the peer's next read.
    func handshakeBytesForwarded() {
        inReadBurst = false
        flushOutput()
    }

    func flushOutput() {
        guard let context, case .open = phase, output.readableBytes > 0 || !outputPayloads.isEmpty else { return }
        writeOutput(context)
        if !channelWritable { enforceBackpressureLimit(context) }
    }

    /// Writes and flushes ``output``, with the payloads queued after parts of it in their
    /// places, and empties it.
    func writeOutput(_ context: ChannelHandlerContext) {
        // No promise per write (closeTransport orders its close after the last write by
        // itself). The buffer is kept for the next frames: once the socket took it, NIO
        // drops its reference and clearing it allocates nothing; if NIO still holds it,
        // clear() gives this session fresh storage. A large one is let go.
        if outputPayloads.isEmpty {
            context.writeAndFlush(wrapOutboundOut(output), promise: nil)
        } else {
            // Slices of output share its storage: no copy, and NIO gathers them into one
            // writev with the payloads between them.
            var start = output.readerIndex
            for (offset, payload) in outputPayloads {
                if offset > start {
                    context.write(wrapOutboundOut(output.getSlice(at: start, length: offset - start)!), promise: nil)
                }
                context.write(wrapOutboundOut(payload), promise: nil)
                start = offset
            }
            if output.writerIndex > start {
                context.write(wrapOutboundOut(output.getSlice(at: start, length: output.writerIndex - start)!), promise: nil)
            }
            outputPayloads.removeAll(keepingCapacity: true)
            context.flush()
        }
        clearOutput(context.channel.allocator)
    }

    func clearOutput(_ allocator: ByteBufferAllocator) {
        outputPayloads.removeAll(keepingCapacity: true)
        if output.capacity > Self.keptOutputCapacity {
            output = allocator.buffer(capacity: 0)
        } else {
            output.clear()
        }
    }

    /// The bytes written but not yet taken by the transport: the socket's queue, or on an
    /// HTTP/2 stream (whose channel has no such option, and traps when asked) what
    /// ``HTTP2StreamBytes`` counts. Looked up only when the channel is unwritable.
    static func bufferedBytes(_ context: ChannelHandlerContext) -> Int? {
        if let stream = try? context.pipeline.syncOperations.handler(type: HTTP2StreamBytes.self) {
            return stream.pendingBytes
        }
        return try? context.channel.syncOptions?.getOption(ChannelOptions.bufferedWritableBytes)
    }

    /// The largest output buffer kept between flushes.
    static let keptOutputCapacity = 64 * 1024

    /// A peer that lets more than ``SessionOptions/maxBackpressure`` pile up is closed
    /// with 1008 (RFC 6455 §7.4.1 "policy violation"); the close frame cannot overtake the
    /// queue, so the transport is dropped after queueing it.
    func enforceBackpressureLimit(_ context: ChannelHandlerContext) {
        guard let buffered = Self.bufferedBytes(context), buffered > options.maxBackpressure
        else { return }
        let close = CloseFrame(code: .policyViolation, reason: "backpressure limit")
        if connection.state == .open, (try? connection.send(.close(close), into: &output)) != nil {
            writeOutput(context)
        }
        phase = .closingTransport(forced: CloseOutcome(code: .policyViolation, reason: close.reason, wasClean: false, initiatedByPeer: false))
        wakeWritabilityWaiters()
        context.close(promise: nil)
    }
}
