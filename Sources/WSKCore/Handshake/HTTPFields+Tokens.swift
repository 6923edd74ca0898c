import HTTPTypes

// Helpers for the comma-separated token lists of RFC 9110 §5.6.1, which the handshake
// headers (`Connection`, `Upgrade`, `Sec-WebSocket-Protocol`) use. A list may be split
// over several header lines; RFC 9110 §5.3 makes that equivalent to one comma-joined line.

extension HTTPFields {
    /// The non-empty, whitespace-trimmed elements of every `name` line, in order.
    func listElements(_ name: HTTPField.Name) -> [String] {
        self[values: name].flatMap(HeaderValue.listElements)
    }

    /// Whether any `name` line lists `token`, compared ASCII case-insensitively.
    func containsToken(_ token: String, in name: HTTPField.Name) -> Bool {
        listElements(name).contains { HeaderValue.equalsIgnoringASCIICase($0, token) }
    }
}

extension HTTPField.Name {
    /// `Host`. swift-http-types makes `.host` unavailable in favour of
    /// `HTTPRequest.authority`, but an HTTP/1 parser may still hand over a `Host` field.
    static let hostField = HTTPField.Name("Host")!
}

/// String helpers for header values, free of Foundation.
enum HeaderValue {
    /// `value` without leading and trailing spaces and horizontal tabs (RFC 9110 §5.6.3 OWS).
    static func trimmingWhitespace(_ value: some StringProtocol) -> String {
        let bytes = Array(value.utf8)
        var start = 0
        var end = bytes.count
        while start < end, isWhitespace(bytes[start]) { start += 1 }
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The elements of one comma-separated value, trimmed, with empty elements dropped
    /// (RFC 9110 §5.6.1: a recipient "MUST accept empty list elements" and ignore them).
    static func listElements(_ value: String) -> [String] {
        value.split(separator: ",", omittingEmptySubsequences: false)
            .map { trimmingWhitespace($0) }
            .filter { !$0.isEmpty }
    }

    /// Whether `a` and `b` are equal when ASCII letters are compared without case
    /// (RFC 6455 §2.1 "ASCII case-insensitive"); other bytes must match exactly.
    static func equalsIgnoringASCIICase(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { lowercased($0) == lowercased($1) }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
