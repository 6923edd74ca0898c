import Dispatch
import NIOCore
import NIOPosix
import WSKCore
import WSKNIO

/// Where a server listens (from ``ListenOptions``).
struct ServerListenAddress: Sendable {
    var host: String
    var port: Int
    var threads: Int
}

/// What serve-echo and proxy both hand to ``ServerRunner``, from their shared options.
struct ServerSettings: Sendable {
    var listen: ServerListenAddress
    var configuration: WebSocketServerConfiguration
    var log: EventLog
    /// Whether to log every message (`-v`), not just connections.
    var verbose: Bool
}

extension ServerSettings {
    init(listen: ListenOptions, configuration: WebSocketServerConfiguration, logging: LoggingOptions) {
        self.init(listen: listen.address, configuration: configuration, log: EventLog(format: logging.logFormat), verbose: logging.verbose)
    }
}

/// The one serve loop of serve-echo and proxy: binds, prints `listening on ws://HOST:PORT`
/// on stdout, runs until SIGINT or SIGTERM, then closes every client with 1001 and waits
/// briefly for their close frames.
enum ServerRunner {
    static func serve(
        _ settings: ServerSettings,
        application: WebSocketServerApplication,
        prepare: (EventLoopGroup) -> Void = { _ in },
        started: (WebSocketServer, String) -> Void
    ) async throws {
        let listen = settings.listen
        let group = MultiThreadedEventLoopGroup(numberOfThreads: listen.threads)
        prepare(group)
        let server: WebSocketServer
        do {
            server = try await WebSocketServer.start(host: listen.host, port: listen.port, configuration: settings.configuration, application: application, group: group)
        } catch {
            try? await group.shutdownGracefully()
            throw UserFacingError("listen", "cannot listen on \(HostPort(host: listen.host, port: listen.port)): \(UserFacingError.describe(error))", hint: "pick another --port or --host")
        }
        let scheme = settings.configuration.tls == nil ? "ws" : "wss"
        let address = server.localAddress
        let shown = HostPort(host: address.ipAddress ?? listen.host, port: address.port ?? listen.port).description
        StandardOutput.writeLine("listening on \(scheme)://\(shown)")
        started(server, shown)

        let signals = await waitForTerminationSignal()
        defer { withExtendedLifetime(signals) {} }
        settings.log.log("shutdown", ["clients": .int(server.registry.count)])
        await server.stopAccepting()
        await server.closeAll(code: .goingAway, reason: "server shutting down", timeout: .seconds(2))
        try? await group.shutdownGracefully()
    }

    /// Suspends until SIGINT or SIGTERM. The returned token keeps the watcher alive (later
    /// signals stay ignored while shutting down); hold it until the end.
    static func waitForTerminationSignal() async -> SignalWatcher.Token {
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        let token = SignalWatcher.start([SIGINT, SIGTERM]) { continuation.yield($0) }
        var iterator = signals.makeAsyncIterator()
        _ = await iterator.next()
        return token
    }
}

/// Delivers SIGINT/SIGTERM to a handler (they are ignored for the default action while it
/// runs), on a queue of its own.
enum SignalWatcher {
    /// What ``start(_:handler:)`` returns: cancel to restore the default actions.
    final class Token: @unchecked Sendable {
        let sources: [DispatchSourceSignal]
        let signals: [Int32]
        init(sources: [DispatchSourceSignal], signals: [Int32]) {
            self.sources = sources
            self.signals = signals
        }
        func cancel() {
            for source in sources { source.cancel() }
            for number in signals { signal(number, SIG_DFL) }
        }
    }

    static func start(_ signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) -> Token {
        let queue = DispatchQueue(label: "wsk.signal-watcher")
        var sources: [DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { handler(number) }
            source.resume()
            sources.append(source)
        }
        return Token(sources: sources, signals: signals)
    }
}
