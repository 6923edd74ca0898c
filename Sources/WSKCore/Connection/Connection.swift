import NIOCore

/// The WebSocket protocol engine for one connection, after the handshake: bytes in,
/// events and bytes out (wsproto's sans-IO shape).
///
/// Feed received bytes to ``receive(_:)`` and the end of the stream to
/// ``receiveEndOfStream()``; read ``nextEvent(replyingInto:)`` until it returns `nil`,
/// with the buffer you write to the peer: automatic replies (pongs, close replies, the
/// close frame of a failed connection) are appended to it at the moment their event is
/// read, so they are ordered after whatever the caller sent in answer to earlier events.
/// Send with ``send(_:into:)`` into the same buffer. There is no hidden output queue. No
/// sockets, no clock, no global RNG: a client's masking keys come from the generator
/// passed to the initialiser.
public struct Connection {
    /// This endpoint's role.
    public let role: Role
    /// The limits in force.
    public let configuration: WebSocketConfiguration
    /// Whether pings and closes are answered automatically.
    public let autoReplyPolicy: AutoReplyPolicy
    /// The closing-handshake state.
    public private(set) var state: ConnectionState = .open

    var decoder: FrameDecoder
    let messageExtension: (any WebSocketExtension)?
    var maskingKeys: MaskingKeySource<AnyRandomNumberGenerator>
    var inbound: ByteBuffer? = nil
    var events = CircularBuffer<ConnectionEvent>(initialCapacity: 4)
    let allocator = ByteBufferAllocator()

    // The message being received.
    var messageOpcode: Opcode? = nil
    var messageIsCompressed = false
    var messageData: ByteBuffer? = nil
    var messageUTF8 = UTF8Validator()
    var validatedBytes = 0

    // The message being sent in fragments.
    var sendingFragmentedMessage = false

    var closeSentCode: CloseFrame? = nil

    /// Creates an engine for an established connection.
    ///
    /// - Parameters:
    ///   - role: this endpoint's role.
    ///   - configuration: limits.
    ///   - extensions: negotiated per-message extensions; at most one (permessage-deflate).
    ///   - autoReplyPolicy: whether pings and closes are answered here.
    ///   - randomNumberGenerator: the source of client masking keys (RFC 6455 §5.3 requires
    ///     them unpredictable; pass `SystemRandomNumberGenerator()` outside tests).
    /// - Precondition: at most one extension.
    public init(
        role: Role,
        configuration: WebSocketConfiguration = .init(),
        extensions: [any WebSocketExtension] = [],
        autoReplyPolicy: AutoReplyPolicy = .automatic,
        randomNumberGenerator: some RandomNumberGenerator
    ) {
        precondition(extensions.count <= 1, "at most one per-message extension is supported")
        self.role = role
        self.configuration = configuration
        self.autoReplyPolicy = autoReplyPolicy
        self.messageExtension = extensions.first
        self.decoder = FrameDecoder(role: role, configuration: configuration, mode: .strict)
        self.decoder.allowedReservedBits = extensions.first?.reservedBits ?? []
        self.maskingKeys = MaskingKeySource(AnyRandomNumberGenerator(randomNumberGenerator))
    }

    /// Whether the connection is over (the last event, ``ConnectionEvent/closed(_:)``, has
    /// been queued).
    public var isClosed: Bool { state == .closed }

    // MARK: - Receiving

    /// Takes received bytes; they are parsed as ``nextEvent(replyingInto:)`` asks for events. Consumes
    /// `bytes`.
    ///
    /// Parsing is lazy so that the caller's reaction to one event happens before the next
    /// frame is acted on: a message echoed by the caller goes out before the close reply to
    /// a close frame that arrived in the same read, and a violation later in the same read
    /// does not overtake the messages before it. Read events until `nil` after each call.
    public mutating func receive(_ bytes: inout ByteBuffer) {
        guard state != .closed, !endOfStreamReceived else {
            bytes.moveReaderIndex(to: bytes.writerIndex)
            return
        }
        if var pendingBytes = inbound, pendingBytes.readableBytes > 0 {
            inbound = nil  // drop our reference first, so appending does not copy the storage
            pendingBytes.writeBuffer(&bytes)
            inbound = pendingBytes
        } else {
            inbound = bytes
            bytes.moveReaderIndex(to: bytes.writerIndex)
        }
    }

