import ArgumentParser
import Foundation
import NIOCore
import WSKCompression
import WSKCore
import WSKNIO

struct ClientConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds to wait for the connection and handshake.", valueName: "seconds"))
    var connectTimeout = Seconds(10)

    @Option(help: ArgumentHelp("Largest message accepted from the server; larger ones close with 1009.", valueName: "bytes"))
    var maxMessageSize = ByteCount(64 << 20)

    @Option(help: ArgumentHelp("Largest frame accepted from the server (default: the message limit).", valueName: "bytes"))
    var maxFrameSize: ByteCount?

    @Option(help: ArgumentHelp("Send a ping every this many seconds.", valueName: "seconds"))
    var pingInterval: Seconds?

    @Option(help: ArgumentHelp("With --ping-interval: exit (status 4) when no pong arrives within this many seconds.", valueName: "seconds"))
    var pingTimeout: Seconds?

    @Flag(help: "Reconnect with backoff (0.5 s doubling to 30 s) when the connection drops or the server closes with 1001, 1012 or 1013. Lines read after a connection ended go to the next one; a line already handed to a connection that drops may be lost with it.")
    var reconnect = false

    @Option(help: ArgumentHelp("Proxy to tunnel through: http://[user:pass@]host:port (CONNECT), socks5://… (names resolved here) or socks5h://… (by the proxy) (default: $https_proxy / $http_proxy / $all_proxy, minus $no_proxy).", valueName: "url"))
    var proxy: String?

    @Flag(help: "Ignore the proxy environment variables.")
    var noProxy = false

    @Flag(help: "Open the WebSocket on an HTTP/2 stream (RFC 8441 extended CONNECT): ws:// by prior knowledge (h2c), wss:// by ALPN, HTTP/1.1 when the server picks it or does not allow WebSockets over HTTP/2. With --listen: accept HTTP/2 clients too.")
    var http2 = false

    /// `--ping-interval` and `--ping-timeout` as the session's keepalive: a ping every
    /// interval; a server silent for the timeout after one is dropped (exit status 4).
    var keepalive: KeepalivePolicy? {
        guard let pingInterval else { return nil }
        return KeepalivePolicy(
            interval: .nanoseconds(pingInterval.nanoseconds),
            timeout: pingTimeout.map { .nanoseconds($0.nanoseconds) },
            schedule: .always,
            ending: .abort(reason: "no pong within \(pingTimeout?.value ?? 0) s: the server is not answering")
        )
    }

    func validate() throws {
        guard connectTimeout.value > 0 else { throw ValidationError("--connect-timeout must be more than 0 seconds") }
        guard maxMessageSize.value >= 1 else { throw ValidationError("--max-message-size must be at least 1 byte") }
        if let pingInterval, pingInterval.value <= 0 { throw ValidationError("--ping-interval must be more than 0 seconds") }
        if pingTimeout != nil && pingInterval == nil { throw ValidationError("--ping-timeout needs --ping-interval") }
        if let proxy { _ = try Self.parseProxy(proxy, flag: "--proxy") }
    }

    static func parseProxy(_ text: String, flag: String) throws -> HTTPProxy {
        var rest = Substring(text)
        var kind = HTTPProxy.Kind.http
        if let scheme = rest.firstRange(of: "://") {
            let name = rest[..<scheme.lowerBound].lowercased()
            guard let parsed = HTTPProxy.Kind(rawValue: name) else {
                throw ValidationError("\(flag): '\(text)': the proxy must be http://, socks5:// or socks5h://")
            }
            kind = parsed
            rest = rest[scheme.upperBound...]
        }
        rest = rest.prefix { $0 != "/" }
        var credentials: String? = nil
        if let at = rest.lastIndex(of: "@") {
            credentials = String(rest[..<at]).removingPercentEncoding
            rest = rest[rest.index(after: at)...]
        }
        let endpoint: HostPort
        do {
            endpoint = try HostPort(parsing: rest)
        } catch {
            throw ValidationError("\(flag): \(error)")
        }
        if kind != .http, let credentials {
            let parts = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.allSatisfy({ $0.utf8.count <= 255 }) else {
                throw ValidationError("\(flag): a SOCKS5 username and password are at most 255 bytes each")
            }
        }
        return HTTPProxy(host: endpoint.host, port: endpoint.port ?? (kind == .http ? 3128 : 1080), credentials: credentials, kind: kind)
    }

    /// The proxy to use: --proxy, else the environment (unless --no-proxy or $no_proxy matches).
    func proxy(for url: WebSocketURL, environment: [String: String]) throws -> HTTPProxy? {
        if let proxy { return try Self.parseProxy(proxy, flag: "--proxy") }
        guard !noProxy else { return nil }
        let names = url.isSecure ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] : ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]
        guard let value = names.lazy.compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) else { return nil }
        let exclusions = (environment["no_proxy"] ?? environment["NO_PROXY"] ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        let host = url.host.lowercased()
        for exclusion in exclusions where !exclusion.isEmpty {
            if exclusion == "*" { return nil }
            let suffix = exclusion.hasPrefix(".") ? String(exclusion.dropFirst()) : exclusion
            if host == suffix || host.hasSuffix("." + suffix) { return nil }
        }
        return try Self.parseProxy(value, flag: "$\(names.first { environment[$0] == value } ?? "proxy")")
    }
}
