import NIOCore

/// The one place where frames become messages (RFC 6455 §5.4, §5.6, §8.1; RFC 7692 §6):
/// the fragmentation sequence, the message size limit, UTF-8 validation of text that
/// fails at the first invalid byte (inside a fragment, inside a frame still arriving, and
/// inside compressed text as it inflates), inflation, and assembly.
///
/// Two stages, so that failing fast does not wait for whole frames:
/// - as a data frame's header and payload arrive, ``frameStarted(_:at:)`` and
///   ``payloadArrived(_:at:)`` apply the sequence and size rules and validate
///   uncompressed text (the ``FrameDecoder`` calls them while it decodes);
/// - when the frame is complete, ``frameCompleted(_:)`` inflates, validates inflated text,
///   assembles, and returns the message once its last frame is in.
///
/// `Connection` and `frame-dump`'s stream decoder use the same assembler, so a message is
/// judged the same way wherever it is read.
public struct MessageAssembler {
    /// A data message whose frames are arriving.
    public struct OpenMessage: Hashable, Sendable {
        /// `text` or `binary` (or a reserved data opcode in inspect mode).
        public var opcode: Opcode
        /// Whether the first frame had RSV1 with permessage-deflate negotiated.
        public var isCompressed: Bool
        /// Payload bytes received so far for this message (compressed size if compressed).
        public var size: UInt64
    }

    /// The limits.
    public var configuration: WebSocketConfiguration
    /// Whether text messages are validated as UTF-8 (on by default).
    public var validatesUTF8 = true
    /// The per-message extension (permessage-deflate), when negotiated.
    public var messageExtension: (any WebSocketExtension)? {
        didSet { rsv1MeansCompressed = messageExtension?.reservedBits.contains(.rsv1) ?? false }
    }
    /// Whether RSV1 on a first frame marks a compressed message (RFC 7692 §6); follows the
    /// extension, or the decoder's allowed bits.
    public var rsv1MeansCompressed = false
    /// Whether ``frameCompleted(_:)`` assembles and returns messages; off when only the
    /// rules are wanted.
    public var assemblesMessages = true

    /// The message in progress (after its first frame's header).
    public private(set) var openMessage: OpenMessage?
    /// The message being assembled (its first frame is complete, its last is not).
    var data: ByteBuffer?
    var assembling: OpenMessage?
    /// UTF-8 state of the text being received, raw (uncompressed) or inflated.
    var utf8 = UTF8Validator()
    var textFailed = false
    /// Inflated bytes already validated.
    var validatedBytes = 0
    /// Inflated bytes of the message so far (fragment delivery).
    var inflatedBytes = 0
    let allocator = ByteBufferAllocator()

    /// Creates an assembler.
    public init(configuration: WebSocketConfiguration = .init(), messageExtension: (any WebSocketExtension)? = nil) {
        self.configuration = configuration
        self.messageExtension = messageExtension
        self.rsv1MeansCompressed = messageExtension?.reservedBits.contains(.rsv1) ?? false
    }

    /// Whether a first frame with these bits starts a compressed message (RFC 7692 §6:
    /// RSV1 with permessage-deflate negotiated).
    func isCompressed(_ bits: ReservedBits) -> Bool {
        bits.contains(.rsv1) && rsv1MeansCompressed
    }

    // MARK: - Stage 1: headers and payload as they arrive

    /// Applies the sequence rules and the message size limit to a data frame's header
    /// (before its payload is buffered). Returns a violation after which decoding can go on
    /// (inspect mode abandons the open message); throws one after which it cannot.
    /// `validatesPayload` says whether ``payloadArrived(_:at:)`` must see the payload.
    public mutating func frameStarted(
        _ header: FrameHeader,
        at offset: Int
    ) throws(ProtocolViolation) -> (violation: ProtocolViolation?, validatesPayload: Bool) {
        let length = header.payloadLength
        if header.opcode == .continuation {
            guard var message = openMessage else {
                // RFC 6455 §5.4: a continuation only continues a message that was started.
                return (ProtocolViolation(.unexpectedContinuation, streamOffset: offset), false)
            }
            message.size += length
            if !message.isCompressed && message.size > UInt64(configuration.maxMessageSize) {
                throw ProtocolViolation(.messageTooLarge(size: message.size, limit: configuration.maxMessageSize), streamOffset: offset)
            }
            openMessage = header.isFinal ? nil : message
            return (nil, validatesRawText(message))
        }
        var violation: ProtocolViolation? = nil
        if openMessage != nil {
            // RFC 6455 §5.4: "the fragments of one message MUST NOT be interleaved between
            // the fragments of another message". Inspect mode starts the new message.
            violation = ProtocolViolation(.expectedContinuation(got: header.opcode), streamOffset: offset)
        }
        let compressed = isCompressed(header.reservedBits)
        if !compressed && length > UInt64(configuration.maxMessageSize) {
            throw ProtocolViolation(.messageTooLarge(size: length, limit: configuration.maxMessageSize), streamOffset: offset)
        }
        let message = OpenMessage(opcode: header.opcode, isCompressed: compressed, size: length)
        openMessage = header.isFinal ? nil : message
        utf8.reset()
        textFailed = false
        return (violation, validatesRawText(message))
    }

    func validatesRawText(_ message: OpenMessage) -> Bool {
        message.opcode == .text && !message.isCompressed && validatesUTF8 && !textFailed
    }

