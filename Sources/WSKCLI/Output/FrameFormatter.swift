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
        let time = position.time.map { color.dim(Self.clockTime($0)) + " " } ?? ""
        return connectionPrefix(position.connection) + time + color.dim(offset) + "  " + writer
    }

    /// `HH:MM:SS.mmmuuu` (UTC) of a capture time, as tshark's time column shows it.
    static func clockTime(_ nanoseconds: Int64) -> String {
        let seconds = nanoseconds / 1_000_000_000
        let micros = (nanoseconds % 1_000_000_000) / 1000
        let day = ((seconds % 86_400) + 86_400) % 86_400
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = String(micros)
        return "\(two(day / 3600)):\(two(day / 60 % 60)):\(two(day % 60)).\(String(repeating: "0", count: max(0, 6 - fraction.count)) + fraction)"
    }

    /// RFC 3339 UTC with microseconds, for JSON.
    static func isoTime(_ nanoseconds: Int64) -> String {
        let seconds = nanoseconds / 1_000_000_000
        var days = seconds / 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day))T\(clockTime(nanoseconds))Z"
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
        if let time = position.time { object.string("time", Self.isoTime(time)) }
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
        let limit = full ? bytes.count : min(bytes.count, isText ? Self.textPreviewBytes : Self.hexPreviewBytes)
        object.string("payload_hex", ByteText.hex(bytes.prefix(limit)))
        if isText {
            var end = limit
            if end < bytes.count {
                while end > 0 && bytes[bytes.startIndex + end] & 0xC0 == 0x80 { end -= 1 }
            }
            object.string("payload_text", String(decoding: bytes.prefix(end), as: UTF8.self))
        }
        object.bool("payload_truncated", limit < (totalLength ?? bytes.count))
    }

    // MARK: - JSON for frames, as bytes

    /// Whether ``writeFrameJSON(_:into:)`` writes this frame exactly as ``json(_:)`` would:
    /// no violations and not a close frame (those take the general path).
    func canWriteFrameJSONFast(_ record: FrameRecord) -> Bool {
        record.violations.isEmpty && record.frame.opcode != .close
    }

    /// The most bytes ``writeFrameJSON(_:into:)`` writes for `record` (its quoted text
    /// when that is not plain ASCII).
    func frameJSONLimit(_ record: FrameRecord, quotedText: [UInt8]?) -> Int {
        let payload = record.frame.payload.readableBytes
        let shown = full ? payload : min(payload, record.isText ? Self.textPreviewBytes : Self.hexPreviewBytes)
        return 400 + 2 * shown + (quotedText?.count ?? shown + 2)
    }

    /// The JSON string of a text frame's shown text when it needs escaping (not plain
    /// printable ASCII without quotes or backslashes), else `nil`.
    func frameJSONQuotedText(_ record: FrameRecord) -> [UInt8]? {
        guard record.isText else { return nil }
        let shown = shownText(record.frame.payload.readableBytesView, limit: shownLimit(record))
        if shown.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) { return nil }
        return Array(JSONObject.quote(String(decoding: shown, as: UTF8.self)).utf8)
    }

    func shownLimit(_ record: FrameRecord) -> Int {
        let count = record.frame.payload.readableBytes
        return full ? count : min(count, record.isText ? Self.textPreviewBytes : Self.hexPreviewBytes)
    }

    /// The text shown for a payload cut at `limit`, backed off to a character boundary.
    func shownText(_ payload: ByteBufferView, limit: Int) -> ByteBufferView.SubSequence {
        var end = limit
        if end < payload.count {
            while end > 0 && payload[payload.startIndex + end] & 0xC0 == 0x80 { end -= 1 }
        }
        return payload.prefix(end)
    }

    /// Writes ``json(_:)`` of a frame, byte for byte the same, without building strings
    /// (frame-dump --json spends its time here).
    func writeFrameJSON(_ record: FrameRecord, into output: OutputBuffer) {
        let quoted = frameJSONQuotedText(record)
        output.line(maxBytes: frameJSONLimit(record, quotedText: quoted)) { out in
            var writer = JSONBytes(out: out)
            writeFrameJSON(record, quotedText: quoted, into: &writer)
            return writer.count
        }
    }

    /// For tests: the frame's JSON as bytes.
    func writeFrameJSON(_ record: FrameRecord, into bytes: inout [UInt8]) {
        let quoted = frameJSONQuotedText(record)
        let limit = frameJSONLimit(record, quotedText: quoted)
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: limit))
        let written = bytes.withUnsafeMutableBufferPointer { buffer -> Int in
            var writer = JSONBytes(out: buffer.baseAddress! + start)
            writeFrameJSON(record, quotedText: quoted, into: &writer)
            return writer.count
        }
        bytes.removeLast(limit - written)
    }

    func writeFrameJSON(_ record: FrameRecord, quotedText: [UInt8]?, into w: inout JSONBytes) {
        let frame = record.frame
        let payload = frame.payload.readableBytesView
        let position = record.position
        w.raw("{\"type\":\"frame\"")
        if let connection = position.connection {
            w.raw(",\"connection\":")
            w.int(connection)
        }
        if let time = position.time {
            w.raw(",\"time\":\"")
            w.bytes(Self.isoTime(time).utf8)
            w.raw("\"")
        }
        position.writer == .client ? w.raw(",\"direction\":\"client\",\"offset\":") : w.raw(",\"direction\":\"server\",\"offset\":")
        w.int(position.offset)
        w.raw(frame.isFinal ? ",\"fin\":true,\"rsv1\":" : ",\"fin\":false,\"rsv1\":")
        let bits = frame.reservedBits
        w.raw(bits.contains(.rsv1) ? "true,\"rsv2\":" : "false,\"rsv2\":")
        w.raw(bits.contains(.rsv2) ? "true,\"rsv3\":" : "false,\"rsv3\":")
        w.raw(bits.contains(.rsv3) ? "true,\"opcode\":" : "false,\"opcode\":")
        w.int(Int(frame.opcode.rawValue))
        w.raw(",\"opcode_name\":\"")
        w.bytes(frame.opcode.name.utf8)  // letters, digits and '-' only
        if let key = frame.maskingKey {
            w.raw("\",\"masked\":true,\"mask\":\"")
            w.hex32(key.rawValue)
            w.raw("\",\"header_length\":")
        } else {
            w.raw("\",\"masked\":false,\"mask\":null,\"header_length\":")
        }
        w.int(record.headerLength)
        w.raw(",\"length\":")
        w.int(payload.count)
        let limit = shownLimit(record)
        w.raw(",\"payload_hex\":\"")
        w.hex(payload.prefix(limit))
        w.raw("\"")
        if record.isText {
            w.raw(",\"payload_text\":")
            if let quotedText {
                w.bytes(quotedText)
            } else {
                w.raw("\"")
                w.bytes(shownText(payload, limit: limit))
                w.raw("\"")
            }
        }
        w.raw(limit < payload.count ? ",\"payload_truncated\":true,\"violations\":[]}" : ",\"payload_truncated\":false,\"violations\":[]}")
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

/// Writes JSON bytes to memory reserved beforehand (``OutputBuffer/line(maxBytes:_:)``).
struct JSONBytes {
    let out: UnsafeMutablePointer<UInt8>
    var count = 0

    /// The lower-case hex digit of a nibble.
    @inline(__always)
    static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 &+ nibble : 0x57 &+ nibble
    }

    mutating func raw(_ text: StaticString) {
        (out + count).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    mutating func bytes(_ bytes: some Collection<UInt8>) {
        for byte in bytes {
            out[count] = byte
            count += 1
        }
    }

    mutating func int(_ value: Int) {
        guard value >= 0 else {
            bytes(Array(String(value).utf8))
            return
        }
        var digits = 1
        var scale = 10
        while scale <= value && digits < 19 {
            digits += 1
            scale = scale &* 10
        }
        var remaining = value
        for index in stride(from: count + digits - 1, through: count, by: -1) {
            out[index] = UInt8(ascii: "0") &+ UInt8(remaining % 10)
            remaining /= 10
        }
        count += digits
    }

    mutating func hex(_ bytes: some Collection<UInt8>) {
        for byte in bytes {
            out[count] = Self.digit(byte >> 4)
            out[count + 1] = Self.digit(byte & 15)
            count += 2
        }
    }

    mutating func hex32(_ value: UInt32) {
        var shift: UInt32 = 28
        for _ in 0..<8 {
            out[count] = Self.digit(UInt8(truncatingIfNeeded: value >> shift) & 15)
            count += 1
            shift &-= 4
        }
    }
}
