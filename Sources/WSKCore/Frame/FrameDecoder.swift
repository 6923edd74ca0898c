import NIOCore

/// An incremental frame decoder over `ByteBuffer`: bytes in, validated frames out
/// (RFC 6455 §5).
///
/// Any split of the input, down to one byte at a time, yields the same frames. An
/// unmasked payload that arrives whole is handed out as a slice of the caller's buffer,
/// without a copy; a masked one is unmasked in one pass into its own buffer. Sizes are
/// checked at header time, before the payload is buffered.
///
/// The message-level rules (continuations, interleaving, the message size limit, UTF-8)
/// live in ``MessageAssembler``; the decoder hands its ``messages`` each data frame's header
/// and payload pieces as they arrive, so an invalid byte fails the connection at once, even
/// in the middle of a fragment or of a frame that has not fully arrived.
///
/// Two modes:
/// - ``Mode/strict``: the first violation is thrown as a ``ProtocolViolation`` and the
///   decoder stays failed. Used by every endpoint.
/// - ``Mode/inspect``: each violation is recorded (``takeViolations()``) and decoding
///   goes on wherever the framing still allows. Used by `frame-dump`. Violations after
///   which the framing cannot be trusted (an oversized or impossible length) still stop it.
///
/// - Note: The caller passes back the bytes it did not consume (at most an incomplete
///   header), followed by newly received bytes.
public struct FrameDecoder {
    /// How violations are handled.
    public enum Mode: Sendable, Hashable {
        /// Stop at the first violation and throw it.
        case strict
        /// Record violations and carry on wherever the framing allows.
        case inspect
    }

    /// This endpoint's role: a server decodes client frames (which must be masked), a
    /// client decodes server frames (which must not be).
    public let role: Role
    /// The limits.
    public var configuration: WebSocketConfiguration {
        didSet { messages.configuration = configuration }
    }
    /// Strict or inspect.
    public let mode: Mode
    /// The reserved bits that negotiated extensions define; any other set bit is a
    /// violation (RFC 6455 §5.2). permessage-deflate contributes ``ReservedBits/rsv1``.
    public var allowedReservedBits: ReservedBits = [] {
        didSet { messages.rsv1MeansCompressed = allowedReservedBits.contains(.rsv1) }
    }
    /// The message-level rules, fed as frames arrive; callers assemble messages with its
    /// ``MessageAssembler/frameCompleted(_:)``.
    public var messages: MessageAssembler
    /// Whether text messages are validated as UTF-8 (on by default).
    public var validatesUTF8: Bool {
        get { messages.validatesUTF8 }
        set { messages.validatesUTF8 = newValue }
    }
    /// Whether to enforce that nothing follows a close frame (on by default).
    public var rejectsFramesAfterClose = true

    /// The stream offset of the next byte the decoder will read.
    public private(set) var streamOffset: Int = 0

    /// The data message in progress, if a first frame without FIN was seen.
    public var openMessage: OpenMessage? { messages.openMessage }
    /// Whether a close frame has been decoded.
    public private(set) var hasReceivedClose = false

    /// A fragmented message being received.
    public typealias OpenMessage = MessageAssembler.OpenMessage

    struct PendingPayload: Sendable {
        var header: FrameHeader
        var frameOffset: Int
        /// Payload bytes already collected, unmasked and validated.
        var processed: Int
        /// The payload received so far, when it arrives in several pieces.
        var collected: ByteBuffer?
        var length: Int
        var validatesText: Bool
    }

    var pending: PendingPayload?
    var failure: ProtocolViolation?
    var violations: [ProtocolViolation] = []
    let allocator = ByteBufferAllocator()
    /// Storage for unmasked payloads, reused once the application has let go of the
    /// payload it was lent (two, so the previous message may still be alive while the
    /// next frame is decoded). See ``unmaskBuffer(capacity:)``.
    var unmaskBuffers: (ByteBuffer?, ByteBuffer?) = (nil, nil)
    var nextUnmaskBuffer = false
    /// Payloads up to this size are unmasked into reused storage.
    static let reusedUnmaskCapacity = 64 * 1024

    /// Creates a decoder.
    public init(role: Role, configuration: WebSocketConfiguration = .init(), mode: Mode = .strict) {
        self.role = role
        self.configuration = configuration
        self.mode = mode
        self.messages = MessageAssembler(configuration: configuration)
    }

    /// Whether the decoder has stopped for good after a violation.
    public var hasFailed: Bool { failure != nil }

    /// Returns and forgets the violations recorded in inspect mode.
    public mutating func takeViolations() -> [ProtocolViolation] {
        defer { violations.removeAll(keepingCapacity: true) }
        return violations
    }

    /// Returns the next complete frame, or `nil` if more bytes are needed. Consumes what
    /// it parses.
    ///
    /// - Throws: in strict mode, the first violation; in both modes, violations that make
    ///   the framing untrustworthy (oversized or impossible lengths). Once thrown, every
    ///   later call throws the same violation.
    public mutating func nextFrame(from buffer: inout ByteBuffer) throws(ProtocolViolation) -> DecodedFrame? {
        if let failure { throw failure }
        let payload: PendingPayload
        if let resumed = pending.take() {
            // Taken out, not copied: with the decoder's reference gone, the bytes collected
            // so far are appended to in place (a copy here made every piece of a large frame
            // copy everything before it).
            payload = resumed
        } else {
            // A frame whose payload is all here never becomes pending.
            guard let parsed = try parseHeader(from: &buffer) else { return nil }
            payload = parsed
        }
        return try continuePayload(payload, from: &buffer)
    }

