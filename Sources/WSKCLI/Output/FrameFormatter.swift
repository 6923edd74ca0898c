import NIOCore
import WSKCore

/// Renders ``DumpRecord``s as aligned text lines (optionally coloured) or as one JSON
/// object per line.
///
/// JSON objects carry a `type` (`frame`, `message`, `violation`, `handshake`, `note`,
/// `summary`) and the field names listed in `wsk frame-dump --help`. The JSON is written
/// by hand so that field order is fixed (golden files) and no per-frame dictionaries are
/// built.
struct FrameFormatter {
    enum Style { case text, json }

    var style: Style
    var color: SGR
    /// Show whole payloads instead of previews.
    var full: Bool
    /// Prefix lines with the connection number (captures).
    var showsConnection: Bool
    /// The totals line follows frame lines (written `# totals: …`).
    var summaryIsComment = false

    typealias SGR = WSKCLI.Style

    /// Bytes of text shown in a preview.
    static let textPreviewBytes = 64
    /// Bytes shown as hex in a preview.
    static let hexPreviewBytes = 24

    func render(_ record: DumpRecord) -> [String] {
        switch style {
        case .text: return text(record)
        case .json: return [json(record)]
        }
    }

    // MARK: - Text

    func text(_ record: DumpRecord) -> [String] {
        switch record {
        case .note(let note):
            let at = note.showsOffset ? (note.position.map { " at offset \($0.offset)" } ?? "") : ""
            return [color.dim("# \(connectionPrefix(note.position?.connection))\(note.message)\(at)")]
        case .violation(let violation):
            return [violationLine(violation, indent: "")]
        case .frame(let record):
            var lines = [frameLine(record)]
            lines += record.violations.map { violationLine($0, indent: "    ") }
            return lines
        case .message(let message):
            var lines = [messageLine(message)]
            lines += message.violations.map { violationLine($0, indent: "    ") }
            return lines
        case .handshake(let handshake):
            return handshakeLines(handshake)
        case .summary(let summary):
            // After the frames, the totals read as a comment line.
            return [(summaryIsComment ? color.dim("# totals: ") : "") + summaryLine(summary)]
        }
    }

    func connectionPrefix(_ connection: Int?) -> String {
        guard showsConnection, let connection else { return "" }
        return "#\(connection) "
    }

    func leftColumns(_ position: StreamPosition) -> String {
        let offset = pad(String(position.offset), 8, left: true)
        let writer = position.writer == .client ? color.cyan("client") : color.magenta("server")
        let time = position.time.map { color.dim(CaptureTime.clock($0)) + " " } ?? ""
        return connectionPrefix(position.connection) + time + color.dim(offset) + "  " + writer
    }

    func frameLine(_ record: FrameRecord) -> String {
        let frame = record.frame
        let fin = frame.isFinal ? "FIN" : "..."
        let bits = frame.reservedBits
        let rsv = (bits.contains(.rsv1) ? "1" : "-") + (bits.contains(.rsv2) ? "2" : "-")
            + (bits.contains(.rsv3) ? "3" : "-")
        let opcode = colouredOpcode(frame.opcode, pad(frame.opcode.name, 12))
        let mask = frame.maskingKey.map { "mask \($0)" } ?? "unmasked     "
        let length = "len " + pad(String(frame.payload.readableBytes), 6)
        var line = "\(leftColumns(record.position))  \(fin) \(rsv)  \(opcode) \(mask)  \(length)"
        if frame.opcode == .close {
            line += " " + closeDescription(frame.payload)
        } else if frame.payload.readableBytes > 0 {
            line += " " + preview(frame.payload, asText: record.isText)
        }
        while line.last == " " { line.removeLast() }
        return line
    }

