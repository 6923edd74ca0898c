import NIOCore
import WSKCore

/// A JSON object written field by field, in order.
struct JSONObject {
    private var body = ""

    var text: String { "{" + body + "}" }

    private mutating func key(_ name: String) {
        if !body.isEmpty { body += "," }
        body += Self.quote(name) + ":"
    }

    mutating func string(_ name: String, _ value: String) { key(name); body += Self.quote(value) }
    mutating func int(_ name: String, _ value: Int) { key(name); body += String(value) }
    mutating func bool(_ name: String, _ value: Bool) { key(name); body += value ? "true" : "false" }
    mutating func null(_ name: String) { key(name); body += "null" }
    mutating func raw(_ name: String, _ json: String) { key(name); body += json }

    /// A JSON string literal (RFC 8259 §7): quotes, backslashes and control characters escaped.
    static func quote(_ text: String) -> String {
        "\"" + escape(text, controls: .json) + "\""
    }

    /// How control characters other than `\n`, `\r` and `\t` are written.
    enum ControlStyle {
        /// `\u00XX` (JSON).
        case json
        /// `\xXX`, DEL included (frame-dump's text view).
        case visible
    }

    /// `text` with quotes, backslashes and control characters escaped: the one escaper of
    /// the output code (JSON, log lines, frame-dump's quoted text).
    static func escape(_ text: String, controls: ControlStyle) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 && controls == .json:
                out += "\\u00" + ByteText.hex(CollectionOfOne(UInt8(scalar.value)))
            case _ where (scalar.value < 0x20 || scalar.value == 0x7F) && controls == .visible:
                out += "\\x" + ByteText.hex(CollectionOfOne(UInt8(scalar.value)))
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
