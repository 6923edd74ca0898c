// `wsk proxy`: a WebSocket server whose every connection is relayed to an upstream: another
// WebSocket server, a TCP service, or a program run per connection (websocketd-style:
// messages are the program's stdin lines, its stdout lines are messages). Each pairing is
// one WSKNIO `Relay` with flow control end to end: a side that cannot take more pauses
// reading on the other.
//
// The upstream comes first: it is dialled (or the program started) when the client's
// upgrade request arrives, before the 101, so an unreachable upstream is a 502, an
// upstream's refusal passes back with its status, and the client gets the subprotocol and
// compression the upstream agreed to. Towards a WebSocket upstream, pings and pongs pass
// through (answered end to end) and close codes and reasons go both ways; compression is
// negotiated on each hop. All of a connection's relaying runs on its event loop.
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import WSKCore
import WSKNIO

/// Runs `wsk proxy`.
final class ProxyServer: WebSocketServerApplication, @unchecked Sendable {
    let settings: ServerSettings
    let target: ProxyTarget
    let client: WebSocketClientConfiguration
    let forwarding: ProxyForwarding
    /// How long a program may take to exit after SIGTERM before SIGKILL.
    let killGrace: TimeAmount
    let metrics = ServerMetrics()
    var registry: SessionRegistry?
    /// The client endpoint of each open session, and its relay (owned here: endpoints
    /// refer to their relay weakly).
    let clients = NIOLockedValueBox<[ObjectIdentifier: (endpoint: SessionEndpoint, relay: Relay)]>([:])

    init(settings: ServerSettings, target: ProxyTarget, client: WebSocketClientConfiguration, forwarding: ProxyForwarding, killGrace: TimeAmount) {
        self.target = target
        self.client = client
        self.forwarding = forwarding
        self.killGrace = killGrace
        var settings = settings
        // Towards a WebSocket upstream, pings and pongs pass through and the client's close
        // is answered once the upstream answered it; otherwise pings are answered here.
        settings.configuration.autoReplyPolicy = target.isWebSocket ? .relay : .deferredCloseReply
        // The relay paces each side by the other one's writability (not its own).
        settings.configuration.pausesReadingWhileUnwritable = false
        // Towards a WebSocket upstream, fragments pass as they come (boundaries kept).
        settings.configuration.limits.deliversFragments = target.isWebSocket
        self.settings = settings
    }

    func run() async throws {
        var settings = self.settings
        settings.configuration.prepareUpgrade = { [self] request, loop in prepare(request, on: loop) }
        try await ServerRunner.serve(settings, application: self, prepare: { [metrics] group in
            metrics.prepare(for: group)
        }, started: { [self] server, address in
            registry = server.registry
            settings.log.log("listening", ["address": .string(address), "upstream": .string(target.description)])
        })
    }

    func endpoint(for session: WebSocketSession) -> SessionEndpoint? {
        clients.withLockedValue { $0[ObjectIdentifier(session)]?.endpoint }
    }

    // MARK: - The client side (WebSocketSessionDelegate, on the session's event loop)

    func sessionDidOpen(_ session: WebSocketSession) {
        let info = session.info
        guard let pending = info.prepared as? PendingRelay else {
            session.close(code: .internalError, reason: "no upstream")
            return
        }
        metrics.on(session.eventLoop) { counters in
            counters.accepted += 1
            if session.info.shape == .extendedConnect { counters.acceptedHTTP2 += 1 }
        }
        clients.withLockedValue { $0[ObjectIdentifier(session)] = (pending.client, pending.relay) }
        pending.client.sessionDidOpen(session)
        settings.log.log("open", [
            "remote": .string(info.remoteAddress),
            "path": .string(info.path),
            "http": .string(info.shape.httpVersion),
            "subprotocol": info.subprotocol.map { .string($0) } ?? .null,
            "extensions": .string(info.extensions.map(\.description).joined(separator: ", ")),
            "upstream": .string(target.description),
            "upstream_detail": .string(pending.detail),
        ])
        pending.relay.didConnect(.client)
    }