    func messageLine(_ message: MessageRecord) -> String {
        let frames = message.frameCount == 1 ? "1 frame" : "\(message.frameCount) frames"
        var size = "len \(message.length)"
        if message.isCompressed {
            size += message.inflatedLength.map { " → \($0) inflated" } ?? " (not inflated)"
        }
        var line = "\(leftColumns(message.position))  " + color.bold("message") + " \(message.opcode.name), \(frames), \(size)"
        if message.preview.readableBytes > 0 {
            line += "  " + preview(message.preview, asText: message.opcode == .text)
        }
        return line
    }

    func violationLine(_ violation: ViolationRecord, indent: String) -> String {
        let where_ = "\(connectionPrefix(violation.position.connection))\(violation.position.writer) offset \(violation.position.offset)"
        return indent + color.red("! \(violation.identifier)") + ": \(violation.message) — \(violation.rfcSection); "
            + "close \(violation.closeCode) (\(where_))"
    }

    func handshakeLines(_ handshake: HandshakeRecord) -> [String] {
        var lines = [color.bold("== connection \(handshake.connection): \(handshake.client) → \(handshake.server)")]
        lines.append("   " + color.cyan(handshake.request.startLine))
        lines += handshake.request.fields.map { "   \($0.name): \($0.value)" }
        if let response = handshake.response {
            lines.append("   " + color.magenta(response.startLine))
            lines += response.fields.map { "   \($0.name): \($0.value)" }
        } else {
            lines.append("   " + color.dim("(no response in the capture)"))
        }
        var agreed = "   subprotocol: \(handshake.subprotocol ?? "none"); "
        agreed += "permessage-deflate: \(handshake.deflate ?? "not negotiated")"
        lines.append(color.dim(agreed))
        lines += handshake.violations.map { violationLine($0, indent: "   ") }
        return lines
    }

    func summaryLine(_ summary: DumpSummary) -> String {
        let byOpcode = summary.framesByOpcode.enumerated().filter { $0.element > 0 }
            .map { "\(Opcode(rawValue: UInt8($0.offset))!.name) \($0.element)" }.joined(separator: ", ")
        var line = "frames \(summary.frames)"
        if !byOpcode.isEmpty { line += " (\(byOpcode))" }
        line += "  messages \(summary.messages)  payload \(summary.payloadBytes) bytes  input \(summary.inputBytes) bytes"
        if summary.connections > 0 { line += "  connections \(summary.connections)" }
        for (index, name) in ["client", "server"].enumerated() where summary.byDirection[index].frames > 0 {
            let totals = summary.byDirection[index]
            line += "  \(name): frames \(totals.frames), messages \(totals.messages), \(totals.payloadBytes) bytes"
        }
        if summary.incompleteFrames > 0 { line += "  incomplete \(summary.incompleteFrames)" }
        if summary.problems > 0 { line += "  " + color.red("problems \(summary.problems)") }
        let violations = "violations \(summary.violations)"
        return line + "  " + (summary.violations > 0 ? color.red(violations) : violations)
    }

    func colouredOpcode(_ opcode: Opcode, _ text: String) -> String {
        switch opcode {
        case .text: return color.green(text)
        case .binary: return color.blue(text)
        case .continuation: return text
        case .close, .ping, .pong: return color.yellow(text)
        default: return color.red(text)
        }
    }

    /// `1000 (normal closure) "bye"`, or the raw bytes of a malformed close payload.
    func closeDescription(_ payload: ByteBuffer) -> String {
        switch payload.readableBytes {
        case 0: return "no status code"
        case 1: return "malformed: " + hexPreview(payload)
        default:
            var copy = payload
            let code = CloseCode(copy.readInteger(as: UInt16.self)!)
            guard copy.readableBytes > 0 else { return code.description }
            return "\(code) " + quoted(copy)
        }
    }

    func preview(_ payload: ByteBuffer, asText: Bool) -> String {
        asText ? quoted(payload) : hexPreview(payload)
    }

