import NIOCore
import WSKCompression
import WSKCore

/// Decodes one direction of a WebSocket byte stream for `frame-dump`: frames in inspect
/// mode, their violations, message boundaries and permessage-deflate inflation.
final class StreamDump {
    let connection: Int?
    /// Who wrote the bytes (the decoder takes the other role).
    let writer: Role
    /// The stream offset of the first byte fed to the decoder (the handshake's length in
    /// captures), added to every offset printed.
    let baseOffset: Int
    var decoder: FrameDecoder
    let sink: DumpSink

    /// Bytes handed to the decoder so far.
    var fed = 0
    /// The stream offset just past the last complete frame.
    var lastFrameEnd = 0
    var stopped = false
    var message: MessageState?
    /// Violations reported before the frame they belong to completed.
    var pending: [ViolationRecord] = []

    struct MessageState {
        var opcode: Opcode
        var offset: Int
        var frames = 0
        var length = 0
        var isCompressed: Bool
        /// Made only when needed: most messages are one uncompressed frame, shown by its
        /// frame line alone.
        var inflated: ByteBuffer?
        var preview: ByteBuffer?
        var failed = false
    }

    init(
        connection: Int?,
        writer: Role,
        baseOffset: Int,
        deflate: PerMessageDeflateParameters?,
        configuration: WebSocketConfiguration,
        sink: DumpSink
    ) {
        self.connection = connection
        self.writer = writer
        self.baseOffset = baseOffset
        // The decoder is the receiving endpoint: to decode what a client wrote, be a server.
        var decoder = FrameDecoder(role: writer.peer, configuration: configuration, mode: .inspect)
        if deflate != nil { decoder.allowedReservedBits = .rsv1 }
        // The same message rules as an endpoint's: inflation and UTF-8 checked as it inflates.
        decoder.messages.messageExtension = deflate.map { PerMessageDeflate(parameters: $0, role: writer.peer) }
        decoder.messages.assemblesMessages = false
        self.decoder = decoder
        self.sink = sink
    }

    func position(_ offset: Int) -> StreamPosition {
        StreamPosition(connection: connection, writer: writer, offset: baseOffset + offset, time: packetTime)
    }

    /// Captures: the capture time of the packet being fed (frames completed by it get it).
    var packetTime: Int64?

    func record(_ violation: ProtocolViolation) -> ViolationRecord {
        ViolationRecord(violation, connection: connection, writer: writer, baseOffset: baseOffset)
    }

    /// Decodes every complete frame in `buffer`, consuming what it decodes.
    func feed(_ buffer: inout ByteBuffer) {
        guard !stopped else {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return
        }
        fed += buffer.readableBytes
        while true {
            let decoded: DecodedFrame?
            do {
                decoded = try decoder.nextFrame(from: &buffer)
            } catch {
                // The framing cannot be followed past this point (the violation is also in
                // takeViolations()).
                collectViolations()
                for violation in pending { sink.emit(.violation(violation)) }
                sink.countViolations(pending.count)
                pending.removeAll()
                stopped = true
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                return
            }
            guard let decoded else {
                collectViolations()
                // What the decoder holds back is less than a header; it stays in `buffer`.
                fed -= buffer.readableBytes
                return
            }
            collectViolations()
            handle(decoded)
        }
    }

    func collectViolations() {
        let found = decoder.takeViolations()
        if !found.isEmpty { pending += found.map(record) }
    }