    // MARK: - Header

    /// Parses and checks a header; returns its payload's state, or nil when more bytes are
    /// needed.
    mutating func parseHeader(from buffer: inout ByteBuffer) throws(ProtocolViolation) -> PendingPayload? {
        let parsed = buffer.withUnsafeReadableBytes { bytes in
            FrameHeader.parse(UnsafeRawBufferPointer(rebasing: bytes.prefix(14)))
        }
        guard case .header(let header) = parsed else { return nil }
        let frameOffset = streamOffset
        buffer.moveReaderIndex(forwardBy: header.encodedLength)
        streamOffset += header.encodedLength

        try checkHeader(header, at: frameOffset)

        var validatesText = false
        let opcode = header.opcode
        if opcode.isData && !opcode.isReserved {
            validatesText = try trackMessage(header, at: frameOffset)
        }
        return PendingPayload(
            header: header,
            frameOffset: frameOffset,
            processed: 0,
            collected: nil,
            length: Int(header.payloadLength),
            validatesText: validatesText
        )
    }

    /// Checks the rules that the header alone decides (RFC 6455 §5.1, §5.2, §5.5).
    mutating func checkHeader(_ header: FrameHeader, at offset: Int) throws(ProtocolViolation) {
        let opcode = header.opcode
        // RFC 6455 §5.2: "the most significant bit MUST be 0". Nothing after this length can
        // be framed, so this stops inspect mode too.
        if header.hasLengthHighBit {
            try fatal(.lengthHighBitSet, at: offset)
        }
        // Limits before buffering: a peer cannot make us hold more than maxFrameSize.
        if header.payloadLength > UInt64(configuration.maxFrameSize) {
            try fatal(.frameTooLarge(size: header.payloadLength, limit: configuration.maxFrameSize), at: offset)
        }
        if hasReceivedClose && rejectsFramesAfterClose {
            // RFC 6455 §5.5.1: after sending a Close frame, "the endpoint MUST NOT send any
            // more data frames"; nothing may follow the close frame.
            try report(.frameAfterClose, at: offset)
        }
        // RFC 6455 §5.2: "If an unknown opcode is received, the receiving endpoint MUST
        // _Fail the WebSocket Connection_."
        if opcode.isReserved {
            try report(.reservedOpcode(opcode.rawValue), at: offset)
        }
        // RFC 6455 §5.2: RSV1-3 "MUST be 0 unless an extension is negotiated that defines
        // meanings for non-zero values".
        let unexpectedBits = header.reservedBits.subtracting(allowedReservedBits)
        if !unexpectedBits.isEmpty {
            try report(.reservedBitsSet(unexpectedBits), at: offset)
        } else if header.reservedBits.contains(.rsv1) {
            // RFC 7692 §6.1: "An endpoint MUST NOT set the "Per-Message Compressed" bit of
            // control frames and non-first fragments of a data message."
            if opcode.isControl {
                try report(.compressedControlFrame, at: offset)
            } else if opcode == .continuation {
                try report(.compressedContinuation, at: offset)
            }
        }
        if opcode.isControl {
            // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or
            // less and MUST NOT be fragmented."
            if !header.isFinal {
                try report(.fragmentedControlFrame, at: offset)
            }
            if header.payloadLength > 125 {
                try report(.controlFrameTooLong(Int(header.payloadLength)), at: offset)
            }
        }
        // RFC 6455 §5.1: "The server MUST close the connection upon receiving a frame that is
        // not masked" and "A client MUST close a connection if it detects a masked frame."
        switch role {
        case .server where header.maskingKey == nil:
            try report(.unmaskedClientFrame, at: offset)
        case .client where header.maskingKey != nil:
            try report(.maskedServerFrame, at: offset)
        default:
            break
        }
        // RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length".
        if header.hasNonMinimalLength && configuration.requireMinimalLengths {
            try report(.nonMinimalLength, at: offset)
        }
    }

    /// Hands a data frame's header to the message rules (RFC 6455 §5.4 sequence, message
    /// size limit). Returns whether its payload must be validated as text as it arrives.
    mutating func trackMessage(_ header: FrameHeader, at offset: Int) throws(ProtocolViolation) -> Bool {
        let started: (violation: ProtocolViolation?, validatesPayload: Bool)
        do {
            started = try messages.frameStarted(header, at: offset)
        } catch {
            try fatal(error.reason, at: error.streamOffset)
        }
        if let violation = started.violation { try report(violation.reason, at: violation.streamOffset) }
        return started.validatesPayload
    }

    // MARK: - Payload