    /// Validates a piece of an uncompressed text frame's payload (unmasked) as it arrives;
    /// returns the violation at the first invalid byte (`offset` is the piece's stream
    /// offset). RFC 6455 §8.1: invalid UTF-8 fails the connection, as soon as it is seen.
    public mutating func payloadArrived(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> ProtocolViolation? {
        guard !textFailed else { return nil }
        guard let bad = utf8.consume(bytes) else { return nil }
        textFailed = true
        return ProtocolViolation(.invalidUTF8, streamOffset: offset + bad)
    }

    /// The last frame of an uncompressed text message ended; returns a violation when it
    /// ended inside a multi-byte sequence (`offset`: where the message ended).
    public mutating func textFrameEnded(isFinal: Bool, at offset: Int) -> ProtocolViolation? {
        guard isFinal, !textFailed, !utf8.isComplete else { return nil }
        textFailed = true
        return ProtocolViolation(.invalidUTF8, streamOffset: offset)
    }

    // MARK: - Stage 2: complete frames

    /// Takes a complete data frame: inflates it if its message is compressed (checking the
    /// inflated text as it is produced), adds it to the message, and returns the message
    /// when this was its last frame.
    ///
    /// - Throws: a violation that fails the connection (inflation error, inflated size
    ///   over the limit, invalid inflated UTF-8).
    public mutating func frameCompleted(_ decoded: DecodedFrame) throws(ProtocolViolation) -> Message? {
        if configuration.deliversFragments { return try fragmentCompleted(decoded) }
        let frame = decoded.frame
        if frame.opcode != .continuation {
            let message = OpenMessage(opcode: frame.opcode, isCompressed: isCompressed(frame.reservedBits), size: 0)
            if frame.isFinal && !message.isCompressed {
                // Fast path: a single-frame message is the frame's payload slice, no copy.
                return assemblesMessages ? Message(opcode: frame.opcode, data: frame.payload) : nil
            }
            assembling = message
            data = allocator.buffer(capacity: frame.payload.readableBytes)
            validatedBytes = 0
            if message.isCompressed { utf8.reset() }
        }
        guard let message = assembling else { return nil }  // a stray continuation (reported at its header)
        var buffer = data ?? allocator.buffer(capacity: 0)
        data = nil
        if message.isCompressed, let messageExtension {
            do {
                try messageExtension.decode(frame.payload, isFinal: frame.isFinal, into: &buffer, limit: configuration.maxMessageSize)
            } catch {
                assembling = nil
                throw ProtocolViolation(error, streamOffset: decoded.streamOffset)
            }
            if message.opcode == .text && validatesUTF8 {
                // UTF-8 of a compressed message is checked on the inflated bytes as they are
                // produced, so invalid text fails before the message ends.
                let start = validatedBytes
                var validator = utf8
                let bad = buffer.withUnsafeReadableBytes { validator.consume(UnsafeRawBufferPointer(rebasing: $0[start...])) }
                utf8 = validator
                validatedBytes = buffer.readableBytes
                if bad != nil || (frame.isFinal && !validator.isComplete) {
                    assembling = nil
                    throw ProtocolViolation(.invalidUTF8, streamOffset: decoded.streamOffset)
                }
            }
        } else if assemblesMessages {
            buffer.writeImmutableBuffer(frame.payload)
        }
        guard frame.isFinal else {
            data = buffer
            return nil
        }
        assembling = nil
        return assemblesMessages || message.isCompressed ? Message(opcode: message.opcode, data: buffer) : nil
    }

    /// ``frameCompleted(_:)`` when fragments are delivered as they complete: each data
    /// frame comes back as it arrived (inflated if its message is compressed, text checked
    /// as it is produced), with its position in the message.
    mutating func fragmentCompleted(_ decoded: DecodedFrame) throws(ProtocolViolation) -> Message? {
        let frame = decoded.frame
        if frame.opcode != .continuation {
            let message = OpenMessage(opcode: frame.opcode, isCompressed: isCompressed(frame.reservedBits), size: 0)
            assembling = frame.isFinal && !message.isCompressed ? nil : message
            inflatedBytes = 0
            if message.isCompressed { utf8.reset() }
            if !message.isCompressed { return Message(opcode: frame.opcode, data: frame.payload, isFinal: frame.isFinal) }
        }
        guard let message = assembling else { return nil }  // a stray continuation (reported at its header)
        if frame.isFinal { assembling = nil }
        let opcode: Opcode = frame.opcode == .continuation ? .continuation : message.opcode
        guard message.isCompressed, let messageExtension else {
            return Message(opcode: opcode, data: frame.payload, isFinal: frame.isFinal)
        }
        var buffer = allocator.buffer(capacity: frame.payload.readableBytes * 2)
        do {
            try messageExtension.decode(frame.payload, isFinal: frame.isFinal, into: &buffer, limit: configuration.maxMessageSize - inflatedBytes)
        } catch {
            assembling = nil
            throw ProtocolViolation(error, streamOffset: decoded.streamOffset)
        }
        inflatedBytes += buffer.readableBytes
        if message.opcode == .text && validatesUTF8 {
            var validator = utf8
            let bad = buffer.withUnsafeReadableBytes { validator.consume($0) }
            utf8 = validator
            if bad != nil || (frame.isFinal && !validator.isComplete) {
                assembling = nil
                throw ProtocolViolation(.invalidUTF8, streamOffset: decoded.streamOffset)
            }
        }
        return Message(opcode: opcode, data: buffer, isFinal: frame.isFinal)
    }
}