    /// Parses one frame from the received bytes and acts on it; false when no whole frame
    /// is buffered.
    mutating func parseNextFrame(replyingInto output: inout ByteBuffer) -> Bool {
        guard state != .closed, var buffer = inbound, buffer.readableBytes > 0 else { return false }
        inbound = nil
        let decoded: DecodedFrame?
        do {
            decoded = try decoder.nextFrame(from: &buffer)
        } catch {
            fail(error, replyingInto: &output)
            return true
        }
        guard let decoded else {
            if buffer.readerIndex > 0 { buffer.discardReadBytes() }
            inbound = buffer
            return false
        }
        inbound = buffer
        handle(decoded, replyingInto: &output)
        return true
    }

    mutating func handle(_ decoded: DecodedFrame, replyingInto output: inout ByteBuffer) {
        let frame = decoded.frame
        switch frame.opcode {
        case .ping:
            events.append(.ping(frame.payload))
            if autoReplyPolicy != .passThrough && state == .open {
                // RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong
                // frame in response ... The Pong frame MUST have identical Application data".
                writeControl(.pong, payload: frame.payload, into: &output)
            }
        case .pong:
            events.append(.pong(frame.payload))
        case .close:
            // The decoder already validated the payload (RFC 6455 §5.5.1, §7.4).
            let close = (try? CloseFrame.parse(payload: frame.payload).get()) ?? CloseFrame(code: nil)
            receivedClose(close, replyingInto: &output)
        default:
            receivedData(decoded, replyingInto: &output)
        }
    }

    mutating func receivedData(_ decoded: DecodedFrame, replyingInto output: inout ByteBuffer) {
        let frame = decoded.frame
        if frame.opcode != .continuation {
            messageOpcode = frame.opcode
            messageIsCompressed = messageExtension != nil && frame.reservedBits.contains(.rsv1)
            if frame.isFinal && !messageIsCompressed {
                // Fast path: a single-frame message is the frame's payload slice, no copy.
                deliver(Message(opcode: frame.opcode, data: frame.payload))
                return
            }
            messageData = allocator.buffer(capacity: frame.payload.readableBytes)
            messageUTF8.reset()
            validatedBytes = 0
        }
        guard let opcode = messageOpcode else { return }  // the decoder rejects stray continuations
        var data = messageData ?? allocator.buffer(capacity: 0)
        messageData = nil
        if messageIsCompressed, let messageExtension {
            do {
                try messageExtension.decode(
                    frame.payload,
                    isFinal: frame.isFinal,
                    into: &data,
                    limit: configuration.maxMessageSize
                )
            } catch {
                fail(ProtocolViolation(error, streamOffset: decoded.streamOffset), replyingInto: &output)
                return
            }
            if opcode == .text {
                // UTF-8 of a compressed message is checked on the inflated bytes, as they are
                // produced, so invalid text still fails before the message ends.
                let start = validatedBytes
                var validator = messageUTF8
                let bad = data.withUnsafeReadableBytes { bytes in
                    validator.consume(UnsafeRawBufferPointer(rebasing: bytes[start...]))
                }
                messageUTF8 = validator
                validatedBytes = data.readableBytes
                if bad != nil || (frame.isFinal && !validator.isComplete) {
                    fail(ProtocolViolation(.invalidUTF8, streamOffset: decoded.streamOffset), replyingInto: &output)
                    return
                }
            }
        } else {
            var payload = frame.payload
            data.writeBuffer(&payload)
        }
        if frame.isFinal {
            messageOpcode = nil
            deliver(Message(opcode: opcode, data: data))
        } else {
            messageData = data
        }
    }

    mutating func deliver(_ message: Message) {
        events.append(.message(message))
    }

