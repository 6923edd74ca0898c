/// An HTTP/1.x request or response head (start line and header fields), as found at the
/// start of a TCP stream (RFC 9112 §2–§5).
///
/// Lenient by design, since it reads what others sent: lines may end in CRLF or LF, and
/// obsolete line folding is joined. Field names keep their spelling; values are trimmed.
public struct HTTPHead: Hashable, Sendable {
    /// The start line, for example `GET /chat HTTP/1.1` or `HTTP/1.1 101 Switching Protocols`.
    public var startLine: String
    /// The header fields in order.
    public var fields: [(name: String, value: String)]
    /// The head's length in bytes, including the blank line that ends it.
    public var length: Int

    /// Creates a head.
    public init(startLine: String, fields: [(name: String, value: String)], length: Int) {
        self.startLine = startLine
        self.fields = fields
        self.length = length
    }

    public static func == (lhs: HTTPHead, rhs: HTTPHead) -> Bool {
        lhs.startLine == rhs.startLine && lhs.length == rhs.length
            && lhs.fields.map(\.name) == rhs.fields.map(\.name) && lhs.fields.map(\.value) == rhs.fields.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(startLine)
        hasher.combine(length)
    }

    /// The outcome of looking for a head at the start of some bytes.
    public enum ParseResult: Hashable, Sendable {
        /// No blank line yet; more bytes are needed.
        case needMore
        /// The bytes do not start with an HTTP head.
        case notHTTP
        /// A complete head.
        case head(HTTPHead)
    }

    /// The longest head, blank line included: 64 KiB. Past it, the bytes are not HTTP.
    public static let maxLength = 64 * 1024

    /// Looks for a complete head at the start of `bytes`.
    public static func parse(_ bytes: ArraySlice<UInt8>) -> ParseResult {
        // The end of the head: CRLF CRLF or LF LF.
        var end: Int? = nil
        var index = bytes.startIndex
        let limit = min(bytes.endIndex, bytes.startIndex + maxLength)
        while index < limit {
            if bytes[index] == 0x0A {
                // The blank line must end within maxLength bytes too, or the answer would
                // depend on whether the bytes past the limit had arrived yet.
                if index + 1 < limit && bytes[index + 1] == 0x0A { end = index + 2; break }
                if index + 2 < limit && bytes[index + 1] == 0x0D && bytes[index + 2] == 0x0A {
                    end = index + 3
                    break
                }
            }
            // A head is text: a control byte other than CR, LF or TAB means this is not HTTP.
            let byte = bytes[index]
            if byte < 0x20 && byte != 0x0D && byte != 0x0A && byte != 0x09 { return .notHTTP }
            index += 1
        }
        guard let end else { return bytes.count >= maxLength ? .notHTTP : .needMore }
        // Split on LF bytes: as a String, CR LF is one Character and would not split on "\n".
        var lines = bytes[bytes.startIndex..<end].split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let start = lines.first, start.contains("HTTP/") else { return .notHTTP }
        var fields: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            if let first = line.first, first == " " || first == "\t", !fields.isEmpty {
                // Obsolete line folding (RFC 9112 §5.2): continue the previous value, one
                // space between the parts; a blank continuation line adds nothing.
                let more = trim(Substring(line))
                if !more.isEmpty {
                    let value = fields[fields.count - 1].value
                    fields[fields.count - 1].value = value.isEmpty ? more : value + " " + more
                }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields.append((String(line[..<colon]), trim(line[line.index(after: colon)...])))
        }
        return .head(HTTPHead(startLine: start, fields: fields, length: end - bytes.startIndex))
    }

    /// `text` without leading and trailing spaces and tabs (RFC 9110 §5.6.3 OWS), on UTF-8
    /// bytes: a space before a combining mark is still whitespace, and a long value costs
    /// one pass over its bytes (it went through two reversed Character views before).
    static func trim(_ text: Substring) -> String {
        let bytes = text.utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start = bytes.index(after: start) }
        while start < end {
            let last = bytes.index(before: end)
            guard bytes[last] == 0x20 || bytes[last] == 0x09 else { break }
            end = last
        }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// Whether this is a request (the start line does not begin with `HTTP/`).
    public var isRequest: Bool { !startLine.hasPrefix("HTTP/") }

    /// The request method, for example `GET`.
    public var method: String? {
        isRequest ? startLine.split(separator: " ").first.map(String.init) : nil
    }

    /// The request target, for example `/chat`.
    public var target: String? {
        guard isRequest else { return nil }
        let parts = startLine.split(separator: " ")
        return parts.count >= 2 ? String(parts[1]) : nil
    }

    /// The response status code, for example 101.
    public var status: Int? {
        guard !isRequest else { return nil }
        let parts = startLine.split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }

    /// The HTTP version from the start line, for example (1, 1).
    public var version: (major: Int, minor: Int)? {
        let token = isRequest ? startLine.split(separator: " ").last : startLine.split(separator: " ").first
        guard let token, token.hasPrefix("HTTP/") else { return nil }
        let numbers = token.dropFirst(5).split(separator: ".")
        guard numbers.count == 2, let major = Int(numbers[0]), let minor = Int(numbers[1]) else { return nil }
        return (major, minor)
    }

    /// Every value of the field `name` (compared case-insensitively), in order.
    public func values(_ name: String) -> [String] {
        let lower = name.lowercased()
        return fields.filter { $0.name.lowercased() == lower }.map(\.value)
    }

    /// Whether the head asks for or confirms a WebSocket upgrade (`Upgrade: websocket`).
    public var isWebSocketUpgrade: Bool {
        values("Upgrade").contains { value in
            value.split(separator: ",").contains { $0.trimmingSpaces.lowercased() == "websocket" }
        }
    }
}

extension Substring {
    var trimmingSpaces: String { HTTPHead.trim(self) }
}
