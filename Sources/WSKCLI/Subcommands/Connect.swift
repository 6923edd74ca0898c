import ArgumentParser
import Foundation
import NIOCore
import WSKCompression
import WSKCore
import WSKLineEditing
import WSKNIO

/// `wsk connect URL`: the terminal client and pipe tool.
public struct Connect: AsyncParsableCommand {
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
            waits for the server's close; Ctrl-C clears the line.

            Pipe mode (stdin or stdout is not a terminal): each stdin line is sent as one \
            text message and each message received is written to stdout as one line; status \
            and errors go to stderr only. At EOF on stdin, wsk sends a close frame (1000) and \
            waits for the server's close.

            EXIT STATUS:
              0   the connection closed normally (1000, 1001 or no status code)
              1   the connection failed (DNS, refused, TLS, proxy, timeout)
              2   the server refused the upgrade (status line, headers and body start on stderr)
              3   a protocol error: one side failed the connection (1002, 1007, 1009, …)
              4   an abnormal close: no close handshake (1006), another close code, or no pong
              64  a malformed argument

            EXAMPLES:
              wsk connect ws://127.0.0.1:9001/
              wsk connect --json-pretty --timestamps wss://example.com/events
              echo hello | wsk connect ws://127.0.0.1:9001/
              wsk connect wss://example.com/socket -H 'Authorization: Bearer t0ken' --subprotocol chat
              wsk connect ws://127.0.0.1:9001/ -x '{"op":"subscribe"}' --exit-after 3
              wsk connect ws://127.0.0.1:9001/ --until '"done":true' < requests.jsonl
              wsk connect --binary ws://127.0.0.1:9001/ < image.png > echoed.png
              wsk connect --echo ws://127.0.0.1:9001/runCase?case=1&agent=wsk
              wsk connect --proxy http://user:pass@proxy:3128 wss://example.com/
            """
    )

    @Argument(help: ArgumentHelp("The server, ws://HOST[:PORT][/PATH] or wss://…", valueName: "url"))
    var url: String

    @OptionGroup(title: "Request")
    var request: ClientRequestOptions

    @OptionGroup(title: "Compression (permessage-deflate)")
    var compression: ClientCompressionOptions

    @OptionGroup(title: "Connection")
    var connection: ClientConnectionOptions

    @OptionGroup(title: "TLS (wss://)")
    var tls: ClientTLSOptions

    @OptionGroup(title: "Pipe mode")
    var pipe: PipeOptions

    @OptionGroup(title: "Output")
    var output: ClientOutputOptions

    public init() {}

    public func validate() throws {
        do {
            _ = try WebSocketURL(parsing: url)
        } catch {
            throw ValidationError("<url>: \(error)")
        }
        try request.validate()
        try compression.validate()
        try connection.validate()
        try tls.validate()
        try pipe.validate()
        if output.interactive == true && !LibEditLineEditor.standardStreamsAreTerminals() {
            throw ValidationError("--interactive needs a terminal on stdin and stdout")
        }
        if output.interactive == true && (!pipe.execute.isEmpty || pipe.echo) {
            throw ValidationError("--interactive cannot be combined with -x/--execute or --echo")
        }
    }

    /// The REPL runs when asked, or by default when stdin and stdout are terminals and no
    /// pipe-only option (-x, --echo) is given.
    var interactive: Bool {
        output.interactive ?? (LibEditLineEditor.standardStreamsAreTerminals() && pipe.execute.isEmpty && !pipe.echo)
    }

    public func run() async throws {
        let target = try WebSocketURL(parsing: url)
        var configuration = WebSocketClientConfiguration()
        configuration.limits.maxMessageSize = connection.maxMessageSize.value
        configuration.limits.maxFrameSize = connection.maxFrameSize?.value ?? max(connection.maxMessageSize.value, 1)
        request.apply(to: &configuration, url: target)
        configuration.compression = compression.options
        configuration.connectTimeout = .nanoseconds(connection.connectTimeout.nanoseconds)
        try tls.apply(to: &configuration)
        configuration.proxy = try connection.proxy(for: target, environment: ProcessInfo.processInfo.environment)

        if interactive {
            var formatter = REPLFormatter(style: Style(enabled: Terminal.usesColor(flag: output.color)))
            formatter.timestamps = output.timestamps
            formatter.jsonPretty = output.jsonPretty
            formatter.binaryEncoding = pipe.base64 ? .base64 : .hex
            let environment = ProcessInfo.processInfo.environment
            let options = REPLSession.Options(
                formatter: formatter,
                showHandshake: output.showHandshake,
                pingInterval: connection.pingInterval?.value,
                pingTimeout: connection.pingTimeout?.value,
                reconnect: connection.reconnect,
                history: REPLHistory.defaultPath(environment: environment).map { REPLHistory(path: $0) }
            )
            let editor = LibEditLineEditor(completions: REPLInput.commands)
            let status = await REPLSession(url: target, configuration: configuration, options: options, editor: editor).run()
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
            output: output
        )
        let status = await session.run()
        if status != 0 {
            throw ExitCode(status)
        }
    }
}

struct ClientRequestOptions: ParsableArguments {
    @Option(name: [.customShort("H"), .long], help: ArgumentHelp("Extra request header, 'Name: value' (repeatable).", valueName: "header"))
    var header: [String] = []

    @Option(help: ArgumentHelp("Subprotocol to offer, most preferred first (repeatable).", valueName: "name"))
    var subprotocol: [String] = []

    @Option(help: ArgumentHelp("Origin header to send.", valueName: "origin"))
    var origin: String?

    @Option(help: ArgumentHelp("Basic authentication, user:password.", valueName: "user:password"))
    var auth: String?

    var headerPairs: [(name: String, value: String)] {
        header.compactMap { UpgradeCheckOptions.split($0) }
    }

    func validate() throws {
        for value in header where UpgradeCheckOptions.split(value) == nil {
            throw ValidationError("--header expects 'Name: value', got '\(value)'")
        }
        if let auth, !auth.contains(":") {
            throw ValidationError("--auth expects user:password")
        }
    }
}

struct ClientCompressionOptions: ParsableArguments {
    @Flag(help: "Do not offer permessage-deflate.")
    var noCompression = false

    @Flag(help: "Ask the server to reset its compressor after every message.")
    var serverNoContextTakeover = false

    @Flag(help: "Reset our compressor after every message (and say so).")
    var clientNoContextTakeover = false

    @Option(help: ArgumentHelp("Largest window the server may compress with, 8-15.", valueName: "bits"))
    var serverMaxWindowBits: Int?

    @Option(help: ArgumentHelp("Largest window we compress with, 8-15.", valueName: "bits"))
    var clientMaxWindowBits: Int?

    var options: PerMessageDeflateOptions? {
        guard !noCompression else { return nil }
        return PerMessageDeflateOptions(
            serverNoContextTakeover: serverNoContextTakeover,
            clientNoContextTakeover: clientNoContextTakeover,
            serverMaxWindowBits: serverMaxWindowBits,
            clientMaxWindowBits: clientMaxWindowBits
        )
    }

    func validate() throws {
        for (flag, value) in [("--server-max-window-bits", serverMaxWindowBits), ("--client-max-window-bits", clientMaxWindowBits)] {
            if let value, !(8...15).contains(value) {
                throw ValidationError("\(flag) must be between 8 and 15, got \(value)")
            }
        }
    }
}

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

    @Flag(help: "Reconnect with backoff (0.5 s doubling to 30 s) when the connection drops or the server closes with 1001, 1012 or 1013.")
    var reconnect = false

    @Option(help: ArgumentHelp("HTTP proxy for a CONNECT tunnel, http://[user:pass@]host:port (default: $https_proxy / $http_proxy, minus $no_proxy).", valueName: "url"))
    var proxy: String?

    @Flag(help: "Ignore the proxy environment variables.")
    var noProxy = false

    func validate() throws {
        guard connectTimeout.value > 0 else { throw ValidationError("--connect-timeout must be more than 0 seconds") }
        guard maxMessageSize.value >= 1 else { throw ValidationError("--max-message-size must be at least 1 byte") }
        if let pingInterval, pingInterval.value <= 0 { throw ValidationError("--ping-interval must be more than 0 seconds") }
        if pingTimeout != nil && pingInterval == nil { throw ValidationError("--ping-timeout needs --ping-interval") }
        if let proxy { _ = try Self.parseProxy(proxy, flag: "--proxy") }
    }

    static func parseProxy(_ text: String, flag: String) throws -> HTTPProxy {
        var rest = Substring(text)
        if let scheme = rest.firstRange(of: "://") {
            let name = rest[..<scheme.lowerBound].lowercased()
            guard name == "http" else { throw ValidationError("\(flag): only http:// proxies are supported, got '\(text)'") }
            rest = rest[scheme.upperBound...]
        }
        rest = rest.prefix { $0 != "/" }
        var credentials: String? = nil
        if let at = rest.lastIndex(of: "@") {
            credentials = String(rest[..<at]).removingPercentEncoding
            rest = rest[rest.index(after: at)...]
        }
        var host = rest
        var port = 3128
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let value = Int(rest[rest.index(after: colon)...]), (1...65535).contains(value) else {
                throw ValidationError("\(flag): invalid port in '\(text)'")
            }
            port = value
            host = rest[..<colon]
        }
        host = host.trimmingPrefix("[")
        if host.hasSuffix("]") { host = host.dropLast() }
        guard !host.isEmpty else { throw ValidationError("\(flag): missing host in '\(text)'") }
        return HTTPProxy(host: String(host), port: port, credentials: credentials)
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

struct ClientTLSOptions: ParsableArguments {
    @Option(help: ArgumentHelp("PEM CA bundle to trust instead of the system store.", valueName: "file"), completion: .file())
    var cacert: String?

    @Flag(name: [.customShort("k"), .long], help: "Do not verify the server's certificate.")
    var insecure = false

    @Option(help: ArgumentHelp("PEM client certificate.", valueName: "file"), completion: .file())
    var cert: String?

    @Option(help: ArgumentHelp("PEM private key for --cert.", valueName: "file"), completion: .file())
    var key: String?

    @Option(help: ArgumentHelp("Server name for SNI and certificate checks, instead of the URL's host.", valueName: "name"))
    var tlsServerName: String?

    func validate() throws {
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key must be given together") }
        for (flag, path) in [("--cacert", cacert), ("--cert", cert), ("--key", key)] {
            if let path, !FileManager.default.isReadableFile(atPath: path) {
                throw ValidationError("\(flag): cannot read '\(path)'")
            }
        }
    }

    func configuration() throws -> WebSocketClientConfiguration.TLS {
        try TLSFiles.clientConfiguration(caFile: cacert, insecure: insecure, certificateFile: cert, keyFile: key)
    }
}

struct PipeOptions: ParsableArguments {
    @Flag(help: "Send stdin as binary messages (one per read; with -0, one per NUL-delimited record).")
    var binary = false

    @Flag(name: [.customShort("0"), .customLong("null")], help: "Records are NUL-delimited instead of newline-delimited, both ways.")
    var nullDelimited = false

    @Flag(help: "Binary messages are base64 lines, both ways.")
    var base64 = false

    @Flag(help: "Binary messages are hex lines, both ways.")
    var hex = false

    @Option(name: [.customShort("x"), .long], help: ArgumentHelp("Send this text message, then wait (repeatable; stdin is not read).", valueName: "message"))
    var execute: [String] = []

    @Option(help: ArgumentHelp("Close after receiving this many messages.", valueName: "n"))
    var exitAfter: Int?

    @Option(help: ArgumentHelp("Close after receiving a message that matches this regular expression.", valueName: "regex"))
    var until: String?

    @Option(help: ArgumentHelp("After stdin ends (or -x messages are sent), keep receiving this long before closing (default: close at once; 2 s with -x).", valueName: "seconds"))
    var wait: Seconds?

    @Flag(help: "After stdin ends, send no close frame: wait for the server to close.")
    var waitForClose = false

    @Flag(help: "Send every received message back (a reflector); stdin is not read and the server ends the connection.")
    var echo = false

    func validate() throws {
        if base64 && hex { throw ValidationError("--base64 and --hex cannot be combined") }
        if let exitAfter, exitAfter < 1 { throw ValidationError("--exit-after must be at least 1, got \(exitAfter)") }
        if let until {
            do {
                _ = try Regex(until)
            } catch {
                throw ValidationError("--until: invalid regular expression: \(error)")
            }
        }
    }
}

struct ClientOutputOptions: ParsableArguments {
    @Flag(help: "Print the request and response heads of the handshake on stderr.")
    var showHandshake = false

    @Flag(help: "Prefix received lines with the time they arrived.")
    var timestamps = false

    @Flag(name: [.short, .long], help: "Report pings, pongs and closes on stderr.")
    var verbose = false

    @Flag(inversion: .prefixedNo, help: "Run the interactive client (default: when stdin and stdout are terminals, without -x or --echo).")
    var interactive: Bool?

    @Flag(help: "Interactive: pretty-print JSON text messages.")
    var jsonPretty = false

    @Flag(inversion: .prefixedNo, help: "Interactive: colour the output (default: on a terminal, unless NO_COLOR is set).")
    var color: Bool?
}