    /// The payload as a quoted string with escapes, cut at ``textPreviewBytes`` on a
    /// character boundary unless `full`.
    func quoted(_ payload: ByteBuffer) -> String {
        let bytes = payload.readableBytesView
        var end = bytes.count
        var cut = false
        if !full && end > Self.textPreviewBytes {
            end = Self.textPreviewBytes
            // Step back to a UTF-8 character boundary.
            while end > 0 && bytes[bytes.startIndex + end] & 0xC0 == 0x80 { end -= 1 }
            cut = true
        }
        let text = String(decoding: bytes.prefix(end), as: UTF8.self)
        return "\"" + escape(text) + "\"" + (cut ? "…" : "")
    }

    func hexPreview(_ payload: ByteBuffer) -> String {
        let bytes = payload.readableBytesView
        let shown = full ? bytes.count : min(bytes.count, Self.hexPreviewBytes)
        var out = ""
        out.reserveCapacity(shown * 3 + 1)
        for (i, byte) in bytes.prefix(shown).enumerated() {
            if i > 0 { out += " " }
            out += ByteText.hex(CollectionOfOne(byte))
        }
        return shown < bytes.count ? out + " …" : out
    }

    /// How many payload bytes a preview shows (all with `full`).
    func shownLimit(count: Int, isText: Bool) -> Int {
        full ? count : min(count, isText ? Self.textPreviewBytes : Self.hexPreviewBytes)
    }

    /// The text shown for a payload cut at `limit`, backed off to a character boundary.
    func shownText(_ payload: ByteBufferView, limit: Int) -> ByteBufferView.SubSequence {
        var end = limit
        if end < payload.count {
            while end > 0 && payload[payload.startIndex + end] & 0xC0 == 0x80 { end -= 1 }
        }
        return payload.prefix(end)
    }

    func escape(_ text: String) -> String {
        JSONObject.escape(text, controls: .visible)
    }