    /// An empty buffer for an unmasked payload: one of the two kept ones when nothing else
    /// holds it any more (an echoed payload is done with by the next frame), so a server
    /// echoing small messages allocates nothing here; fresh storage otherwise. Copy-on-write
    /// keeps a payload the application still holds intact either way.
    mutating func unmaskBuffer(capacity: Int) -> ByteBuffer {
        guard capacity <= Self.reusedUnmaskCapacity else { return allocator.buffer(capacity: capacity) }
        nextUnmaskBuffer.toggle()
        var kept = nextUnmaskBuffer ? unmaskBuffers.0 : unmaskBuffers.1
        // Drop the decoder's own reference first, so the storage can be seen as unique.
        if nextUnmaskBuffer { unmaskBuffers.0 = nil } else { unmaskBuffers.1 = nil }
        guard var buffer = kept else { return allocator.buffer(capacity: max(capacity, 256)) }
        kept = nil
        buffer.clear()  // no allocation when no one else holds it
        return buffer
    }

    mutating func keepUnmaskBuffer(_ buffer: ByteBuffer) {
        guard buffer.capacity <= Self.reusedUnmaskCapacity else { return }
        if nextUnmaskBuffer { unmaskBuffers.0 = buffer } else { unmaskBuffers.1 = buffer }
    }

    /// Takes the payload's bytes from `buffer`: the frame when its payload is complete,
    /// otherwise nil with the progress kept in ``pending``.
    mutating func continuePayload(_ payload: consuming PendingPayload, from buffer: inout ByteBuffer) throws(ProtocolViolation) -> DecodedFrame? {
        var payload = payload
        let maskingKey = payload.header.maskingKey
        let body: ByteBuffer
        if payload.collected == nil && buffer.readableBytes >= payload.length {
            // Fast path: the whole payload is here. Unmasked payloads are handed out as a
            // slice of the caller's buffer (no copy); masked ones are unmasked into a fresh
            // buffer, never in place: slices of earlier frames may still share the caller's
            // storage, and writing into it would copy the whole buffer (copy-on-write).
            let payloadStart = streamOffset
            var out: ByteBuffer
            if let maskingKey {
                out = unmaskBuffer(capacity: payload.length)
                out.writeMasked(buffer, count: payload.length, maskingKey: maskingKey)
                buffer.moveReaderIndex(forwardBy: payload.length)
                keepUnmaskBuffer(out)
            } else {
                out = buffer.readSlice(length: payload.length)!
            }
            streamOffset += payload.length
            if payload.validatesText,
                let violation = out.withUnsafeReadableBytes({ messages.payloadArrived($0, at: payloadStart) })
            {
                try report(violation.reason, at: violation.streamOffset)
            }
            body = out
        } else {
            // Slow path: the payload arrives in pieces. Collect it (bounded by maxFrameSize,
            // checked at header time), unmasking and validating each piece as it arrives so
            // that invalid UTF-8 fails at once, before the frame is complete.
            let count = min(buffer.readableBytes, payload.length - payload.processed)
            if count > 0 || payload.length == 0 {
                var collected = payload.collected ?? allocator.buffer(capacity: min(payload.length, 64 * 1024))
                payload.collected = nil  // one reference while appending: no copy of the storage
                let start = collected.writerIndex - collected.readerIndex
                if let maskingKey {
                    collected.writeMasked(buffer, count: count, maskingKey: maskingKey, keyOffset: payload.processed)
                } else {
                    collected.writeBytes(buffer.readableBytesView.prefix(count))
                }
                buffer.moveReaderIndex(forwardBy: count)
                let pieceStart = streamOffset
                // RFC 6455 §8.1: fail fast at the first bad byte, even mid-frame.
                let violation: ProtocolViolation? =
                    payload.validatesText
                    ? collected.withUnsafeReadableBytes { bytes in
                        messages.payloadArrived(UnsafeRawBufferPointer(rebasing: bytes[start...]), at: pieceStart)
                    } : nil
                payload.collected = collected
                payload.processed += count
                streamOffset += count
                if let violation { try report(violation.reason, at: violation.streamOffset) }
            }
            guard payload.processed == payload.length else {
                pending = payload
                return nil
            }
            body = payload.collected ?? ByteBuffer()
        }
        // `pending` is nil here: nextFrame took it out, and only an incomplete payload
        // (above) puts it back.
        let frameOffset = payload.frameOffset
        let header = payload.header

        if payload.validatesText, let violation = messages.textFrameEnded(isFinal: header.isFinal, at: streamOffset) {
            // The message ended inside a multi-byte sequence.
            try report(violation.reason, at: violation.streamOffset)
        }
        var close: CloseFrame? = nil
        if header.opcode == .close {
            hasReceivedClose = true
            // The one parse of a received close payload; it travels on as a CloseFrame.
            switch CloseFrame.parse(payload: body) {
            case .success(let parsed): close = parsed
            case .failure(let reason): try report(reason, at: frameOffset)
            }
        }
        let frame = Frame(
            isFinal: header.isFinal,
            reservedBits: header.reservedBits,
            opcode: header.opcode,
            maskingKey: maskingKey,
            payload: body
        )
        return DecodedFrame(frame: frame, streamOffset: frameOffset, headerLength: header.encodedLength, close: close)
    }
}
