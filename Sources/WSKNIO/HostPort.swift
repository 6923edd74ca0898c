/// A host and an optional port as written in URLs and flags: `name`, `name:port`,
/// `192.0.2.1:80`, `[2001:db8::1]` or `[2001:db8::1]:443`. The one parser of that shape
/// (WebSocket URLs, `tcp://` upstreams, HTTP proxies, peer addresses).
public struct HostPort: Hashable, Sendable, CustomStringConvertible {
    /// A name, an IPv4 address or an IPv6 address (without brackets).
    public var host: String
    /// The port, when given.
    public var port: Int?

    /// Creates a value.
    public init(host: String, port: Int?) {
        self.host = host
        self.port = port
    }

    /// Parses `authority`; a bare IPv6 address (several colons, no brackets) is a host
    /// without a port.
    ///
    /// - Throws: a message naming what is wrong in `authority`.
    public init(parsing authority: some StringProtocol) throws(WebSocketURL.URLError) {
        let text = Substring(authority)
        if text.first == "[" {
            guard let close = text.firstIndex(of: "]") else { throw WebSocketURL.URLError("unterminated IPv6 address in '\(text)'") }
            host = String(text[text.index(after: text.startIndex)..<close])
            let after = text[text.index(after: close)...]
            port = after.isEmpty ? nil : try Self.port(after.first == ":" ? after.dropFirst() : after, in: text)
        } else if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            host = String(text[..<colon])
            port = try Self.port(text[text.index(after: colon)...], in: text)
        } else {
            host = String(text)
            port = nil
        }
        guard !host.isEmpty else { throw WebSocketURL.URLError("missing host in '\(text)'") }
    }

    static func port(_ digits: Substring, in text: Substring) throws(WebSocketURL.URLError) -> Int {
        guard let value = Int(digits), (1...65535).contains(value) else {
            throw WebSocketURL.URLError("invalid port in '\(text)' (1-65535)")
        }
        return value
    }

    /// `host:port`, with brackets around an IPv6 address.
    public var description: String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return shown + (port.map { ":\($0)" } ?? "")
    }
}