    func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let count = text.count
        guard count < width else { return text }
        let spaces = String(repeating: " ", count: width - count)
        return left ? spaces + text : text + spaces
    }

    // MARK: - JSON

    func json(_ record: DumpRecord) -> String {
        var object = JSONObject()
        switch record {
        case .note(let note):
            object.string("type", "note")
            if let position = note.position { addPosition(position, to: &object) }
            object.string("kind", note.kind)
            object.string("message", note.message)
            if note.isProblem { object.bool("problem", true) }
        case .violation(let violation):
            object.string("type", "violation")
            addViolation(violation, to: &object)
        case .frame(let record):
            let frame = record.frame
            object.string("type", "frame")
            addPosition(record.position, to: &object)
            object.bool("fin", frame.isFinal)
            object.bool("rsv1", frame.reservedBits.contains(.rsv1))
            object.bool("rsv2", frame.reservedBits.contains(.rsv2))
            object.bool("rsv3", frame.reservedBits.contains(.rsv3))
            object.int("opcode", Int(frame.opcode.rawValue))
            object.string("opcode_name", frame.opcode.name)
            object.bool("masked", frame.maskingKey != nil)
            if let key = frame.maskingKey { object.string("mask", key.description) } else { object.null("mask") }
            object.int("header_length", record.headerLength)
            object.int("length", frame.payload.readableBytes)
            addPayload(frame.payload, isText: record.isText, to: &object)
            if frame.opcode == .close && frame.payload.readableBytes >= 2 {
                var copy = frame.payload
                let code = CloseCode(copy.readInteger(as: UInt16.self)!)
                object.int("close_code", Int(code.rawValue))
                if let name = code.name { object.string("close_name", name) } else { object.null("close_name") }
                object.string("close_reason", String(decoding: copy.readableBytesView, as: UTF8.self))
            }
            object.raw("violations", violationsArray(record.violations))
        case .message(let message):
            object.string("type", "message")
            addPosition(message.position, to: &object)
            object.int("opcode", Int(message.opcode.rawValue))
            object.string("opcode_name", message.opcode.name)
            object.int("frames", message.frameCount)
            object.int("length", message.length)
            object.bool("compressed", message.isCompressed)
            if let inflated = message.inflatedLength { object.int("inflated_length", inflated) }
            addPayload(message.preview, isText: message.opcode == .text, to: &object, totalLength: message.inflatedLength ?? message.length)
            object.raw("violations", violationsArray(message.violations))
        case .handshake(let handshake):
            object.string("type", "handshake")
            object.int("connection", handshake.connection)
            object.string("client", handshake.client)
            object.string("server", handshake.server)
            object.string("request_line", handshake.request.startLine)
            object.raw("request_headers", fieldsArray(handshake.request.fields))
            if let response = handshake.response {
                object.string("status_line", response.startLine)
                object.raw("response_headers", fieldsArray(response.fields))
            } else {
                object.null("status_line")
            }
            if let subprotocol = handshake.subprotocol { object.string("subprotocol", subprotocol) } else { object.null("subprotocol") }
            if let extensions = handshake.extensions { object.string("extensions", extensions) } else { object.null("extensions") }
            if let deflate = handshake.deflate { object.string("permessage_deflate", deflate) } else { object.null("permessage_deflate") }
            object.raw("violations", violationsArray(handshake.violations))
        case .summary(let summary):
            object.string("type", "summary")
            object.int("frames", summary.frames)
            var byOpcode = JSONObject()
            for (raw, count) in summary.framesByOpcode.enumerated() where count > 0 {
                byOpcode.int(Opcode(rawValue: UInt8(raw))!.name, count)
            }
            object.raw("frames_by_opcode", byOpcode.text)
            object.int("messages", summary.messages)
            object.int("payload_bytes", summary.payloadBytes)
            object.int("input_bytes", summary.inputBytes)
            object.int("connections", summary.connections)
            object.int("incomplete_frames", summary.incompleteFrames)
            object.int("problems", summary.problems)
            for (index, name) in ["client", "server"].enumerated() {
                var totals = JSONObject()
                totals.int("frames", summary.byDirection[index].frames)
                totals.int("messages", summary.byDirection[index].messages)
                totals.int("payload_bytes", summary.byDirection[index].payloadBytes)
                object.raw(name, totals.text)
            }
            object.int("violations", summary.violations)
        }
        return object.text
    }

    func addPosition(_ position: StreamPosition, to object: inout JSONObject) {
        if let connection = position.connection { object.int("connection", connection) }
        if let time = position.time { object.string("time", CaptureTime.rfc3339(time)) }
        object.string("direction", position.writer.description)
        object.int("offset", position.offset)
    }

    func addViolation(_ violation: ViolationRecord, to object: inout JSONObject) {
        addPosition(violation.position, to: &object)
        object.string("id", violation.identifier)
        object.string("rfc", violation.rfcSection)
        object.int("close_code", Int(violation.closeCode.rawValue))
        if let name = violation.closeCode.name { object.string("close_name", name) }
        object.string("message", violation.message)
    }

    func violationsArray(_ violations: [ViolationRecord]) -> String {
        "[" + violations.map { violation in
            var object = JSONObject()
            addViolation(violation, to: &object)
            return object.text
        }.joined(separator: ",") + "]"
    }

    func fieldsArray(_ fields: [(name: String, value: String)]) -> String {
        "[" + fields.map { "[" + JSONObject.quote($0.name) + "," + JSONObject.quote($0.value) + "]" }.joined(separator: ",") + "]"
    }

    /// `payload_hex` (cut to the preview unless `full`), `payload_text` for text, and
    /// `payload_truncated`.
    func addPayload(_ payload: ByteBuffer, isText: Bool, to object: inout JSONObject, totalLength: Int? = nil) {
        let bytes = payload.readableBytesView
        let limit = shownLimit(count: bytes.count, isText: isText)
        object.string("payload_hex", ByteText.hex(bytes.prefix(limit)))
        if isText {
            object.string("payload_text", String(decoding: shownText(bytes, limit: limit), as: UTF8.self))
        }
        object.bool("payload_truncated", limit < (totalLength ?? bytes.count))
    }
}
