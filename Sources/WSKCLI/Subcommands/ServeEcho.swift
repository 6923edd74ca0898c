import ArgumentParser
import NIOCore
import WSKCompression
import WSKCore
import WSKNIO

/// `wsk serve-echo`: a conforming WebSocket echo, broadcast and pub/sub server.
public struct ServeEcho: AsyncParsableCommand {
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
    var compression: ServerCompressionOptions

    @OptionGroup(title: "Limits")
    var limits: ServerLimitOptions

    @OptionGroup(title: "Checks before the upgrade")
    var checks: UpgradeCheckOptions

    @OptionGroup(title: "TLS (wss://)")
    var tls: ServerTLSOptions

    @OptionGroup(title: "Logging")
    var logging: LoggingOptions

    public init() {}

    public func validate() throws {
        if behaviour.broadcast && behaviour.pubsub {
            throw ValidationError("--broadcast and --pubsub cannot be combined")
        }
        try listen.validate()
        try compression.validate()
        try limits.validate()
        try checks.validate()
        try tls.validate()
    }

    public func run() async throws {
        var configuration = try WebSocketServerConfiguration(limits: limits, compression: compression, checks: checks, tls: tls)
        configuration.subprotocols = behaviour.subprotocol
        let mode: EchoServer.Mode = behaviour.broadcast ? .broadcast : (behaviour.pubsub ? .pubsub : .echo)
        let runner = EchoServer(
            host: listen.host,
            port: listen.port,
            threads: listen.threads,
            mode: mode,
            excludeSender: behaviour.excludeSender,
            configuration: configuration,
            log: EventLog(format: logging.logFormat),
            verbose: logging.verbose
        )
        try await runner.run()
    }
}

struct ListenOptions: ParsableArguments {
    @Option(help: "Address to listen on (IPv4 or IPv6, e.g. 0.0.0.0 or ::1).")
    var host = "127.0.0.1"

    @Option(name: [.short, .long], help: "Port to listen on; 0 picks a free port and prints it.")
    var port = 9001

    @Option(help: ArgumentHelp("Event-loop threads.", valueName: "n"))
    var threads = System.coreCount

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
        guard (1...1024).contains(threads) else { throw ValidationError("--threads must be between 1 and 1024, got \(threads)") }
    }
}

struct ServerBehaviourOptions: ParsableArguments {
    @Flag(help: "Send every message to all connected clients.")
    var broadcast = false

    @Flag(help: "Pub/sub: the request path names the topic; messages go to every client on that topic.")
    var pubsub = false

    @Flag(help: "With --broadcast or --pubsub, do not send a message back to its sender.")
    var excludeSender = false

    @Option(help: ArgumentHelp("A subprotocol the server speaks (repeatable).", valueName: "name"))
    var subprotocol: [String] = []
}

struct ServerCompressionOptions: ParsableArguments {
    @Flag(help: "Refuse permessage-deflate even when a client offers it.")
    var noCompression = false

    @Flag(help: "Reset the server's compressor after every message (server_no_context_takeover).")
    var serverNoContextTakeover = false

    @Flag(help: "Ask clients to reset their compressor after every message (client_no_context_takeover).")
    var clientNoContextTakeover = false

    @Option(help: ArgumentHelp("Largest LZ77 window of the server's compressor, 8-15 (server_max_window_bits).", valueName: "bits"))
    var serverMaxWindowBits: Int?

    @Option(help: ArgumentHelp("Window to ask clients to use, 8-15 (client_max_window_bits), when they allow it.", valueName: "bits"))
    var clientMaxWindowBits: Int?

    @Option(help: ArgumentHelp("zlib level for outgoing messages, 0-9.", valueName: "level"))
    var compressionLevel = 6

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
        guard (0...9).contains(compressionLevel) else {
            throw ValidationError("--compression-level must be between 0 and 9, got \(compressionLevel)")
        }
    }
}

struct ServerLimitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Largest message accepted (sum of fragments, or inflated size); larger ones close with 1009.", valueName: "bytes"))
    var maxMessageSize = ByteCount(16 << 20)

    @Option(help: ArgumentHelp("Largest frame payload accepted; larger ones close with 1009.", valueName: "bytes"))
    var maxFrameSize = ByteCount(16 << 20)

    @Option(help: ArgumentHelp("Most concurrent WebSocket clients; further upgrades get HTTP 503.", valueName: "n"))
    var maxConnections = 100_000

    @Option(help: ArgumentHelp("Seconds a client has to send its upgrade request.", valueName: "seconds"))
    var handshakeTimeout = Seconds(10)

    @Option(help: ArgumentHelp("Ping a client silent this long; close it (1001) if still silent as long again.", valueName: "seconds"))
    var idleTimeout: Seconds?

    @Option(help: ArgumentHelp("Bytes queued for a client that does not read before it is closed with 1008.", valueName: "bytes"))
    var maxBackpressure = ByteCount(16 << 20)

    func validate() throws {
        guard maxMessageSize.value >= 1 else { throw ValidationError("--max-message-size must be at least 1 byte") }
        guard maxFrameSize.value >= 1 else { throw ValidationError("--max-frame-size must be at least 1 byte") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1, got \(maxConnections)") }
        guard handshakeTimeout.value > 0 else { throw ValidationError("--handshake-timeout must be more than 0 seconds") }
        if let idleTimeout, idleTimeout.value <= 0 { throw ValidationError("--idle-timeout must be more than 0 seconds") }
        guard maxBackpressure.value >= 1024 else { throw ValidationError("--max-backpressure must be at least 1KiB") }
    }
}

struct UpgradeCheckOptions: ParsableArguments {
    @Option(help: ArgumentHelp("An Origin allowed to connect (repeatable); others get HTTP 403.", valueName: "origin"))
    var allowOrigin: [String] = []

    @Option(help: ArgumentHelp("A header every upgrade request must carry, 'Name: value' (repeatable); else HTTP 401.", valueName: "header"))
    var requireHeader: [String] = []

    var requiredHeaders: [(name: String, value: String)] {
        requireHeader.compactMap { Self.split($0) }
    }

    static func split(_ header: String) -> (name: String, value: String)? {
        guard let colon = header.firstIndex(of: ":") else { return nil }
        let name = header[..<colon].trimmingCharacters(in: " ")
        let value = header[header.index(after: colon)...].trimmingCharacters(in: " ")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_!#$%&'*+.^`|~".contains($0) }) else { return nil }
        return (name, value)
    }

    func validate() throws {
        for header in requireHeader where Self.split(header) == nil {
            throw ValidationError("--require-header expects 'Name: value', got '\(header)'")
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String { String(self).trimmingCharacters(in: set) }
}

struct ServerTLSOptions: ParsableArguments {
    @Option(help: ArgumentHelp("PEM certificate chain; serve wss:// (needs --tls-key).", valueName: "file"), completion: .file())
    var tlsCert: String?

    @Option(help: ArgumentHelp("PEM private key for --tls-cert.", valueName: "file"), completion: .file())
    var tlsKey: String?

    @Option(help: ArgumentHelp("PEM CA bundle; require client certificates signed by it.", valueName: "file"), completion: .file())
    var tlsClientCa: String?

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key must be given together")
        }
        if tlsClientCa != nil && tlsCert == nil {
            throw ValidationError("--tls-client-ca needs --tls-cert and --tls-key")
        }
    }
}

struct LoggingOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Log every message, not just connections.")
    var verbose = false

    @Option(help: ArgumentHelp("Log line format: text or json.", valueName: "format"))
    var logFormat: EventLog.Format = .text
}

extension EventLog.Format: ExpressibleByArgument {}
