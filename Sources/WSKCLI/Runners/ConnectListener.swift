// `wsk connect --listen [HOST:]PORT`: the other half of poking — be the server a client
// under test talks to. One client at a time (each in turn with --keep-listening); the
// session goes to the same pipe mode or REPL as a dialled one, so /text, /ping, /close,
// /frame and /fragment act from the server's side.
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import WSKCore
import WSKNIO

/// Accepts the clients of `connect --listen` and hands each session to the runner.
final class ConnectListener: WebSocketServerApplication, @unchecked Sendable {
    let host: String
    let port: Int
    let keepListening: Bool
    var configuration: WebSocketServerConfiguration

    struct State {
        /// Set while the loop waits for a client: the next upgrade is accepted and fulfils it.
        var waiting: EventLoopPromise<WebSocketClientConnection>?
        var runner: ClientLoopRunner?
        var server: WebSocketServer?
    }
    let state = NIOLockedValueBox(State())

    init(host: String, port: Int, keepListening: Bool, configuration: WebSocketServerConfiguration) {
        self.host = host
        self.port = port
        self.keepListening = keepListening
        var configuration = configuration
        configuration.recordsHandshake = true
        self.configuration = configuration
    }

    /// `--listen` as `[HOST:]PORT` (`9001`, `0.0.0.0:9001`, `[::1]:9001`); the host is
    /// 127.0.0.1 when not given.
    static func parse(_ text: String) -> (host: String, port: Int)? {
        var host = "127.0.0.1"
        var portText = Substring(text)
        if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard (try? SocketAddress(ipAddress: host, port: 0)) != nil || host == "localhost" else { return nil }
        }
        guard let port = Int(portText), (0...65535).contains(port) else { return nil }
        return (host, port)
    }

    /// Binds and says where on stderr (`listening on ws://127.0.0.1:9001/`); false (with
    /// the reason on stderr) when it cannot.
    func start(group: EventLoopGroup, runner: ClientLoopRunner) async -> Bool {
        state.withLockedValue { $0.runner = runner }
        var configuration = self.configuration
        // Only an upgrade the loop is waiting for is accepted; another client meanwhile
        // gets 503 (one client at a time). The subprotocol: the first the client offers
        // that --subprotocol names.
        let supported = configuration.subprotocols
        configuration.prepareUpgrade = { [self] request, loop in
            let admitted = state.withLockedValue { $0.waiting != nil && $0.server != nil }
            guard admitted else {
                return loop.makeSucceededFuture(.refuse(status: .serviceUnavailable, reason: "busy: wsk connect --listen serves one client at a time"))
            }
            let subprotocol = request.offeredSubprotocols.first { supported.contains($0) }
            return loop.makeSucceededFuture(.accept(subprotocol: subprotocol, compression: true, prepared: nil))
        }
        do {
            let server = try await WebSocketServer.start(host: host, port: port, configuration: configuration, application: self, group: group)
            state.withLockedValue { $0.server = server }
            let address = server.localAddress
            let shown = HostPort(host: address.ipAddress ?? host, port: address.port ?? port).description
            Diagnostics.note("listening on \(configuration.tls == nil ? "ws" : "wss")://\(shown)/ for one client\(keepListening ? " at a time" : "")")
            return true
        } catch {
            Diagnostics.error("cannot listen on \(HostPort(host: host, port: port)): \(UserFacingError.describe(error)); pick another port for --listen")
            return false
        }
    }

    /// Waits for the next client's upgrade.
    func accept(on loop: EventLoop) async -> WebSocketClientConnection? {
        let promise = loop.makePromise(of: WebSocketClientConnection.self)
        state.withLockedValue { $0.waiting = promise }
        return try? await promise.futureResult.get()
    }

    func stop() async {
        let (server, waiting) = state.withLockedValue { state in
            defer { state.waiting = nil }
            return (state.server, state.waiting)
        }
        waiting?.fail(ChannelError.ioOnClosedChannel)
        await server?.stopAccepting()
    }

    // MARK: - WebSocketServerApplication

    func respond(toHTTPRequest head: HTTPRequestHead, channel: Channel) -> EventLoopFuture<HTTPRouteResponse?> {
        channel.eventLoop.makeSucceededFuture(.respond(status: .upgradeRequired, contentType: "text/plain; charset=utf-8", body: "wsk connect --listen: connect with a WebSocket client\n"))
    }

    func upgradeRefused(remoteAddress: String, path: String, status: Int, reason: String) {
        Diagnostics.note("refused \(remoteAddress): \(status == 0 ? "" : "\(status) ")\(reason)")
    }

    func sessionDidOpen(_ session: WebSocketSession) {
        let (runner, waiting) = state.withLockedValue { state in
            defer { state.waiting = nil }
            return (state.runner, state.waiting)
        }
        runner?.sessionDidOpen(session)
        let info = session.info
        waiting?.succeed(WebSocketClientConnection(session: session, requestHead: info.handshake?.request ?? "", responseHead: info.handshake?.response ?? ""))
    }

    func session(_ session: WebSocketSession, didReceive event: ConnectionEvent) {
        state.withLockedValue { $0.runner }?.session(session, didReceive: event)
    }

    func sessionDidClose(_ session: WebSocketSession, outcome: CloseOutcome) {
        state.withLockedValue { $0.runner }?.sessionDidClose(session, outcome: outcome)
    }

    func sessionWritabilityDidChange(_ session: WebSocketSession, isWritable: Bool) {
        state.withLockedValue { $0.runner }?.sessionWritabilityDidChange(session, isWritable: isWritable)
    }
}
