import ArgumentParser
import NIOCore
import WSKCompression
import WSKCore
import WSKNIO

/// `wsk serve-echo`: a conforming WebSocket echo, broadcast and pub/sub server.
public struct ServeEcho: WSKCommand {
    public static let configuration = CommandConfiguration(
        commandName: "serve-echo",
        abstract: "Run a strict, fast WebSocket echo server (also broadcast and pub/sub).",
        discussion: """
            Every message is echoed back with its type: text stays text, binary stays \
            binary. Pings are answered, close handshakes completed, and every protocol \
            violation fails the connection with the RFC 6455 close code. permessage-deflate \
            (RFC 7692) is accepted when offered.

            Modes:
              (default)    echo each message to its sender
              --broadcast  send each message to every connected client
              --pubsub     the request path names the topic (/chat/room1 -> "chat/room1",
                           / -> ""); each message goes to every client on the sender's topic

            Subprotocols: with --subprotocol (repeatable), the first protocol the client \
            offers that is in the list is selected. When none match, the connection is \
            still accepted without a subprotocol (as RFC 6455 §4.2.2 allows); the client \
            decides whether to go on.

            HTTP: GET / (without an upgrade) serves a browser console to connect, send and \
            watch messages; GET /metrics serves Prometheus text metrics.

            Output: the line "listening on ws://HOST:PORT" goes to stdout once the port is \
            bound (with --port 0, the port picked); one log line per connection opened and \
            closed goes to stderr (-v adds one per message). SIGINT/SIGTERM close every \
            client with 1001, wait briefly for their close frames, and exit 0.

            EXAMPLES:
              wsk serve-echo
              wsk serve-echo --port 0 --log-format json
              wsk serve-echo --pubsub --subprotocol chat --idle-timeout 30
              wsk serve-echo --tls-cert cert.pem --tls-key key.pem --port 8443
              wsk serve-echo --allow-origin https://example.com --require-header 'Authorization: Bearer s3cret'
            """
    )

    @OptionGroup(title: "Listening")
    var listen: ListenOptions

    @OptionGroup(title: "Behaviour")
    var behaviour: ServerBehaviourOptions

    @OptionGroup(title: "Compression (permessage-deflate)")
    var compression: CompressionOptions

    @OptionGroup(title: "Limits")
    var limits: ServerLimitOptions

    @OptionGroup(title: "Checks before the upgrade")
    var checks: UpgradeCheckOptions

    @OptionGroup(title: "TLS (wss://)")
    var tls: ServerTLSOptions

    @OptionGroup(title: "HTTP versions")
    var httpVersions: ServerHTTPVersionOptions

    @OptionGroup(title: "Logging")
    var logging: LoggingOptions

    public init() {}

    public func validate() throws {
        if behaviour.broadcast && behaviour.pubsub {
            throw ValidationError("--broadcast and --pubsub cannot be combined")
        }
    }

    public func execute() async throws {
        var configuration = try WebSocketServerConfiguration(limits: limits, compression: compression, checks: checks, tls: tls, http2: httpVersions)
        configuration.subprotocols = behaviour.subprotocol
        let mode: EchoServer.Mode = behaviour.broadcast ? .broadcast : (behaviour.pubsub ? .pubsub : .echo)
        let settings = ServerSettings(listen: listen, configuration: configuration, logging: logging)
        let runner = EchoServer(settings: settings, mode: mode, excludeSender: behaviour.excludeSender)
        try await runner.run()
    }
}
