import Foundation
import NIOConcurrencyHelpers

/// Writes one line per event to stderr, as text or JSON, from any thread.
///
/// Lines are written whole under a lock, so lines from different event loops never
/// interleave. `NO_COLOR` and non-TTY output are respected for text.
public final class EventLog: Sendable {
    /// The line format.
    public enum Format: String, Sendable, CaseIterable {
        /// `2026-11-23T19:33:27.123Z open 127.0.0.1:5000 path=/`
        case text
        /// `{"time":"…","event":"open","remote":"127.0.0.1:5000",…}`
        case json
    }

    /// A field value.
    public enum Value: Sendable {
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)
        case null
    }

    let format: Format
    let lock = NIOLock()
    let color: Bool

    /// Creates a log writing to stderr.
    public init(format: Format) {
        self.format = format
        self.color = format == .text && Terminal.supportsColor(fileDescriptor: 2)
    }

    /// Writes one event line.
    public func log(_ event: String, _ fields: KeyValuePairs<String, Value>) {
        log(event, fields.map { ($0.key, $0.value) })
    }

    /// Writes one event line whose fields are built at run time.
    public func log(_ event: String, _ fields: [(String, Value)]) {
        let line: String
        switch format {
        case .text:
            var text = Self.timestamp() + " " + (color ? Self.colored(event) : event)
            for (key, value) in fields {
                text += " \(key)=" + Self.textValue(value)
            }
            line = text + "\n"
        case .json:
            var text = "{\"time\":\"\(Self.timestamp())\",\"event\":\(Self.jsonString(event))"
            for (key, value) in fields {
                text += ",\(Self.jsonString(key)):" + Self.jsonValue(value)
            }
            line = text + "}\n"
        }
        lock.withLock {
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    static func colored(_ event: String) -> String {
        let code: String
        switch event {
        case "open": code = "32"
        case "close": code = "33"
        case "error", "refused", "violation": code = "31"
        default: code = "36"
        }
        return "\u{1B}[\(code)m\(event)\u{1B}[0m"
    }

    static func textValue(_ value: Value) -> String {
        switch value {
        case .string(let string):
            if string.isEmpty { return "\"\"" }
            if string.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) {
                return jsonString(string)
            }
            return string
        case .int(let int): return String(int)
        case .double(let double): return String(format: "%.3f", double)
        case .bool(let bool): return bool ? "true" : "false"
        case .null: return "-"
        }
    }

    static func jsonValue(_ value: Value) -> String {
        switch value {
        case .string(let string): return jsonString(string)
        case .int(let int): return String(int)
        case .double(let double): return String(format: "%.6f", double)
        case .bool(let bool): return bool ? "true" : "false"
        case .null: return "null"
        }
    }

    /// A JSON string literal.
    public static func jsonString(_ string: String) -> String {
        JSONObject.quote(string)
    }

    /// UTC time with milliseconds, ISO 8601.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
            Int(now.tv_nsec / 1_000_000)
        )
    }
}

extension EventLog {
    enum Terminal {
        /// Colour only on a TTY and when `NO_COLOR` is unset or empty (https://no-color.org).
        static func supportsColor(fileDescriptor: Int32) -> Bool {
            if let noColor = ProcessInfo.processInfo.environment["NO_COLOR"], !noColor.isEmpty { return false }
            if ProcessInfo.processInfo.environment["TERM"] == "dumb" { return false }
            return isatty(fileDescriptor) != 0
        }
    }
}