    mutating func receivedClose(_ close: CloseFrame, replyingInto output: inout ByteBuffer) {
        events.append(.closeReceived(close))
        switch state {
        case .open:
            if autoReplyPolicy == .automatic {
                // RFC 6455 §5.5.1: "If an endpoint receives a Close frame and did not
                // previously send a Close frame, the endpoint MUST send a Close frame in
                // response." It echoes the status code (an empty close gets an empty one).
                writeClose(close.response, into: &output)
                finish(CloseOutcome(code: close.effectiveCode, reason: close.reason, wasClean: true, initiatedByPeer: true))
            } else {
                state = .closeReceived
                pendingPeerClose = close
            }
        case .closeSent:
            // Our close was answered: the closing handshake is complete (RFC 6455 §7.1.2).
            finish(CloseOutcome(code: close.effectiveCode, reason: close.reason, wasClean: true, initiatedByPeer: false))
        case .closeReceived, .closed:
            break  // the decoder rejects frames after a close
        }
    }

    var pendingPeerClose: CloseFrame? = nil

    /// Fails the connection (RFC 6455 §7.1.7).
    mutating func fail(_ violation: ProtocolViolation, replyingInto output: inout ByteBuffer) {
        guard state != .closed else { return }
        events.append(.failed(violation))
        if autoReplyPolicy != .passThrough && state == .open {
            writeClose(CloseFrame(code: violation.closeCode), into: &output)
        }
        inbound = nil
        finish(
            CloseOutcome(code: violation.closeCode, reason: violation.reason.description, wasClean: false, initiatedByPeer: false)
        )
    }

    /// Reports that the transport delivered its last byte. Without a completed closing
    /// handshake this ends the connection with 1006 (RFC 6455 §7.1.5).
    ///
    /// Frames received before the end are still reported first.
    public mutating func receiveEndOfStream() {
        endOfStreamReceived = true
    }

    var endOfStreamReceived = false

    mutating func finish(_ outcome: CloseOutcome) {
        state = .closed
        events.append(.closed(outcome))
    }

    /// The next event, or `nil` when all have been read. Parses at most as far as the next
    /// event and acts on it: automatic replies for it are appended to `output` (the buffer
    /// the caller writes to the peer) now, after anything the caller already put there.
    public mutating func nextEvent(replyingInto output: inout ByteBuffer) -> ConnectionEvent? {
        while events.isEmpty && parseNextFrame(replyingInto: &output) {}
        if events.isEmpty && endOfStreamReceived && state != .closed {
            inbound = nil
            finish(CloseOutcome(code: .abnormalClosure, reason: "", wasClean: false, initiatedByPeer: true))
        }
        return events.popFirst()
    }

    // MARK: - Sending

    /// Appends `message` to `output` as one or more frames.
    ///
    /// - Throws: ``UsageError`` for data after this endpoint's close frame, an oversized
    ///   control payload, or an invalid close frame.
    public mutating func send(_ message: OutboundMessage, into output: inout ByteBuffer) throws(UsageError) {
        switch message {
        case .text(let text):
            var buffer = allocator.buffer(capacity: text.utf8.count)
            buffer.writeString(text)
            try sendMessage(opcode: .text, payload: buffer, into: &output)
        case .binary(let data):
            try sendMessage(opcode: .binary, payload: data, into: &output)
        case .ping(let payload):
            try sendControl(.ping, payload: payload, into: &output)
        case .pong(let payload):
            try sendControl(.pong, payload: payload, into: &output)
        case .close(let close):
            guard state == .open || state == .closeReceived else { throw .sendAfterClose }
            var payload = allocator.buffer(capacity: 2 + close.reason.utf8.count)
            try close.writePayload(into: &payload)
            FrameEncoder.encode(opcode: .close, maskingKey: nextMaskingKey(), payload: payload, into: &output)
            closeWasSent(close)
        case .frame(var frame):
            if role == .client && frame.maskingKey == nil { frame.maskingKey = maskingKeys.next() }
            FrameEncoder.encode(frame, into: &output)
            if frame.opcode == .close && (state == .open || state == .closeReceived) {
                closeWasSent((try? CloseFrame.parse(payload: frame.payload).get()) ?? CloseFrame(code: nil))
            }
        }
    }

