// serve-echo on the wire: accepts TCP (or TLS) connections, reads the HTTP/1 upgrade
// request, answers 101 with the negotiated subprotocol and permessage-deflate, then echoes
// every message (or fans it out to all clients / the sender's topic). Plain GETs get the
// browser console (/) or Prometheus metrics (/metrics). SIGINT/SIGTERM close all with 1001.
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import WSKCore
import WSKNIO

/// Runs `wsk serve-echo`.
final class EchoServer: WebSocketServerApplication, @unchecked Sendable {
    enum Mode: String, Sendable {
        case echo, broadcast, pubsub
    }

    let settings: ServerSettings
    let mode: Mode
    let excludeSender: Bool
    let metrics = ServerMetrics()
    /// Sessions by topic (pub/sub); guarded by its lock, touched on open and close only.
    let topics = NIOLockedValueBox<[String: [ObjectIdentifier: WebSocketSession]]>([:])
    var registry: SessionRegistry?

    init(settings: ServerSettings, mode: Mode, excludeSender: Bool) {
        self.settings = settings
        self.mode = mode
        self.excludeSender = excludeSender
    }

    func run() async throws {
        try await ServerRunner.serve(settings, application: self, prepare: { [metrics] group in
            metrics.prepare(for: group)
        }, started: { [self] server, address in
            registry = server.registry
            settings.log.log("listening", ["address": .string(address), "mode": .string(mode.rawValue), "tls": .bool(settings.configuration.tls != nil)])
        })
    }

    // MARK: - WebSocketSessionDelegate

    func sessionDidOpen(_ session: WebSocketSession) {
        metrics.on(session.eventLoop) { counters in
            counters.accepted += 1
            if session.info.shape == .extendedConnect { counters.acceptedHTTP2 += 1 }
        }
        if mode == .pubsub {
            let topic = Self.topic(forPath: session.info.path)
            session.userData = topic
            topics.withLockedValue { $0[topic, default: [:]][ObjectIdentifier(session)] = session }
        }
        let info = session.info
        settings.log.log("open", [
            "remote": .string(info.remoteAddress),
            "path": .string(info.path),
            "http": .string(info.shape.httpVersion),
            "subprotocol": info.subprotocol.map { .string($0) } ?? .null,
            "extensions": .string(info.extensions.map(\.description).joined(separator: ", ")),
        ])
    }

    func session(_ session: WebSocketSession, didReceive event: ConnectionEvent) {
        switch event {
        case .message(let message):
            received(message, on: session)
        case .ping(let payload):
            if settings.verbose { settings.log.log("ping", ["remote": .string(session.info.remoteAddress), "bytes": .int(payload.readableBytes)]) }
        case .pong(let payload):
            if settings.verbose { settings.log.log("pong", ["remote": .string(session.info.remoteAddress), "bytes": .int(payload.readableBytes)]) }
        case .closeReceived(let close):
            if settings.verbose { settings.log.log("close-frame", ["remote": .string(session.info.remoteAddress), "code": .int(Int(close.effectiveCode.rawValue))]) }
        case .failed(let violation):
            settings.log.log("violation", [
                "remote": .string(session.info.remoteAddress),
                "reason": .string(violation.reason.description),
                "rule": .string(violation.reason.rfcSection),
                "code": .int(Int(violation.closeCode.rawValue)),
                "offset": .int(violation.streamOffset),
            ])
        case .closed:
            break  // reported through sessionDidClose
        }
    }

