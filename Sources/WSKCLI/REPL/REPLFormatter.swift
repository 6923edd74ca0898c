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
    /// Supplies the timestamp prefix (injectable for tests).
    var clock: @Sendable () -> String = { EventLog.timestamp() }

    func received(_ message: Message) -> String {
        let body: String
        if message.isText {
            body = jsonPretty ? Self.prettyJSON(message.text) ?? message.text : message.text
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
        line(style.green("<"), style.yellow("close ") + Self.describe(close.code) + (close.reason.isEmpty ? "" : " \"\(close.reason)\""))
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
        let reason = outcome.reason.isEmpty ? "" : " \"\(outcome.reason)\""
        let text = "\(how): \(Self.describe(outcome.code))\(reason)\(outcome.wasClean ? "" : " (no closing handshake)")"
        return outcome.wasClean ? note(text) : error(text)
    }

    /// A payload for a one-line description: quoted text when it is printable UTF-8,
    /// otherwise hex or base64; empty payloads print nothing.
    func describe(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "" }
        if let text = String(validating: bytes, as: UTF8.self), !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return " \"\(text)\""
        }
        return " " + encode(bytes)
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