    func handle(_ decoded: DecodedFrame) {
        let frame = decoded.frame
        let length = frame.payload.readableBytes
        lastFrameEnd = decoded.streamOffset + decoded.headerLength + length
        sink.countFrame(frame.opcode, payload: length, from: writer)

        var isText = false
        var finished: MessageState? = nil
        if frame.opcode.isData && !frame.opcode.isReserved {
            if frame.opcode != .continuation {
                // A new message (an unfinished previous one was reported by the decoder).
                let compressed = decoder.messages.rsv1MeansCompressed && frame.reservedBits.contains(.rsv1)
                message = MessageState(opcode: frame.opcode, offset: decoded.streamOffset, isCompressed: compressed)
            }
            if var current = message {
                current.frames += 1
                current.length += length
                isText = current.opcode == .text && !current.isCompressed
                do {
                    // Inflates (and checks compressed text as it inflates) like an endpoint.
                    if let assembled = try decoder.messages.frameCompleted(decoded), current.isCompressed {
                        current.inflated = assembled.data
                    }
                } catch {
                    if !current.failed { pending.append(record(error)) }
                    current.failed = true
                }
                // A message line follows only messages of several frames (or compressed ones).
                let singleFrame = frame.opcode != .continuation && frame.isFinal
                if !current.isCompressed && sink.wantsPreviews && !singleFrame {
                    var preview = current.preview ?? ByteBuffer()
                    let room = sink.full ? length : max(0, FrameFormatter.textPreviewBytes + 4 - preview.readableBytes)
                    if room > 0 {
                        preview.writeImmutableBuffer(frame.payload.getSlice(at: frame.payload.readerIndex, length: min(room, length))!)
                    }
                    current.preview = preview
                }
                if frame.isFinal {
                    finished = current
                    message = nil
                } else {
                    message = current
                }
            }
        }

        let frameViolations = pending
        pending.removeAll()
        if isText && frameViolations.contains(where: { $0.identifier == ProtocolViolation.Reason.invalidUTF8.identifier }) {
            isText = false  // show the bytes as hex: they are not text
        }
        if sink.wantsFrames {
            sink.emit(
                .frame(
                    FrameRecord(
                        position: position(decoded.streamOffset),
                        frame: frame,
                        headerLength: decoded.headerLength,
                        isText: isText,
                        violations: frameViolations
                    )
                )
            )
        } else {
            for violation in frameViolations { sink.emit(.violation(violation)) }
        }
        sink.countViolations(frameViolations.count)

        if let done = finished {
            sink.countMessage(from: writer)
            if sink.wantsFrames && (done.frames > 1 || done.isCompressed) {
                let inflated = done.isCompressed && !done.failed
                sink.emit(
                    .message(
                        MessageRecord(
                            position: position(done.offset),
                            opcode: done.opcode,
                            frameCount: done.frames,
                            length: done.length,
                            isCompressed: done.isCompressed,
                            inflatedLength: inflated ? (done.inflated?.readableBytes ?? 0) : nil,
                            preview: (inflated ? done.inflated : done.preview) ?? ByteBuffer(),
                            violations: []
                        )
                    )
                )
            }
        }
    }

    /// Reports what is left at the end of the stream: violations found in a partial frame
    /// and a frame cut short.
    ///
    /// - Parameter remaining: bytes the caller still holds that the decoder left unread
    ///   (less than a header).
    func finish(remaining: Int = 0) {
        fed += remaining
        collectViolations()
        for violation in pending { sink.emit(.violation(violation)) }
        sink.countViolations(pending.count)
        pending.removeAll()
        if !stopped && fed > lastFrameEnd {
            sink.countIncomplete()
            sink.emit(
                .note(
                    Note(
                        position: position(lastFrameEnd),
                        kind: "truncated-frame",
                        message: "\(writer) stream ends inside a frame (\(fed - lastFrameEnd) bytes of it present)",
                        isProblem: true
                    )
                )
            )
        }
    }
}

/// Where ``StreamDump`` sends records and counts: the output mode's policy in one place.
final class DumpSink {
    typealias Mode = FrameDumper.Configuration.OutputMode

    let mode: Mode
    let full: Bool
    let formatter: FrameFormatter
    let output: OutputBuffer
    var summary = DumpSummary()

    init(mode: Mode, full: Bool, formatter: FrameFormatter, output: OutputBuffer) {
        self.mode = mode
        self.full = full
        self.formatter = formatter
        self.output = output
    }

    /// Whether frame and message lines are printed (not in `--count`/`--quiet`).
    var wantsFrames: Bool { mode == .frames }
    /// Whether payload previews need collecting.
    var wantsPreviews: Bool { mode == .frames }

    func emit(_ record: DumpRecord) {
        if case .note(let note) = record, note.isProblem { summary.problems += 1 }
        switch (mode, record) {
        case (.count, .violation), (.count, .note), (.count, .frame), (.count, .message), (.count, .handshake):
            return
        case (.quiet, .handshake(let handshake)):
            // The handshake itself is not shown, but its faults are.
            for violation in handshake.violations { emit(.violation(violation)) }
        case (.quiet, .note(let note)) where !note.isProblem:
            return
        case (.quiet, .frame), (.quiet, .message):
            return
        case (_, .frame(let frame)) where formatter.style == .json && formatter.canWriteFrameJSONFast(frame):
            // The common frame goes straight into the output as bytes (--json at ~1M frames/s).
            formatter.writeFrameJSON(frame, into: output)
        default:
            for line in formatter.render(record) { output.line(line) }
        }
    }

    func countFrame(_ opcode: Opcode, payload: Int, from writer: Role) {
        summary.frames += 1
        summary.framesByOpcode[Int(opcode.rawValue)] += 1
        summary.payloadBytes += payload
        summary.byDirection[writer == .client ? 0 : 1].frames += 1
        summary.byDirection[writer == .client ? 0 : 1].payloadBytes += payload
    }

    func countMessage(from writer: Role) {
        summary.messages += 1
        summary.byDirection[writer == .client ? 0 : 1].messages += 1
    }
    func countViolations(_ count: Int) { summary.violations += count }
    func countIncomplete() { summary.incompleteFrames += 1 }
}
