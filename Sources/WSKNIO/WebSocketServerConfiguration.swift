import NIOCore
import NIOHTTP1
import NIOSSL
import WSKCompression
import WSKCore

/// Everything a WebSocket server needs to accept and run connections.
public struct WebSocketServerConfiguration: Sendable {
    /// Frame and message size limits (RFC 6455 §10.4). Defaults: 16 MiB each.
    public var limits = WebSocketConfiguration()
    /// Subprotocols this server speaks, in no particular order; the first one the client
    /// offers that is in this list is selected (RFC 6455 §4.2.2). Empty: never select one.
    public var subprotocols: [String] = []
    /// permessage-deflate preferences, or `nil` to refuse compression.
    public var compression: PerMessageDeflateOptions? = PerMessageDeflateOptions()
    /// zlib compression level for outgoing messages, 0...9.
    public var compressionLevel = PerMessageDeflate.defaultCompressionLevel
    /// The most concurrent WebSocket connections; further upgrade requests get 503.
    public var maxConnections = 100_000
    /// How long a client has to complete its upgrade request before it is dropped.
    public var handshakeTimeout: TimeAmount = .seconds(10)
    /// When set, a client silent for this long is pinged, and closed (1001) if it stays
    /// silent for as long again (Bunny's idle-timeout semantics).
    public var idleTimeout: TimeAmount? = nil
    /// The most bytes queued for a client that does not read; past it the client is
    /// closed with 1008 instead of growing memory.
    public var maxBackpressure = 16 * 1024 * 1024
    /// How long to wait for the peer's close frame after sending ours.
    public var closeTimeout: TimeAmount = .seconds(2)
    /// `Origin` values allowed to upgrade (exact match, case-insensitive); empty allows all.
    /// Others get 403.
    public var allowedOrigins: [String] = []
    /// Header fields that must be present with these values (`Authorization: Bearer x`);
    /// a request missing one gets 401.
    public var requiredHeaders: [(name: String, value: String)] = []
    /// TLS for `wss://`, or `nil` for plain `ws://`.
    public var tls: NIOSSLContext? = nil
    /// Whether a TLS client that negotiates `h2` by ALPN speaks HTTP/2 (WebSockets by RFC
    /// 8441 extended CONNECT). The ``tls`` context must offer `h2` and `http/1.1`
    /// (`TLSFiles.serverContext(…, http2: true)`); clients that offer neither get HTTP/1.1.
    public var acceptsHTTP2OverTLS = false
    /// Whether a cleartext client may open with the HTTP/2 connection preface (h2c with
    /// prior knowledge, RFC 9113 §3.3); others get HTTP/1.1 on the same port.
    public var acceptsH2C = false

    /// How sessions answer pings and close frames; `proxy` defers its close replies until
    /// the upstream has finished.
    public var autoReplyPolicy: AutoReplyPolicy = .automatic
    /// Looks at each upgrade request before the other checks; an answer refuses it with that
    /// status and reason (a proxy's loop detection, say).
    public var inspectRequest: (@Sendable (HTTPRequestHead) -> (status: HTTPResponseStatus, reason: String)?)? = nil
    /// Called for each upgrade request that passed every check, before it is answered;
    /// the answer decides the response (a proxy dials its upstream here, so that the
    /// upstream's refusal, subprotocol and extensions reach the client). The client is not
    /// read meanwhile; the future must complete (the application bounds its wait).
    public var prepareUpgrade: (@Sendable (UpgradeRequest, EventLoop) -> EventLoopFuture<UpgradeDecision>)? = nil
    /// Whether reading from a client stops while it does not take what is sent to it
    /// (echo); a relay turns this off and pauses the other side instead.
    public var pausesReadingWhileUnwritable = true
    /// Pings on every session (`connect --listen --ping-interval`), instead of the
    /// ``idleTimeout``'s.
    public var keepalive: KeepalivePolicy? = nil
    /// Whether sessions keep the upgrade request and response as text
    /// (``SessionInfo/handshake``), for `connect --listen --show-handshake`.
    public var recordsHandshake = false

    /// Creates the default configuration.
    public init() {}

    /// The options each session runs with.
    var sessionOptions: SessionOptions {
        SessionOptions(
            keepalive: keepalive ?? idleTimeout.map(KeepalivePolicy.idleTimeout),
            maxBackpressure: maxBackpressure,
            closeTimeout: closeTimeout,
            pausesReadingWhileUnwritable: pausesReadingWhileUnwritable
        )
    }
}