    func session(_ session: WebSocketSession, didReceive event: ConnectionEvent) {
        endpoint(for: session)?.session(session, didReceive: event)
    }

    func sessionWritabilityDidChange(_ session: WebSocketSession, isWritable: Bool) {
        endpoint(for: session)?.sessionWritabilityDidChange(session, isWritable: isWritable)
    }

    func sessionDidClose(_ session: WebSocketSession, outcome: CloseOutcome) {
        guard let entry = clients.withLockedValue({ $0.removeValue(forKey: ObjectIdentifier(session)) }) else { return }
        entry.endpoint.sessionDidClose(session, outcome: outcome)
        metrics.on(session.eventLoop) { $0.closesByCode[outcome.code.rawValue, default: 0] += 1 }
        settings.log.log("close", [
            "remote": .string(session.info.remoteAddress),
            "code": .int(Int(outcome.code.rawValue)),
            "reason": .string(outcome.reason),
            "clean": .bool(outcome.wasClean),
            "to_upstream": .int(entry.relay.relayedMessages[.client] ?? 0),
            "to_client": .int(entry.relay.relayedMessages[.upstream] ?? 0),
        ])
    }

    func logViolation(_ violation: ProtocolViolation, remote: String, from side: String) {
        settings.log.log("violation", [
            "remote": .string(remote), "from": .string(side),
            "reason": .string(violation.reason.description), "code": .int(Int(violation.closeCode.rawValue)),
        ])
    }

    func respond(toHTTPRequest head: HTTPRequestHead, channel: Channel) -> EventLoopFuture<HTTPRouteResponse?> {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        if path == "/metrics" && (head.method == .GET || head.method == .HEAD) {
            let active = registry?.count ?? 0
            let refused = metrics.refused.withLockedValue { $0 }
            return metrics.snapshot(on: channel.eventLoop).map { totals in
                .respond(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: totals.prometheus(active: active, refused: refused, proxy: true))
            }
        }
        return channel.eventLoop.makeSucceededFuture(
            .respond(status: .upgradeRequired, contentType: "text/plain; charset=utf-8", body: "wsk proxy: connect with a WebSocket client; relaying to \(target)\n"))
    }

    func upgradeRefused(remoteAddress: String, path: String, status: Int, reason: String) {
        metrics.refused.withLockedValue { $0 += 1 }
        settings.log.log("refused", ["remote": .string(remoteAddress), "path": .string(path), "status": .int(status), "reason": .string(reason)])
    }

    // MARK: - The upstream side

    /// Counts what passes (for /metrics) and, with -v, logs every message, ping, pong and
    /// close with its direction.
    func observer(remote: String, loop: EventLoop) -> Relay.Observer {
        var observer = Relay.Observer()
        let verbose = settings.verbose
        let log = settings.log
        observer.message = { [metrics] side, message in
            metrics.on(loop) { counters in
                let bytes = message.data.readableBytes
                // A message counts once, by its first fragment's type.
                if message.opcode != .continuation {
                    switch (side, message.isText) {
                    case (.client, true): counters.textReceived += 1
                    case (.client, false): counters.binaryReceived += 1
                    case (.upstream, true): counters.textSent += 1
                    case (.upstream, false): counters.binarySent += 1
                    }
                }
                if side == .client { counters.bytesReceived += bytes } else { counters.bytesSent += bytes }
            }
            guard verbose else { return }
            var fields: [(String, EventLog.Value)] = [
                ("remote", .string(remote)),
                ("from", .string(side.rawValue)),
                ("type", .string(message.opcode.name)),
                ("bytes", .int(message.data.readableBytes)),
            ]
            if message.isFragment { fields.append(("fin", .bool(message.isFinal))) }
            fields.append(("preview", .string(MessagePreview.text(message))))
            log.log(message.isFragment ? "fragment" : "message", fields)
        }
        guard verbose else { return observer }
        observer.control = { side, opcode, payload in
            log.log(opcode.name, ["remote": .string(remote), "from": .string(side.rawValue), "bytes": .int(payload.readableBytes)])
        }
        observer.finished = { side, close in
            log.log("close-frame", [
                "remote": .string(remote), "from": .string(side.rawValue),
                "code": close.code.map { .int(Int($0.rawValue)) } ?? .null, "reason": .string(close.reason),
            ])
        }
        return observer
    }

