// `wsk proxy`: a WebSocket server whose every connection is relayed to an upstream: another
// WebSocket server, a TCP service, or a program run per connection (websocketd-style:
// messages are the program's stdin lines, its stdout lines are messages). Each pairing is
// one WSKNIO `Relay` with flow control end to end: a side that cannot take more pauses
// reading on the other. Each side keeps its own protocol engine (pings are answered per
// hop, compression is negotiated per hop); messages and close codes are relayed. All of a
// connection's relaying runs on its event loop: the upstream is opened on the same loop.
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import WSKCore
import WSKNIO

/// Where `wsk proxy` relays to.
enum ProxyTarget: Sendable, CustomStringConvertible {
    case webSocket(WebSocketURL)
    case tcp(host: String, port: Int)
    case program(String)

    var description: String {
        switch self {
        case .webSocket(let url): return url.description
        case .tcp(let host, let port): return "tcp://\(host):\(port)"
        case .program(let command): return "program '\(command)'"
        }
    }

    /// Whether this is the address a proxy listening with `listen` is bound to (a proxy
    /// pointed at itself).
    func isAddress(of listen: ListenOptions) -> Bool {
        let (host, port): (String, Int)
        switch self {
        case .webSocket(let url): (host, port) = (url.host, url.effectivePort)
        case .tcp(let targetHost, let targetPort): (host, port) = (targetHost, targetPort)
        case .program: return false
        }
        guard listen.port != 0, port == listen.port else { return false }
        let loopback: Set<String> = ["127.0.0.1", "localhost", "::1"]
        let listenHost = listen.host.lowercased()
        let wildcard = listenHost == "0.0.0.0" || listenHost == "::"
        return host.lowercased() == listenHost || (loopback.contains(host.lowercased()) && (wildcard || loopback.contains(listenHost)))
    }

    /// Parses `ws://…`, `wss://…` or `tcp://HOST:PORT`.
    static func parse(_ text: String) throws -> ProxyTarget {
        if text.lowercased().hasPrefix("tcp://") {
            guard let endpoint = try? HostPort(parsing: text.dropFirst(6)), let port = endpoint.port else {
                throw CLIError.failure("expected tcp://HOST:PORT, got '\(text)'")
            }
            return .tcp(host: endpoint.host, port: port)
        }
        do {
            return .webSocket(try WebSocketURL(parsing: text))
        } catch {
            throw CLIError.failure("\(error) (or tcp://HOST:PORT)")
        }
    }
}

/// Runs `wsk proxy`.
final class ProxyServer: WebSocketServerApplication, @unchecked Sendable {
    let settings: ServerSettings
    let target: ProxyTarget
    let client: WebSocketClientConfiguration
    /// How long a program may take to exit after SIGTERM before SIGKILL.
    let killGrace: TimeAmount = .seconds(2)
    /// The client endpoint of each open session, and its relay (owned here: endpoints
    /// refer to their relay weakly).
    let clients = NIOLockedValueBox<[ObjectIdentifier: (endpoint: SessionEndpoint, relay: Relay?)]>([:])

    init(settings: ServerSettings, target: ProxyTarget, client: WebSocketClientConfiguration) {
        self.settings = settings
        self.target = target
        self.client = client
    }

    func run() async throws {
        try await ServerRunner.serve(settings, application: self) { [self] _, address in
            settings.log.log("listening", ["address": .string(address), "upstream": .string(target.description)])
        }
    }

    func endpoint(for session: WebSocketSession) -> SessionEndpoint? {
        clients.withLockedValue { $0[ObjectIdentifier(session)]?.endpoint }
    }

    // MARK: - The client side (WebSocketSessionDelegate, on the session's event loop)

    func sessionDidOpen(_ session: WebSocketSession) {
        let remote = session.info.remoteAddress
        let client = SessionEndpoint(side: .client) { [self] in logViolation($0, remote: remote, from: "client") }
        client.sessionDidOpen(session)
        settings.log.log("open", ["remote": .string(remote), "path": .string(session.info.path)])
        let relay = connectUpstream(for: session, client: client)
        clients.withLockedValue { $0[ObjectIdentifier(session)] = (client, relay) }
    }

    func session(_ session: WebSocketSession, didReceive event: ConnectionEvent) {
        if settings.verbose, case .ping(let payload) = event {
            settings.log.log("ping", ["remote": .string(session.info.remoteAddress), "from": .string("client"), "bytes": .int(payload.readableBytes)])
        }
        endpoint(for: session)?.session(session, didReceive: event)
    }

    func sessionWritabilityDidChange(_ session: WebSocketSession, isWritable: Bool) {
        endpoint(for: session)?.sessionWritabilityDidChange(session, isWritable: isWritable)
    }

