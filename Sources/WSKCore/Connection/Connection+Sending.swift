import NIOCore

/// Sending: messages, fragments and control frames, encoded into the caller's buffer.
extension Connection {
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
        let (encoded, reservedBits) = try messagePayload(payload)
        var payload = encoded
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

    /// Sends a data message in one frame, like ``sendMessage(opcode:payload:fragmentSize:into:)``,
    /// but when the payload goes on the wire byte for byte (a server's frames are not
    /// masked) writes only the frame's header into `output` and returns the payload (as
    /// the extension, if any, encoded it) for the caller to write right after the header,
    /// uncopied. A client's masked frame is written whole and `nil` returned.
    public mutating func sendMessageDeferringPayload(
        opcode: Opcode,
        payload: ByteBuffer,
        into output: inout ByteBuffer
    ) throws(UsageError) -> ByteBuffer? {
        let (payload, reservedBits) = try messagePayload(payload)
        let maskingKey = nextMaskingKey()
        guard maskingKey == nil else {
            FrameEncoder.encode(reservedBits: reservedBits, opcode: opcode, maskingKey: maskingKey, payload: payload, into: &output)
            return nil
        }
        FrameEncoder.writeHeader(
            isFinal: true,
            reservedBits: reservedBits,
            opcode: opcode,
            payloadLength: payload.readableBytes,
            maskingKey: nil,
            into: &output
        )
        return payload
    }

    /// Checks that a whole message may be sent now and encodes its payload with the
    /// negotiated extension: the payload to frame and the reserved bits of its first frame.
    mutating func messagePayload(_ payload: ByteBuffer) throws(UsageError) -> (ByteBuffer, ReservedBits) {
        guard state == .open || state == .closeReceived else { throw .sendAfterClose }
        guard !sendingFragmentedMessage else { throw .messageInProgress }
        if let messageExtension, let compressed = messageExtension.encode(payload) {
            return (compressed, messageExtension.reservedBits)
        }
        return (payload, [])
    }

    /// Sends one fragment of a message the caller splits itself, compressed with the
    /// negotiated extension when it can transform fragments (permessage-deflate can). Start
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
        var payload = payload
        var reservedBits: ReservedBits = []
        if opcode != .continuation {
            sendingCompressedFragments = false
            if let messageExtension, let encoded = messageExtension.encodeFragment(payload, isFirst: true, isFinal: isFinal) {
                payload = encoded
                // RFC 7692 §6.1: RSV1 only on the first frame of a compressed message.
                reservedBits = messageExtension.reservedBits
                sendingCompressedFragments = true
            }
        } else if sendingCompressedFragments, let messageExtension,
            let encoded = messageExtension.encodeFragment(payload, isFirst: false, isFinal: isFinal)
        {
            payload = encoded
        }
        FrameEncoder.encode(isFinal: isFinal, reservedBits: reservedBits, opcode: opcode, maskingKey: nextMaskingKey(), payload: payload, into: &output)
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
