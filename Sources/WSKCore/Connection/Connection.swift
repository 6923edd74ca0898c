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
    public internal(set) var state: ConnectionState = .open

    var decoder: FrameDecoder
    let messageExtension: (any WebSocketExtension)?
    var maskingKeys: MaskingKeySource<AnyRandomNumberGenerator>
    var inbound: ByteBuffer? = nil
    /// Starts with room for one event (an idle connection holds only that); grows on the
    /// first burst and keeps what it grew to.
    var events = CircularBuffer<ConnectionEvent>(initialCapacity: 1)
    let allocator = ByteBufferAllocator()

    // The message being sent in fragments, and whether it is compressed.
    var sendingFragmentedMessage = false
    var sendingCompressedFragments = false

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
        self.decoder.messages.messageExtension = extensions.first
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

    /// What parsing one frame produced.
    enum ParseStep {
        /// No whole frame is buffered.
        case needsMore
        /// A frame was acted on; its events, if any, are queued.
        case parsed
        /// A frame completed this message, and nothing else is queued: it is the next event.
        case message(Message)
    }

    /// Parses one frame from the received bytes and acts on it. Called only while no event
    /// is queued, so a message it completes can be handed out directly, without the queue.
    mutating func parseNextFrame(replyingInto output: inout ByteBuffer) -> ParseStep {
        guard state != .closed, var buffer = inbound, buffer.readableBytes > 0 else { return .needsMore }
        inbound = nil
        let decoded: DecodedFrame?
        do {
            decoded = try decoder.nextFrame(from: &buffer)
        } catch {
            fail(error, replyingInto: &output)
            return .parsed
        }
        guard let decoded else {
            if buffer.readerIndex > 0 { buffer.discardReadBytes() }
            inbound = buffer
            return .needsMore
        }
        inbound = buffer
        if let message = handle(decoded, replyingInto: &output) { return .message(message) }
        return .parsed
    }

    /// Acts on a frame; returns a message it completed (data frames), which the caller
    /// reports as the next event.
    mutating func handle(_ decoded: DecodedFrame, replyingInto output: inout ByteBuffer) -> Message? {
        let frame = decoded.frame
        switch frame.opcode {
        case .ping:
            events.append(.ping(frame.payload))
            if autoReplyPolicy.answersPings && state == .open {
                // RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong
                // frame in response ... The Pong frame MUST have identical Application data".
                writeControl(.pong, payload: frame.payload, into: &output)
            }
        case .pong:
            events.append(.pong(frame.payload))
        case .close:
            // The decoder already validated the payload (RFC 6455 §5.5.1, §7.4).
            let close = decoded.close ?? CloseFrame(code: nil)
            receivedClose(close, replyingInto: &output)
        default:
            return receivedData(decoded, replyingInto: &output)
        }
        return nil
    }

    /// A data frame: the message assembler (shared with frame-dump) inflates, checks and
    /// assembles it. Returns the message when the frame completed one.
    mutating func receivedData(_ decoded: DecodedFrame, replyingInto output: inout ByteBuffer) -> Message? {
        do {
            return try decoder.messages.frameCompleted(decoded)
        } catch {
            fail(error, replyingInto: &output)
            return nil
        }
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
        parsing: while events.isEmpty {
            switch parseNextFrame(replyingInto: &output) {
            case .message(let message): return .message(message)
            case .parsed: continue
            case .needsMore: break parsing
            }
        }
        if events.isEmpty && endOfStreamReceived && state != .closed {
            inbound = nil
            if state == .closeSent, let sent = closeSentCode, let code = sent.code {
                // This endpoint started the closing handshake and the peer left without
                // answering: report the close sent (not clean), so a log says why the
                // connection ended (an idle timeout's 1001) rather than only 1006.
                finish(CloseOutcome(code: code, reason: sent.reason, wasClean: false, initiatedByPeer: false))
            } else {
                finish(CloseOutcome(code: .abnormalClosure, reason: "", wasClean: false, initiatedByPeer: true))
            }
        }
        return events.popFirst()
    }
}