    func sessionDidClose(_ session: WebSocketSession, outcome: CloseOutcome) {
        let entry = clients.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(session)) }
        let relay = entry?.relay
        entry?.endpoint.sessionDidClose(session, outcome: outcome)
        settings.log.log("close", [
            "remote": .string(session.info.remoteAddress),
            "code": .int(Int(outcome.code.rawValue)),
            "reason": .string(outcome.reason),
            "clean": .bool(outcome.wasClean),
            "to_upstream": .int(relay?.relayedMessages[.client] ?? 0),
            "to_client": .int(relay?.relayedMessages[.upstream] ?? 0),
        ])
    }

    func logViolation(_ violation: ProtocolViolation, remote: String, from side: String) {
        settings.log.log("violation", [
            "remote": .string(remote), "from": .string(side),
            "reason": .string(violation.reason.description), "code": .int(Int(violation.closeCode.rawValue)),
        ])
    }

    func respond(toHTTPRequest head: HTTPRequestHead, channel: Channel) -> EventLoopFuture<HTTPRouteResponse?> {
        channel.eventLoop.makeSucceededFuture(
            .respond(status: .upgradeRequired, contentType: "text/plain; charset=utf-8", body: "wsk proxy: connect with a WebSocket client; relaying to \(target)\n"))
    }

    func upgradeRefused(remoteAddress: String, path: String, status: Int, reason: String) {
        settings.log.log("refused", ["remote": .string(remoteAddress), "path": .string(path), "status": .int(status), "reason": .string(reason)])
    }

    // MARK: - The upstream side

    func observer(remote: String) -> Relay.Observer {
        var observer = Relay.Observer()
        guard settings.verbose else { return observer }
        observer.message = { [log = settings.log] side, message in
            log.log("message", [
                "remote": .string(remote),
                "from": .string(side.rawValue),
                "type": .string(message.opcode.name),
                "bytes": .int(message.data.readableBytes),
                "preview": .string(MessagePreview.text(message)),
            ])
        }
        return observer
    }

    /// Creates the relay for a client and starts connecting its upstream.
    func connectUpstream(for session: WebSocketSession, client: SessionEndpoint) -> Relay {
        let loop = session.eventLoop
        let info = session.info
        let remote = info.remoteAddress
        let ready: @Sendable (Relay, String) -> Void = { [log = settings.log, target] relay, detail in
            loop.execute {
                log.log("upstream", ["remote": .string(remote), "target": .string(target.description), "detail": .string(detail)])
                relay.upstreamDidConnect()
            }
        }
        let failed: @Sendable (Relay, String) -> Void = { [log = settings.log, target] relay, reason in
            loop.execute {
                log.log("upstream-failed", ["remote": .string(remote), "target": .string(target.description), "reason": .string(reason)])
                relay.upstreamFailed()
            }
        }
        switch target {
        case .webSocket(let base):
            var url = base
            if url.path == "/" || url.path.isEmpty { url.path = info.path }
            let upstream = SessionEndpoint(side: .upstream) { [self] in logViolation($0, remote: remote, from: "upstream") }
            let relay = Relay(client: client, upstream: upstream, eventLoop: loop, observer: observer(remote: remote))
            var configuration = self.client
            // Compress upstream only when the client compresses: what the client chose.
            if !info.isCompressed { configuration.compression = nil }
            // The subprotocol agreed with the client (--subprotocol) is the one offered upstream.
            configuration.subprotocols = info.subprotocol.map { [$0] } ?? []
            configuration.pausesReadingWhileUnwritable = false
            Task {
                do {
                    let connection = try await WebSocketClient.connect(to: url, configuration: configuration, group: loop, delegate: upstream)
                    ready(relay, connection.session.info.extensions.map(\.description).joined(separator: ", "))
                } catch {
                    failed(relay, UserFacingError.describe(error))
                }
            }
            return relay
        case .tcp(let host, let port):
            let upstream = StreamEndpoint(framing: .bytes)
            let relay = Relay(client: client, upstream: upstream, eventLoop: loop, observer: observer(remote: remote))
            ClientBootstrap(group: loop)
                .connectTimeout(.seconds(10))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(upstream) } }
                .connect(host: host, port: port)
                .whenComplete { result in
                    switch result {
                    case .success: ready(relay, "")
                    case .failure(let error): failed(relay, UserFacingError.describe(error))
                    }
                }
            return relay
        case .program(let command):
            let upstream = StreamEndpoint(framing: .lines)
            // A line is one message: --max-message-size bounds it (longer: 1009).
            upstream.maxLineLength = settings.configuration.limits.maxMessageSize
            // A client's close gives the program EOF on stdin and a second to finish; then
            // its process group is terminated, so the close reply is not held up.
            upstream.finishTimeout = .seconds(1)
            let relay = Relay(client: client, upstream: upstream, eventLoop: loop, observer: observer(remote: remote))
            let environment = Self.environment(for: info)
            let grace = killGrace
            Task {
                do {
                    let child = try await ChildProcess.spawn(command: command, environment: environment, eventLoop: loop) { exit in
                        // The program's output has all been relayed when its stdout ends; its
                        // exit status then says how the client is closed.
                        upstream.onEnd = { report in
                            exit.whenSuccess { status in report(Self.outcome(exitStatus: status)) }
                        }
                        return upstream
                    }
                    loop.execute { upstream.onTerminate = { child.terminate(grace: grace) } }
                    ready(relay, "pid \(child.pid)")
                } catch {
                    failed(relay, UserFacingError.describe(error))
                }
            }
            return relay
        }
    }

    /// 1000 for a program that exited with 0, else 1011 with its status.
    static func outcome(exitStatus status: Int32) -> CloseOutcome {
        status == 0
            ? CloseOutcome(code: .normalClosure, reason: "", wasClean: true, initiatedByPeer: true)
            : CloseOutcome(code: .internalError, reason: "program exited with status \(status)", wasClean: true, initiatedByPeer: true)
    }

    /// The program's environment: the proxy's, plus the CGI/websocketd names (REMOTE_ADDR
    /// without the port, REMOTE_PORT, REQUEST_URI, WEBSOCKET_SUBPROTOCOL).
    static func environment(for info: SessionInfo) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if let endpoint = try? HostPort(parsing: info.remoteAddress) {
            environment["REMOTE_ADDR"] = endpoint.host
            environment["REMOTE_PORT"] = endpoint.port.map(String.init) ?? ""
        } else {
            environment["REMOTE_ADDR"] = info.remoteAddress
        }
        environment["REQUEST_URI"] = info.path
        environment["WEBSOCKET_SUBPROTOCOL"] = info.subprotocol ?? ""
        return environment
    }
}
