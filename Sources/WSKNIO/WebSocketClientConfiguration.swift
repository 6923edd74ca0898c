import NIOCore
import NIOSSL
import WSKCompression
import WSKCore

/// How a client connects.
public struct WebSocketClientConfiguration: Sendable {
    /// TLS settings (swift-nio-ssl's configuration).
    public typealias TLS = TLSConfiguration

    /// Frame and message size limits for what the server sends.
    public var limits = WebSocketConfiguration()
    /// Subprotocols to offer, most preferred first.
    public var subprotocols: [String] = []
    /// The `Origin` header, if any.
    public var origin: String? = nil
    /// Extra request header fields (`-H`).
    public var headers: [(name: String, value: String)] = []
    /// permessage-deflate to offer, or `nil` to offer none.
    public var compression: PerMessageDeflateOptions? = PerMessageDeflateOptions()
    /// zlib compression level for outgoing messages, 0...9.
    public var compressionLevel = PerMessageDeflate.defaultCompressionLevel
    /// How long to wait for TCP (and the proxy, TLS and the upgrade) to complete.
    public var connectTimeout: TimeAmount = .seconds(10)
    /// How long to wait for the server to close the TCP connection after the closing
    /// handshake.
    public var closeTimeout: TimeAmount = .seconds(2)
    /// TLS for `wss://` (`nil` uses the system trust store with full verification).
    public var tls: TLSConfiguration? = nil
    /// The name sent in SNI and verified in the certificate, when not the URL's host.
    public var tlsServerName: String? = nil
    /// An HTTP proxy to tunnel through with CONNECT.
    public var proxy: HTTPProxy? = nil
    /// Pings to send and when to give up on a silent server (`--ping-interval`,
    /// `--ping-timeout`).
    public var keepalive: KeepalivePolicy? = nil
    /// Whether reading from the server stops while it does not take what is sent to it.
    public var pausesReadingWhileUnwritable = true
    /// How the session answers pings and close frames; `proxy` relays them end to end.
    public var autoReplyPolicy: AutoReplyPolicy = .automatic
    /// The local address to connect from (`wsk bench --source-ip`); port 0 lets the
    /// kernel pick one.
    public var localAddress: SocketAddress? = nil
    /// Open the WebSocket on an HTTP/2 stream (RFC 8441 extended CONNECT): on `ws://` by
    /// prior knowledge (h2c), on `wss://` by ALPN (h2 preferred, HTTP/1.1 when the server
    /// picks it). A server whose SETTINGS do not allow extended CONNECT gets HTTP/1.1 on a
    /// new connection (``WebSocketClientConnection/note`` says so).
    public var http2 = false

    /// Creates the default configuration.
    public init() {}

    /// The options the session runs with.
    var sessionOptions: SessionOptions {
        SessionOptions(keepalive: keepalive, closeTimeout: closeTimeout, pausesReadingWhileUnwritable: pausesReadingWhileUnwritable)
    }
}

/// A proxy to tunnel through: HTTP CONNECT, or SOCKS5.
public struct HTTPProxy: Hashable, Sendable {
    /// How the tunnel is opened.
    public enum Kind: String, Hashable, Sendable {
        /// HTTP CONNECT (RFC 9110 §9.3.6).
        case http
        /// SOCKS5 (RFC 1928), the name resolved here.
        case socks5
        /// SOCKS5, the name resolved by the proxy (curl's `socks5h://`).
        case socks5h

        /// How messages name it: "HTTP proxy", "SOCKS5 proxy".
        public var shown: String { self == .http ? "HTTP proxy" : "SOCKS5 proxy" }
    }

    /// Proxy host.
    public var host: String
    /// Proxy port.
    public var port: Int
    /// `user:password` for `Proxy-Authorization: Basic` or SOCKS5 username/password
    /// authentication (RFC 1929), if any.
    public var credentials: String?
    /// HTTP CONNECT or SOCKS5.
    public var kind: Kind

    /// Creates a proxy description.
    public init(host: String, port: Int, credentials: String? = nil, kind: Kind = .http) {
        self.host = host
        self.port = port
        self.credentials = credentials
        self.kind = kind
    }
}

/// Why a client connection failed.
public enum WebSocketClientError: Error, CustomStringConvertible {
    /// TCP, DNS, TLS, proxy or timeout.
    case connectionFailed(String)
    /// The server answered the upgrade with something other than a valid 101.
    case handshakeRefused(status: Int, reason: String, head: String, bodyStart: String, failure: String)

    public var description: String {
        switch self {
        case .connectionFailed(let message):
            return message
        case .handshakeRefused(let status, let reason, _, _, let failure):
            return "handshake refused: HTTP \(status) \(reason)" + (failure.isEmpty ? "" : " (\(failure))")
        }
    }
}

/// An open client connection.
public struct WebSocketClientConnection: Sendable {
    /// The session (send, close; events go to the delegate).
    public let session: WebSocketSession
    /// The request head as sent.
    public let requestHead: String
    /// The response head as received.
    public let responseHead: String
    /// Why the connection is not what was asked for (HTTP/1.1 after asking for HTTP/2), if so.
    public var note: String? = nil

    /// Wraps an open session (a server's, for `connect --listen`).
    public init(session: WebSocketSession, requestHead: String, responseHead: String) {
        self.session = session
        self.requestHead = requestHead
        self.responseHead = responseHead
    }
}
