import NIOCore
import WSKCore

// frame-dump --json's fast path: the common frame written as bytes, byte for byte what
// FrameFormatter.json(_:) gives (a test compares the two).
extension FrameFormatter {
    /// Whether ``writeFrameJSON(_:into:)`` writes this frame exactly as ``json(_:)`` would:
    /// no violations and not a close frame (those take the general path).
    func canWriteFrameJSONFast(_ record: FrameRecord) -> Bool {
        record.violations.isEmpty && record.frame.opcode != .close
    }

    /// The most bytes ``writeFrameJSON(_:into:)`` writes for `record` (its quoted text
    /// when that is not plain ASCII).
    func frameJSONLimit(_ record: FrameRecord, quotedText: [UInt8]?) -> Int {
        let shown = shownLimit(record)
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
        shownLimit(count: record.frame.payload.readableBytes, isText: record.isText)
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
            w.bytes(CaptureTime.rfc3339(time).utf8)
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
