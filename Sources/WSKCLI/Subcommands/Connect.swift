import ArgumentParser
import Foundation
import NIOCore
import WSKCompression
import WSKCore
import WSKLineEditing
import WSKNIO

/// `wsk connect URL`: the terminal client and pipe tool.
public struct Connect: WSKCommand {
    public static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Connect to a WebSocket server: an interactive client on a terminal, a pipe tool off it.",
        discussion: """
            Interactive mode (stdin and stdout are terminals): a line editor with history \
            (saved in $XDG_STATE_HOME/wsk/history, default ~/.local/state/wsk/history) and \
            Tab completion. Lines are sent as text messages; messages received print above \
            the line being typed, marked '<'. Slash commands: /text, /binary HEX|base64:…|@file, \
            /ping [PAYLOAD] (shows the round-trip time), /pong, /close [CODE [REASON]], \
            /frame [nofin] [rsv1] [rsv2] [rsv3] [nomask] OPCODE [PAYLOAD] (one raw frame, even \
            an invalid one), /fragment SIZE PAYLOAD, /quit, /help. Ctrl-D closes with 1000 and \
            waits for the server's close; Ctrl-C clears the line being typed, or quits on an empty line.

            Pipe mode (stdin or stdout is not a terminal): each stdin line is sent as one \
            text message and each message received is written to stdout as one line; status \
            and errors go to stderr only. At EOF on stdin, wsk sends a close frame (1000) and \
            waits for the server's close.

            Listen mode (--listen [HOST:]PORT, no URL): be the server a client under test \
            talks to. wsk accepts one WebSocket client (each in turn with --keep-listening; \
            others meanwhile get 503) and runs the same REPL or pipe mode on it, so the slash \
            commands act from the server's side (a server-initiated message, ping or close, or \
            a malformed server frame). --subprotocol names the subprotocols to accept, \
            --tls-cert/--tls-key serve wss://; the listening address is printed on stderr.

            EXIT STATUS:
              0   the connection closed normally (1000, 1001 or no status code)
              1   the connection failed (DNS, refused, TLS, proxy, timeout), or a stdin line
                  was refused (not UTF-8)
              2   the server refused the upgrade (status line, headers and body start on stderr)
              3   a protocol error: one side failed the connection (1002, 1007, 1009, …)
              4   an abnormal close: no close handshake (1006), another close code, or no pong
              64  a malformed argument
              130, 143  SIGINT, SIGTERM (after a 1001 close)

            EXAMPLES:
              wsk connect ws://127.0.0.1:9001/
              wsk connect --json-pretty --timestamps wss://example.com/events
              echo hello | wsk connect ws://127.0.0.1:9001/
              wsk connect wss://example.com/socket -H 'Authorization: Bearer t0ken' --subprotocol chat
              wsk connect ws://127.0.0.1:9001/ -x '{"op":"subscribe"}' --exit-after 3
              wsk connect ws://127.0.0.1:9001/ --until '"done":true' < requests.jsonl
              wsk connect --binary ws://127.0.0.1:9001/ < image.png > echoed.png
              wsk connect --echo 'ws://127.0.0.1:9001/runCase?case=1&agent=wsk'
              wsk connect --proxy http://user:pass@proxy:3128 wss://example.com/
              wsk connect --listen 9001
              wsk connect --listen 0.0.0.0:9001 --keep-listening --jsonl > clients.jsonl
            """
    )

    @Argument(help: ArgumentHelp("The server, ws://HOST[:PORT][/PATH] or wss://… (none with --listen).", valueName: "url"))
    var url: String?

    @OptionGroup(title: "Request")
    var request: ClientRequestOptions

    @OptionGroup(title: "Compression (permessage-deflate)")
    var compression: CompressionOptions

    @OptionGroup(title: "Connection")
    var connection: ClientConnectionOptions

    @OptionGroup(title: "TLS (wss://)")
    var tls: ClientTLSOptions

    @OptionGroup(title: "Pipe mode")
    var pipe: PipeOptions

    @OptionGroup(title: "Output")
    var output: ClientOutputOptions

    @Option(help: ArgumentHelp("Listen mode: accept a WebSocket client on [HOST:]PORT (host 127.0.0.1 unless given; port 0 picks one) instead of connecting to a URL.", valueName: "[host:]port"))
    var listen: String?

    @Flag(help: "With --listen: after a client leaves, wait for the next one.")
    var keepListening = false

    @OptionGroup(title: "Listen mode TLS (wss://)")
    var listenTLS: ServerTLSOptions

    public init() {}

    public func validate() throws {
        if let listen {
            guard url == nil else { throw ValidationError("--listen takes no URL: give one or the other") }
            guard ConnectListener.parse(listen) != nil else { throw ValidationError("--listen '\(listen)': expected [HOST:]PORT, e.g. 9001 or 0.0.0.0:9001") }
            let clientOnly: [(String, Bool)] = [
                ("-H/--header", !request.header.isEmpty), ("--origin", request.origin != nil), ("--auth", request.auth != nil),
                ("--proxy", connection.proxy != nil), ("--reconnect", connection.reconnect),
                ("--cacert", tls.cacert != nil), ("--insecure", tls.insecure), ("--cert/--key", tls.cert != nil),
                ("--tls-server-name", tls.tlsServerName != nil),
            ]
            if let (flag, _) = clientOnly.first(where: { $0.1 }) {
                throw ValidationError("\(flag) is for connecting to a server; it does not apply with --listen")
            }
        } else {
            guard let url else { throw ValidationError("give the server's URL (ws://HOST[:PORT][/PATH]), or --listen [HOST:]PORT") }
            _ = try WebSocketURL(argument: url)
            if keepListening { throw ValidationError("--keep-listening needs --listen") }
            if listenTLS.tlsCert != nil || listenTLS.tlsClientCa != nil { throw ValidationError("--tls-cert, --tls-key and --tls-client-ca need --listen (for a client certificate use --cert and --key)") }
        }
        if output.interactive == true && !LibEditLineEditor.standardStreamsAreTerminals() {
            throw ValidationError("--interactive needs a terminal on stdin and stdout")
        }
        if output.interactive == true && (!pipe.execute.isEmpty || pipe.echo || output.jsonl) {
            throw ValidationError("--interactive cannot be combined with -x/--execute, --echo or --jsonl")
        }
    }

    /// The REPL runs when asked, or by default when stdin and stdout are terminals and no
    /// pipe-only option (-x, --echo) is given.
    var interactive: Bool {
        output.interactive ?? (LibEditLineEditor.standardStreamsAreTerminals() && pipe.execute.isEmpty && !pipe.echo && !output.jsonl)
    }

    public func execute() async throws {
        var listener: ConnectListener? = nil
        let target: WebSocketURL
        if let listen, let (host, port) = ConnectListener.parse(listen) {
            var server = WebSocketServerConfiguration()
            server.compression = compression.options
            server.compressionLevel = compression.compressionLevel
            if let certificate = listenTLS.tlsCert, let key = listenTLS.tlsKey {
                do {
                    server.tls = try TLSFiles.serverContext(certificateFile: certificate, keyFile: key, clientCAFile: listenTLS.tlsClientCa, http2: connection.http2)
                } catch {
                    throw UserFacingError("--tls-cert", UserFacingError.describe(error))
                }
            }
            server.limits.maxMessageSize = connection.maxMessageSize.value
            server.limits.maxFrameSize = connection.maxFrameSize?.value ?? max(connection.maxMessageSize.value, 1)
            server.subprotocols = request.subprotocol
            server.handshakeTimeout = .nanoseconds(connection.connectTimeout.nanoseconds)
            server.keepalive = connection.keepalive
            server.acceptsH2C = connection.http2
            server.acceptsHTTP2OverTLS = connection.http2
            listener = ConnectListener(host: host, port: port, keepListening: keepListening, configuration: server)
            // Not dialled and not shown: in listen mode the runners name the client instead.
            target = try WebSocketURL(argument: "ws://\(HostPort(host: host, port: max(port, 1)))/")
        } else {
            target = try WebSocketURL(argument: url ?? "")
        }
        var configuration = WebSocketClientConfiguration()
        configuration.limits.maxMessageSize = connection.maxMessageSize.value
        configuration.limits.maxFrameSize = connection.maxFrameSize?.value ?? max(connection.maxMessageSize.value, 1)
        request.apply(to: &configuration, url: target)
        configuration.compression = compression.options
        configuration.compressionLevel = compression.compressionLevel
        configuration.connectTimeout = .nanoseconds(connection.connectTimeout.nanoseconds)
        try tls.apply(to: &configuration)
        configuration.proxy = try connection.proxy(for: target, environment: ProcessInfo.processInfo.environment)
        configuration.keepalive = connection.keepalive
        configuration.http2 = connection.http2

        if interactive {
            var formatter = REPLFormatter(style: Style(enabled: Terminal.usesColor(flag: output.color)))
            formatter.timestamps = output.timestamps
            formatter.jsonPretty = output.jsonPretty
            formatter.rawOutput = output.rawOutput
            formatter.binaryEncoding = pipe.base64 ? .base64 : .hex
            let environment = ProcessInfo.processInfo.environment
            let options = REPLSession.Options(
                formatter: formatter,
                showHandshake: output.showHandshake,
                keepalive: connection.pingInterval != nil,
                reconnect: connection.reconnect,
                history: REPLHistory.defaultPath(environment: environment).map { REPLHistory(path: $0) }
            )
            let editor = LibEditLineEditor(completions: REPLInput.commands)
            let status = await REPLSession(url: target, configuration: configuration, options: options, editor: editor, listener: listener).run()
            if status != 0 {
                throw ExitCode(status)
            }
            return
        }

        let session = ConnectSession(
            url: target,
            configuration: configuration,
            pipe: pipe,
            connection: connection,
            output: output,
            listener: listener
        )
        let status = await session.run()
        if status != 0 {
            throw ExitCode(status)
        }
    }
}
