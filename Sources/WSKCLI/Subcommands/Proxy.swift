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
            Listens like serve-echo. For each client's upgrade request it first opens the \
            upstream, then answers the client:
              ws://… or wss://…   another WebSocket server. The client's subprotocols are \
            offered upstream (only those --subprotocol lists, when given) and the client gets \
            the one the upstream chose; permessage-deflate is offered upstream when the client \
            offered it and accepted from the client only when the upstream accepted it (each \
            hop negotiates its own parameters). Messages (fragment by fragment, boundaries kept), \
            pings and pongs (answered end to end) and close codes and reasons pass both ways. X-Forwarded-For and Via are set; \
            --forward-header passes client headers on, -H adds headers. When the upstream URL \
            has no path, the client's request path (and query) is used.
              tcp://HOST:PORT      a TCP service: messages are written as bytes, bytes read \
            come back as binary messages.
              --exec COMMAND       a program per client (/bin/sh -c COMMAND), like websocketd: \
            messages are its stdin lines, each stdout line is a text message (a line that is \
            not UTF-8 goes as a binary message, unaltered); with --exec-binary, stdin and \
            stdout are raw bytes and stdout chunks are binary messages. stderr goes to the \
            proxy's stderr. REMOTE_ADDR, REMOTE_PORT, REQUEST_URI and WEBSOCKET_SUBPROTOCOL are \
            set. The client is closed with 1000 when the program exits (1011 for a non-zero \
            status); when the client leaves, the program gets EOF, then SIGTERM to its process \
            group, then SIGKILL after --kill-grace.

            An unreachable upstream answers the client's upgrade with 502; an upstream that \
            refuses the upgrade passes its status back. A request that already passed through \
            this proxy (its Via marker) gets 508. GET /metrics gives Prometheus counters. One \
            log line per connection (open, close with message counts); -v logs every message, \
            ping, pong and close frame with its direction (from=client or from=upstream).

            EXAMPLES:
              wsk proxy -p 9002 ws://127.0.0.1:9001/
              wsk proxy -p 9002 --forward-header Authorization --forward-header Cookie wss://api.example.com/
              wsk proxy -p 9002 -v --log-format json wss://echo.example.com/ > /dev/null
              wsk proxy -p 9002 tcp://127.0.0.1:6379
              wsk proxy -p 9002 --exec 'while read line; do echo "you said: $line"; done'
              wsk proxy -p 9002 --exec-binary --exec 'gzip -c'
            """
    )

    @Argument(help: ArgumentHelp("The upstream: ws://…, wss://… or tcp://HOST:PORT (or use --exec).", valueName: "upstream"))
    var upstream: String?

    @Option(help: ArgumentHelp("Run this shell command per client and relay its stdin/stdout lines.", valueName: "command"))
    var exec: String?

    @Flag(help: "With --exec: relay raw bytes (stdout chunks become binary messages) instead of lines.")
    var execBinary = false

    @Option(help: ArgumentHelp("With --exec: seconds a program has after SIGTERM before SIGKILL.", valueName: "seconds"))
    var killGrace: Double = 2

    @Option(help: ArgumentHelp("Pass this client request header on to a WebSocket upstream (repeatable; Origin, Authorization, Cookie …).", valueName: "name"))
    var forwardHeader: [String] = []

    @Option(name: [.customShort("H"), .long], help: ArgumentHelp("Add this header to upstream requests, 'Name: value' (repeatable).", valueName: "header"))
    var header: [String] = []

    @Option(help: ArgumentHelp("Reach the upstream (ws://, wss:// or tcp://) through this proxy: http://[user:pass@]host:port, socks5://… or socks5h://… (environment variables are not read).", valueName: "url"))
    var upstreamProxy: String?

    @OptionGroup(title: "Listening")
    var listen: ListenOptions

    @OptionGroup(title: "Compression towards clients (permessage-deflate)")
    var compression: CompressionOptions

    @Option(help: ArgumentHelp("A subprotocol clients may use (repeatable): only these are offered to a WebSocket upstream; for tcp:// and --exec, the one selected. Default: any, for a WebSocket upstream.", valueName: "name"))
    var subprotocol: [String] = []

    @Flag(help: "Do not offer permessage-deflate to a WebSocket upstream.")
    var noUpstreamCompression = false

    @OptionGroup(title: "Limits")
    var limits: ServerLimitOptions

    @OptionGroup(title: "Checks before the upgrade")
    var checks: UpgradeCheckOptions

    @OptionGroup(title: "TLS towards clients")
    var tls: ServerTLSOptions

    @OptionGroup(title: "HTTP versions")
    var httpVersions: ServerHTTPVersionOptions

    @OptionGroup(title: "TLS towards a wss:// upstream")
    var upstreamTLS: ClientTLSOptions

    @OptionGroup(title: "Logging")
    var logging: LoggingOptions

    public init() {}

    public func validate() throws {
        if let upstreamProxy {
            _ = try ClientConnectionOptions.parseProxy(upstreamProxy, flag: "--upstream-proxy")
            if exec != nil { throw ValidationError("--upstream-proxy is for a ws://, wss:// or tcp:// upstream, not --exec") }
        }
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
        if execBinary && exec == nil { throw ValidationError("--exec-binary needs --exec COMMAND") }
        if !(killGrace >= 0 && killGrace <= 3600) { throw ValidationError("--kill-grace must be between 0 and 3600 seconds, got \(killGrace)") }
        for value in header where UpgradeCheckOptions.split(value) == nil {
            throw ValidationError("--header expects 'Name: value', got '\(value)'")
        }
        let reserved = ["host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol",
                        "sec-websocket-extensions", "sec-websocket-accept", "via", "x-forwarded-for"]
        for name in forwardHeader + header.compactMap({ UpgradeCheckOptions.split($0)?.name }) {
            if reserved.contains(name.lowercased()) {
                throw ValidationError("--forward-header/--header: \(name) is set by the proxy for each hop")
            }
            if name.isEmpty || !name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ":") }) {
                throw ValidationError("--forward-header/--header: '\(name)' is not a header name")
            }
        }
    }

    public func execute() async throws {
        let target: ProxyTarget = try exec.map { .program($0, binary: execBinary) } ?? ProxyTarget.parse(upstream!)
        var configuration = try WebSocketServerConfiguration(limits: limits, compression: compression, checks: checks, tls: tls, http2: httpVersions)
        configuration.subprotocols = subprotocol
        // Loop detection: requests to a WebSocket upstream carry this proxy's Via marker
        // (RFC 9110 §7.6.3); one that comes back here is refused with 508 Loop Detected.
        let marker = "wsk-proxy-" + String(UInt32.random(in: .min ... .max), radix: 16)
        configuration.inspectRequest = { head in
            guard head.headers["via"].contains(where: { $0.contains(marker) }) else { return nil }
            return (.loopDetected, "request loop: this request already passed through this proxy")
        }
        var client = WebSocketClientConfiguration()
        client.limits = configuration.limits
        client.compression = noUpstreamCompression ? nil : PerMessageDeflateOptions()
        try upstreamTLS.apply(to: &client)
        if let upstreamProxy {
            client.proxy = try ClientConnectionOptions.parseProxy(upstreamProxy, flag: "--upstream-proxy")
        }
        let forwarding = ProxyForwarding(
            forwardedHeaders: forwardHeader,
            addedHeaders: header.compactMap { UpgradeCheckOptions.split($0) },
            viaMarker: marker
        )
        let settings = ServerSettings(listen: listen, configuration: configuration, logging: logging)
        let runner = ProxyServer(
            settings: settings, target: target, client: client, forwarding: forwarding,
            killGrace: .nanoseconds(Int64(killGrace * 1e9)))
        try await runner.run()
    }
}