    /// Sends a data message, compressed if an extension was negotiated, split into frames
    /// of at most `fragmentSize` payload bytes when given.
    public mutating func sendMessage(
        opcode: Opcode,
        payload: ByteBuffer,
        fragmentSize: Int? = nil,
        into output: inout ByteBuffer
    ) throws(UsageError) {
        guard state == .open || state == .closeReceived else { throw .sendAfterClose }
        guard !sendingFragmentedMessage else { throw .messageInProgress }
        var payload = payload
        var reservedBits: ReservedBits = []
        if let messageExtension, let compressed = messageExtension.encode(payload) {
            payload = compressed
            reservedBits = messageExtension.reservedBits
        }
        guard let fragmentSize, fragmentSize > 0, payload.readableBytes > fragmentSize else {
            FrameEncoder.encode(
                reservedBits: reservedBits,
                opcode: opcode,
                maskingKey: nextMaskingKey(),
                payload: payload,
                into: &output
            )
            return
        }
        var frameOpcode = opcode
        while payload.readableBytes > 0 {
            let piece = payload.readSlice(length: min(fragmentSize, payload.readableBytes))!
            FrameEncoder.encode(
                isFinal: payload.readableBytes == 0,
                // RFC 7692 §6.1: RSV1 only on the first frame of a compressed message.
                reservedBits: frameOpcode == .continuation ? [] : reservedBits,
                opcode: frameOpcode,
                maskingKey: nextMaskingKey(),
                payload: piece,
                into: &output
            )
            frameOpcode = .continuation
        }
    }

    /// Sends one fragment of a message the caller splits itself (no compression). Start
    /// with `.text` or `.binary`, go on with `.continuation`, end with `isFinal: true`.
    public mutating func sendFragment(
        opcode: Opcode,
        payload: ByteBuffer,
        isFinal: Bool,
        into output: inout ByteBuffer
    ) throws(UsageError) {
        guard state == .open || state == .closeReceived else { throw .sendAfterClose }
        if opcode == .continuation {
            guard sendingFragmentedMessage else { throw .noMessageInProgress }
        } else {
            guard !sendingFragmentedMessage else { throw .messageInProgress }
        }
        FrameEncoder.encode(isFinal: isFinal, opcode: opcode, maskingKey: nextMaskingKey(), payload: payload, into: &output)
        sendingFragmentedMessage = !isFinal
    }

    mutating func sendControl(_ opcode: Opcode, payload: ByteBuffer, into output: inout ByteBuffer) throws(UsageError) {
        guard state != .closed && state != .closeSent else { throw .sendAfterClose }
        // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less".
        guard payload.readableBytes <= 125 else { throw .controlPayloadTooLong(payload.readableBytes) }
        FrameEncoder.encode(opcode: opcode, maskingKey: nextMaskingKey(), payload: payload, into: &output)
    }

    mutating func closeWasSent(_ close: CloseFrame) {
        switch state {
        case .open:
            state = .closeSent
            closeSentCode = close
        case .closeReceived:
            let peer = pendingPeerClose ?? CloseFrame(code: nil)
            finish(CloseOutcome(code: peer.effectiveCode, reason: peer.reason, wasClean: true, initiatedByPeer: true))
        case .closeSent, .closed:
            break
        }
    }

    mutating func nextMaskingKey() -> MaskingKey? {
        role == .client ? maskingKeys.next() : nil
    }

    mutating func writeControl(_ opcode: Opcode, payload: ByteBuffer, into output: inout ByteBuffer) {
        FrameEncoder.encode(opcode: opcode, maskingKey: nextMaskingKey(), payload: payload, into: &output)
    }

    mutating func writeClose(_ close: CloseFrame, into output: inout ByteBuffer) {
        var payload = allocator.buffer(capacity: 2 + close.reason.utf8.count)
        do {
            try close.writePayload(into: &payload)
        } catch {
            payload.clear()  // unreachable for echoed codes (validated on receipt); send an empty close
        }
        writeControl(.close, payload: payload, into: &output)
        if state == .open {
            state = .closeSent
            closeSentCode = close
        }
    }
}

/// A type-erased random number generator, so ``Connection`` need not be generic.
public struct AnyRandomNumberGenerator: RandomNumberGenerator {
    var base: any RandomNumberGenerator

    /// Wraps a generator.
    public init(_ base: some RandomNumberGenerator) {
        self.base = base
    }

    /// The next 64 random bits from the wrapped generator.
    public mutating func next() -> UInt64 {
        base.next()
    }
}
