import Foundation
import NIOCore
import WSKCore

/// Turns what the REPL sends and receives into terminal lines: `<` for received, `>` for
/// sent, colour only when enabled, optional timestamps, JSON pretty-printing, binary as hex
/// or base64. Pure, so it is tested without a terminal.
struct REPLFormatter {
    enum BinaryEncoding: Sendable { case hex, base64 }

    var style: Style
    var timestamps = false
    var jsonPretty = false
    var binaryEncoding = BinaryEncoding.hex
    /// Print received text as it is, control characters included (`--raw-output`).
    var rawOutput = false
    /// Supplies the timestamp prefix (injectable for tests).
    var clock: @Sendable () -> String = { EventLog.timestamp() }

    func received(_ message: Message) -> String {
        let body: String
        if message.isText {
            body = visible(jsonPretty ? Self.prettyJSON(message.text) ?? message.text : message.text)
        } else {
            let bytes = Array(message.data.readableBytesView)
            body = style.magenta("binary \(bytes.count) bytes") + (bytes.isEmpty ? "" : ": " + encode(bytes))
        }
        return line(style.green("<"), body)
    }

    func receivedControl(_ opcode: Opcode, payload: ByteBuffer, roundTrip: Double? = nil) -> String {
        var text = style.cyan(opcode.name) + describe(Array(payload.readableBytesView))
        if let roundTrip {
            text += " " + style.bold(String(format: "%.2f ms", roundTrip * 1000))
        }
        return line(style.green("<"), text)
    }

    func receivedClose(_ close: CloseFrame) -> String {
        line(style.green("<"), style.yellow("close ") + Self.describe(close.code) + (close.reason.isEmpty ? "" : " \"\(visible(close.reason))\""))
    }

    func sent(_ description: String) -> String {
        line(style.blue(">"), style.dim(description))
    }

    func note(_ text: String) -> String {
        line(style.dim("*"), style.dim(text))
    }

    func error(_ text: String) -> String {
        line(style.red("!"), style.red(text))
    }

    func closed(_ outcome: CloseOutcome) -> String {
        let how = outcome.wasClean ? "closed" : "connection ended"
        let reason = outcome.reason.isEmpty ? "" : " \"\(visible(outcome.reason))\""
        let text = "\(how): \(Self.describe(outcome.code))\(reason)\(outcome.wasClean ? "" : " (no closing handshake)")"
        return outcome.wasClean ? note(text) : error(text)
    }

    /// A payload for a one-line description: quoted text when it is printable UTF-8,
    /// otherwise hex or base64; empty payloads print nothing.
    func describe(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "" }
        if let text = String(validating: bytes, as: UTF8.self), !text.unicodeScalars.contains(where: Self.isControl) {
            return " \"\(text)\""
        }
        return " " + encode(bytes)
    }

    /// Text from the network as the terminal may show it: control characters (C0 but
    /// newline and tab, DEL, C1) written out as `\x1b`, `\r`, `\u{9b}`, so a message cannot
    /// move the cursor, recolour or retitle the terminal. `--raw-output` turns this off.
    func visible(_ text: String) -> String {
        guard !rawOutput, text.unicodeScalars.contains(where: { Self.isControl($0) && $0 != "\n" && $0 != "\t" }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n", "\t": out.unicodeScalars.append(scalar)
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\x" + ByteText.hex(CollectionOfOne(UInt8(scalar.value)))
            case _ where (0x80...0x9F).contains(scalar.value): out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C0 controls, DEL and C1 controls.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    func encode(_ bytes: [UInt8]) -> String {
        switch binaryEncoding {
        case .hex: return ByteText.hex(bytes)
        case .base64: return "base64:" + ByteText.base64(bytes)
        }
    }

    static func describe(_ code: CloseCode?) -> String {
        guard let code else { return "(no status code)" }
        return code.name.map { "\(code.rawValue) (\($0))" } ?? "\(code.rawValue)"
    }

    func line(_ marker: String, _ body: String) -> String {
        let prefix = timestamps ? style.dim(clock()) + " " : ""
        // Continuation lines of multi-line messages are indented under the first.
        let indent = String(repeating: " ", count: (timestamps ? clock().count + 1 : 0) + 2)
        return prefix + marker + " " + body.replacingOccurrences(of: "\n", with: "\n" + indent)
    }

    /// Re-indents JSON text two spaces per level, keeping key order and number spelling;
    /// `nil` when the text is not a JSON object or array.
    static func prettyJSON(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let first = trimmed.first, first == "{" || first == "[",
            (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) != nil
        else { return nil }
        var out = ""
        var depth = 0
        var inString = false
        var escaped = false
        let chars = Array(trimmed)
        var index = 0
        func newline() { out += "\n" + String(repeating: "  ", count: depth) }
        while index < chars.count {
            let c = chars[index]
            defer { index += 1 }
            if inString {
                out.append(c)
                if escaped {
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    inString = false
                }
                continue
            }
            switch c {
            case "\"":
                inString = true
                out.append(c)
            case "{", "[":
                let close: Character = c == "{" ? "}" : "]"
                // Empty containers stay on one line.
                var next = index + 1
                while next < chars.count && chars[next].isWhitespace { next += 1 }
                if next < chars.count && chars[next] == close {
                    out += String(c) + String(close)
                    index = next
                } else {
                    out.append(c)
                    depth += 1
                    newline()
                }
            case "}", "]":
                depth -= 1
                newline()
                out.append(c)
            case ",":
                out.append(c)
                newline()
            case ":":
                out += ": "
            case _ where c.isWhitespace:
                break
            default:
                out.append(c)
            }
        }
        return out
    }
}
