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
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + ByteText.hex(CollectionOfOne(UInt8(scalar.value)))
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
