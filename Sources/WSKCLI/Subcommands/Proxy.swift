import ArgumentParser
import Foundation
import NIOCore
import WSKCompression
import WSKCore
import WSKNIO

/// `wsk proxy`: relays WebSocket clients to a WebSocket server, a TCP service or a program.
public struct Proxy: WSKCommand {
    public static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Relay WebSocket clients to another WebSocket server, a TCP service or a program, logging what passes.",
        discussion: """
            Listens like serve-echo and opens one upstream connection per client:
              ws://… or wss://…   another WebSocket server. Messages and close codes are \
            relayed; pings are answered on each hop; compression is offered upstream when the \
            client negotiated it, and negotiated on each hop. \
            When the upstream URL has no path, the client's request path (and query) is used.
              tcp://HOST:PORT      a TCP service: messages are written as bytes, bytes read \
            come back as binary messages.
              --exec COMMAND       a program per client (/bin/sh -c COMMAND), like websocketd: \
            text messages are its stdin lines, each stdout line is a text message, stderr goes \
            to the proxy's stderr. REMOTE_ADDR, REMOTE_PORT, REQUEST_URI and WEBSOCKET_SUBPROTOCOL are set. \
            The client is closed with 1000 when the program exits (1011 for a non-zero status).

            An unreachable upstream closes the client with 1011. One log line per connection \
            (open, upstream, close with message counts); -v logs every message with its \
            direction (from=client or from=upstream).

            EXAMPLES:
              wsk proxy -p 9002 ws://127.0.0.1:9001/
              wsk proxy -p 9002 -v --log-format json wss://echo.example.com/ > /dev/null
              wsk proxy -p 9002 tcp://127.0.0.1:6379
              wsk proxy -p 9002 --exec 'while read line; do echo "you said: $line"; done'
            """
    )

    @Argument(help: ArgumentHelp("The upstream: ws://…, wss://… or tcp://HOST:PORT (or use --exec).", valueName: "upstream"))
    var upstream: String?

    @Option(help: ArgumentHelp("Run this shell command per client and relay its stdin/stdout lines.", valueName: "command"))
    var exec: String?

    @OptionGroup(title: "Listening")
    var listen: ListenOptions

    @OptionGroup(title: "Compression towards clients (permessage-deflate)")
    var compression: CompressionOptions

    @Option(help: ArgumentHelp("A subprotocol to accept from clients (repeatable); the one chosen is offered to a WebSocket upstream.", valueName: "name"))
    var subprotocol: [String] = []

    @Flag(help: "Do not offer permessage-deflate to a WebSocket upstream.")
    var noUpstreamCompression = false

    @OptionGroup(title: "Limits")
    var limits: ServerLimitOptions

    @OptionGroup(title: "Checks before the upgrade")
    var checks: UpgradeCheckOptions

    @OptionGroup(title: "TLS towards clients")
    var tls: ServerTLSOptions

    @OptionGroup(title: "TLS towards a wss:// upstream")
    var upstreamTLS: ClientTLSOptions

    @OptionGroup(title: "Logging")
    var logging: LoggingOptions

    public init() {}

    public func validate() throws {
        switch (upstream, exec) {
        case (nil, nil):
            throw ValidationError("<upstream>: give ws://…, wss://… or tcp://HOST:PORT, or --exec COMMAND")
        case (.some, .some):
            throw ValidationError("--exec cannot be combined with an <upstream> URL")
        case (.some(let text), nil):
            let target: ProxyTarget
            do {
                target = try ProxyTarget.parse(text)
            } catch {
                throw ValidationError("<upstream>: \(error)")
            }
            if target.isAddress(of: listen) {
                throw ValidationError("<upstream>: \(text) is this proxy's own address (it would relay to itself)")
            }
        case (nil, .some(let command)):
            if command.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--exec needs a command") }
        }
    }

    public func execute() async throws {
        let target: ProxyTarget = try exec.map { .program($0) } ?? ProxyTarget.parse(upstream!)
        var configuration = try WebSocketServerConfiguration(limits: limits, compression: compression, checks: checks, tls: tls)
        configuration.autoReplyPolicy = .deferredCloseReply
        // The relay paces each side by the other one's writability (not its own).
        configuration.pausesReadingWhileUnwritable = false
        configuration.subprotocols = subprotocol
        // Loop detection: requests to a WebSocket upstream carry this proxy's Via marker
        // (RFC 9110 §7.6.3); one that comes back here is refused with 508 Loop Detected.
        let marker = "wsk-proxy-" + String(UInt32.random(in: .min ... .max), radix: 16)
        configuration.inspectRequest = { head in
            guard head.headers["via"].contains(where: { $0.contains(marker) }) else { return nil }
            return (.loopDetected, "request loop: this request already passed through this proxy")
        }
        var client = WebSocketClientConfiguration()
        client.headers.append(("Via", "1.1 " + marker))
        client.limits = configuration.limits
        client.compression = noUpstreamCompression ? nil : PerMessageDeflateOptions()
        try upstreamTLS.apply(to: &client)
        let settings = ServerSettings(listen: listen, configuration: configuration, logging: logging)
        let runner = ProxyServer(settings: settings, target: target, client: client)
        try await runner.run()
    }
}
