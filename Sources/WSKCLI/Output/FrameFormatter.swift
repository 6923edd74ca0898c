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

    /// ``json(_:)`` of a frame, byte for byte the same, appended to `out` without building
    /// strings (frame-dump --json spends its time here).
    func writeFrameJSON(_ record: FrameRecord, into out: inout [UInt8]) {
        let frame = record.frame
        func raw(_ text: StaticString) {
            text.withUTF8Buffer { out.append(contentsOf: $0) }
        }
        func bool(_ value: Bool) { value ? raw("true") : raw("false") }
        func int(_ value: Int) {
            guard value >= 0 else {
                out.append(contentsOf: String(value).utf8)
                return
            }
            // Digits written backwards into a small stack buffer, then copied in order.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
                var remaining = value
                var index = 20
                repeat {
                    index -= 1
                    digits[index] = UInt8(ascii: "0") &+ UInt8(remaining % 10)
                    remaining /= 10
                } while remaining > 0
                out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[index...]))
            }
        }
        let payload = frame.payload.readableBytesView
        // One reservation for the whole line: the fields, the hex and the text.
        out.reserveCapacity(out.count + 320 + 3 * min(payload.count, full ? payload.count : 64))
        raw("{\"type\":\"frame\"")
        let position = record.position
        if let connection = position.connection {
            raw(",\"connection\":")
            int(connection)
        }
        if let time = position.time {
            raw(",\"time\":\"")
            out.append(contentsOf: Self.isoTime(time).utf8)
            raw("\"")
        }
        position.writer == .client ? raw(",\"direction\":\"client\",\"offset\":") : raw(",\"direction\":\"server\",\"offset\":")
        int(position.offset)
        raw(",\"fin\":")
        bool(frame.isFinal)
        raw(",\"rsv1\":")
        bool(frame.reservedBits.contains(.rsv1))
        raw(",\"rsv2\":")
        bool(frame.reservedBits.contains(.rsv2))
        raw(",\"rsv3\":")
        bool(frame.reservedBits.contains(.rsv3))
        raw(",\"opcode\":")
        int(Int(frame.opcode.rawValue))
        raw(",\"opcode_name\":\"")
        out.append(contentsOf: frame.opcode.name.utf8)  // letters, digits, '-' only
        raw("\",\"masked\":")
        if let key = frame.maskingKey {
            raw("true,\"mask\":\"")
            var value = key.rawValue
            var digits = [UInt8](repeating: 0, count: 8)
            for index in (0..<8).reversed() {
                digits[index] = Self.hexDigits[Int(value & 15)]
                value >>= 4
            }
            out.append(contentsOf: digits)
            raw("\"")
        } else {
            raw("false,\"mask\":null")
        }
        raw(",\"header_length\":")
        int(record.headerLength)
        raw(",\"length\":")
        int(payload.count)
        let limit = full ? payload.count : min(payload.count, record.isText ? Self.textPreviewBytes : Self.hexPreviewBytes)
        raw(",\"payload_hex\":\"")
        for byte in payload.prefix(limit) {
            out.append(Self.hexDigits[Int(byte >> 4)])
            out.append(Self.hexDigits[Int(byte & 15)])
        }
        raw("\"")
        if record.isText {
            var end = limit
            if end < payload.count {
                while end > 0 && payload[payload.startIndex + end] & 0xC0 == 0x80 { end -= 1 }
            }
            let shown = payload.prefix(end)
            raw(",\"payload_text\":")
            if shown.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: shown)
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: JSONObject.quote(String(decoding: shown, as: UTF8.self)).utf8)
            }
        }
        raw(",\"payload_truncated\":")
        bool(limit < payload.count)
        raw(",\"violations\":[]}")
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