    /// Dials the upstream for an upgrade request (or starts the program) and answers the
    /// request when it is connected: 101 with the upstream's subprotocol and compression,
    /// the upstream's refusal status, or 502.
    func prepare(_ request: UpgradeRequest, on loop: EventLoop) -> EventLoopFuture<UpgradeDecision> {
        let remote = request.remoteAddress
        let decision = loop.makePromise(of: UpgradeDecision.self)
        let client = SessionEndpoint(side: .client, forwardsControlFrames: target.isWebSocket) { [self] in
            logViolation($0, remote: remote, from: "client")
        }
        let failed: @Sendable (HTTPResponseStatus, String) -> Void = { [log = settings.log, target, metrics] status, reason in
            loop.execute {
                log.log("upstream-failed", ["remote": .string(remote), "target": .string(target.description), "reason": .string(reason)])
                metrics.on(loop) { $0.upstreamFailures += 1 }
                decision.succeed(.refuse(status: status, reason: reason))
            }
        }
        // Without a WebSocket upstream, the subprotocol is chosen here (--subprotocol).
        let localSubprotocol = ServerHandshake.selectSubprotocol(offered: request.offeredSubprotocols, supported: settings.configuration.subprotocols)
        let accept: @Sendable (PendingRelay, String?, Bool) -> Void = { pending, subprotocol, compression in
            loop.execute { decision.succeed(.accept(subprotocol: subprotocol, compression: compression, prepared: pending)) }
        }
        switch target {
        case .webSocket(let base):
            var url = base
            if url.path == "/" || url.path.isEmpty { url.path = request.head.uri }
            let upstream = SessionEndpoint(side: .upstream, forwardsControlFrames: true) { [self] in
                logViolation($0, remote: remote, from: "upstream")
            }
            let relay = Relay(client: client, upstream: upstream, eventLoop: loop, connecting: .client, observer: observer(remote: remote, loop: loop))
            let pending = PendingRelay(relay: relay, client: client)
            let configuration = upstreamConfiguration(for: request)
            Task {
                do {
                    let connection = try await WebSocketClient.connect(to: url, configuration: configuration, group: loop, delegate: upstream)
                    let info = connection.session.info
                    pending.detail = info.extensions.map(\.description).joined(separator: ", ")
                    // The client gets what the upstream agreed to: its subprotocol, and
                    // compression only when the upstream compresses too (each hop
                    // negotiates its own parameters). With --no-upstream-compression the
                    // client's side is negotiated on its own.
                    accept(pending, info.subprotocol, Self.clientMayCompress(upstream: info, offeredUpstream: configuration.compression != nil))
                } catch WebSocketClientError.handshakeRefused(let status, let reason, _, _, let failure) where failure.isEmpty && status != 101 {
                    failed(HTTPResponseStatus(statusCode: status), "upstream refused the upgrade: HTTP \(status) \(reason)")
                } catch {
                    failed(.badGateway, "upstream unreachable: \(UserFacingError.describe(error))")
                }
            }
        case .tcp(let host, let port):
            let upstream = StreamEndpoint(framing: .bytes)
            let relay = Relay(client: client, upstream: upstream, eventLoop: loop, connecting: .client, observer: observer(remote: remote, loop: loop))
            let pending = PendingRelay(relay: relay, client: client)
            let proxy = self.client.proxy
            Task {
                do {
                    _ = try await WebSocketClient.connectTCP(host: host, port: port, proxy: proxy, group: loop, timeout: .seconds(10), handler: upstream)
                    accept(pending, localSubprotocol, true)
                } catch {
                    failed(.badGateway, "upstream unreachable: tcp://\(HostPort(host: host, port: port)): \(UserFacingError.describe(error))")
                }
            }
        case .program(let command, let binary):
            let upstream = StreamEndpoint(framing: binary ? .bytes : .lines)
            // A line is one message: --max-message-size bounds it (longer: 1009).
            upstream.maxLineLength = settings.configuration.limits.maxMessageSize
            // A client's close gives the program EOF on stdin and a second to finish; then
            // its process group is terminated, so the close reply is not held up.
            upstream.finishTimeout = .seconds(1)
            let relay = Relay(client: client, upstream: upstream, eventLoop: loop, connecting: .client, observer: observer(remote: remote, loop: loop))
            let pending = PendingRelay(relay: relay, client: client)
            let environment = Self.environment(for: request, subprotocol: localSubprotocol)
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
                    pending.detail = "pid \(child.pid)"
                    accept(pending, localSubprotocol, true)
                } catch {
                    failed(.badGateway, "cannot start \(target): \(UserFacingError.describe(error))")
                }
            }
        }
        return decision.futureResult
    }

    /// The upstream request for a client's: its subprotocols (those --subprotocol allows,
    /// when given), permessage-deflate offered when the client offered it, the forwarded
    /// and added headers, X-Forwarded-For and this proxy's Via marker.
    func upstreamConfiguration(for request: UpgradeRequest) -> WebSocketClientConfiguration {
        var configuration = client
        let allowed = settings.configuration.subprotocols
        configuration.subprotocols = request.offeredSubprotocols.filter { allowed.isEmpty || allowed.contains($0) }
        if !request.offersCompression || settings.configuration.compression == nil { configuration.compression = nil }
        configuration.autoReplyPolicy = .relay
        configuration.pausesReadingWhileUnwritable = false
        configuration.limits.deliversFragments = true
        let headers = request.head.headers
        for name in forwarding.forwardedHeaders {
            if name.lowercased() == "origin" {
                configuration.origin = headers.first(name: "origin")
                continue
            }
            for value in headers[name] { configuration.headers.append((name, value)) }
        }
        configuration.headers.append(contentsOf: forwarding.addedHeaders)
        let clientHost = (try? HostPort(parsing: request.remoteAddress))?.host ?? request.remoteAddress
        let forwardedFor = headers["x-forwarded-for"] + [clientHost]
        configuration.headers.append(("X-Forwarded-For", forwardedFor.joined(separator: ", ")))
        // Via lists every proxy the request passed (RFC 9110 §7.6.3), so a loop through
        // several proxies comes back to one that sees its own marker.
        let via = headers["via"] + ["1.1 " + forwarding.viaMarker]
        configuration.headers.append(("Via", via.joined(separator: ", ")))
        return configuration
    }

    /// 1000 for a program that exited with 0, else 1011 with its status.
    static func outcome(exitStatus status: Int32) -> CloseOutcome {
        status == 0
            ? CloseOutcome(code: .normalClosure, reason: "", wasClean: true, initiatedByPeer: true)
            : CloseOutcome(code: .internalError, reason: "program exited with status \(status)", wasClean: true, initiatedByPeer: true)
    }

    /// The program's environment: the proxy's, plus the CGI/websocketd names (REMOTE_ADDR
    /// without the port, REMOTE_PORT, REQUEST_URI, WEBSOCKET_SUBPROTOCOL).
    static func environment(for request: UpgradeRequest, subprotocol: String?) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if let endpoint = try? HostPort(parsing: request.remoteAddress) {
            environment["REMOTE_ADDR"] = endpoint.host
            environment["REMOTE_PORT"] = endpoint.port.map(String.init) ?? ""
        } else {
            environment["REMOTE_ADDR"] = request.remoteAddress
        }
        environment["REQUEST_URI"] = request.head.uri
        environment["WEBSOCKET_SUBPROTOCOL"] = subprotocol ?? ""
        return environment
    }

    /// Whether the client's hop may negotiate permessage-deflate: when compression was
    /// offered upstream, only if the upstream accepted it; when it was not
    /// (--no-upstream-compression, or the client did not offer it), the client's hop
    /// decides on its own.
    static func clientMayCompress(upstream: SessionInfo, offeredUpstream: Bool) -> Bool {
        !offeredUpstream || upstream.isCompressed
    }
}