    func received(_ message: Message, on session: WebSocketSession) {
        metrics.on(session.eventLoop) { counters in
            if message.opcode == .text {
                counters.textReceived += 1
            } else {
                counters.binaryReceived += 1
            }
            counters.bytesReceived += message.data.readableBytes
        }
        if settings.verbose {
            settings.log.log("message", [
                "remote": .string(session.info.remoteAddress),
                "type": .string(message.opcode.name),
                "bytes": .int(message.data.readableBytes),
                "preview": .string(MessagePreview.text(message)),
            ])
        }
        switch mode {
        case .echo:
            // Already on the session's loop: no hop to check for.
            session.send(message)
            metrics.countSent(message, on: session.eventLoop)
        case .broadcast:
            for target in registry?.all ?? [] where !(excludeSender && target === session) {
                send(message, to: target)
            }
        case .pubsub:
            let topic = session.userData ?? ""
            let subscribers = topics.withLockedValue { Array(($0[topic] ?? [:]).values) }
            for target in subscribers where !(excludeSender && target === session) {
                send(message, to: target)
            }
        }
    }

    func send(_ message: Message, to target: WebSocketSession) {
        let metrics = self.metrics
        if target.eventLoop.inEventLoop {
            target.send(message)
            metrics.countSent(message, on: target.eventLoop)
        } else {
            target.eventLoop.execute {
                target.send(message)
                metrics.countSent(message, on: target.eventLoop)
            }
        }
    }

    func sessionDidClose(_ session: WebSocketSession, outcome: CloseOutcome) {
        metrics.on(session.eventLoop) { $0.closesByCode[outcome.code.rawValue, default: 0] += 1 }
        if mode == .pubsub, let topic = session.userData {
            topics.withLockedValue { topics in
                topics[topic]?.removeValue(forKey: ObjectIdentifier(session))
                if topics[topic]?.isEmpty ?? false { topics.removeValue(forKey: topic) }
            }
        }
        let counters = session.counters
        let seconds = Double((NIODeadline.now() - session.openedAt).nanoseconds) / 1e9
        settings.log.log("close", [
            "remote": .string(session.info.remoteAddress),
            "code": .int(Int(outcome.code.rawValue)),
            "reason": .string(outcome.reason),
            "clean": .bool(outcome.wasClean),
            "duration": .double(seconds),
            "received": .int(counters.textMessagesReceived + counters.binaryMessagesReceived),
            "sent": .int(counters.textMessagesSent + counters.binaryMessagesSent),
        ])
    }

    // MARK: - HTTP

    func respond(toHTTPRequest head: HTTPRequestHead, channel: Channel) -> EventLoopFuture<HTTPRouteResponse?> {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        if settings.verbose {
            settings.log.log("request", [
                "remote": .string(channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"),
                "method": .string(head.method.rawValue),
                "path": .string(head.uri),
                "http": .string(head.version.major == 2 ? "HTTP/2" : "HTTP/\(head.version.major).\(head.version.minor)"),
            ])
        }
        guard head.method == .GET || head.method == .HEAD else {
            return channel.eventLoop.makeSucceededFuture(.respond(status: .methodNotAllowed, contentType: "text/plain; charset=utf-8", body: "only GET\n"))
        }
        switch path {
        case "/":
            return channel.eventLoop.makeSucceededFuture(.respond(status: .ok, contentType: "text/html; charset=utf-8", body: ConsolePage.html))
        case "/metrics":
            let active = registry?.count ?? 0
            let refused = metrics.refused.withLockedValue { $0 }
            return metrics.snapshot(on: channel.eventLoop).map { totals in
                .respond(
                    status: .ok,
                    contentType: "text/plain; version=0.0.4; charset=utf-8",
                    body: totals.prometheus(active: active, refused: refused)
                )
            }
        default:
            return channel.eventLoop.makeSucceededFuture(nil)
        }
    }

    func upgradeRefused(remoteAddress: String, path: String, status: Int, reason: String) {
        metrics.refused.withLockedValue { $0 += 1 }
        settings.log.log("refused", ["remote": .string(remoteAddress), "path": .string(path), "status": .int(status), "reason": .string(reason)])
    }

    // MARK: - Helpers

    /// The pub/sub topic for a request target: the path without its leading slash and query.
    static func topic(forPath path: String) -> String {
        let withoutQuery = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(withoutQuery.drop { $0 == "/" })
    }
}
