/// A `ws://` or `wss://` URL (RFC 6455 §3), split into what the connection needs.
public struct WebSocketURL: Hashable, Sendable, CustomStringConvertible {
    /// Whether the scheme is `wss`.
    public var isSecure: Bool
    /// The host: a name, an IPv4 address or an IPv6 address (without brackets).
    public var host: String
    /// The port given, or `nil` for the scheme's default.
    public var port: Int?
    /// The path and query, starting with `/`.
    public var path: String
    /// `user:password` from the URL, if any.
    public var userInfo: String?

    /// The port to connect to.
    public var effectivePort: Int { port ?? (isSecure ? 443 : 80) }

    /// Parses a URL; `http`/`https` are accepted as synonyms of `ws`/`wss`.
    ///
    /// - Throws: a message naming what is wrong.
    public init(parsing text: String) throws(URLError) {
        guard let schemeEnd = text.firstRange(of: "://") else { throw URLError("expected ws://HOST[:PORT][/PATH] or wss://…, got '\(text)'") }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        switch scheme {
        case "ws", "http": isSecure = false
        case "wss", "https": isSecure = true
        default: throw URLError("unsupported scheme '\(scheme)' (use ws:// or wss://)")
        }
        var rest = text[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") {
            // RFC 6455 §3: fragment identifiers "MUST NOT be used on these URIs".
            throw URLError("a WebSocket URL cannot have a fragment ('\(rest[hash...])')")
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        path = rest.isEmpty ? "/" : (rest.first == "?" ? "/" + rest : String(rest))
        if let at = authority.lastIndex(of: "@") {
            userInfo = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
        } else {
            userInfo = nil
        }
        let endpoint = try HostPort(parsing: authority)
        host = endpoint.host
        port = endpoint.port
        guard !host.isEmpty else { throw URLError("missing host in '\(text)'") }
    }

    /// The URL as text.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return (isSecure ? "wss://" : "ws://") + shownHost + (port.map { ":\($0)" } ?? "") + path
    }

    /// Why a URL did not parse.
    public struct URLError: Error, Hashable, Sendable, CustomStringConvertible {
        /// One sentence.
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
