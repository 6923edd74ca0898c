// `wsk proxy`: a WebSocket server whose every connection is relayed to an upstream: another
// WebSocket server, a TCP service, or a program run per connection (websocketd-style:
// messages are the program's stdin lines, its stdout lines are messages). Each side keeps
// its own protocol engine (pings are answered per hop, compression is negotiated per hop);
// messages and close codes are relayed. All of a connection's relaying runs on its event
// loop: the upstream connection is opened on the same loop.
import Dispatch
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

    /// Parses `ws://…`, `wss://…` or `tcp://HOST:PORT`.
    static func parse(_ text: String) throws -> ProxyTarget {
        if text.lowercased().hasPrefix("tcp://") {
            let rest = text.dropFirst(6)
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
                throw CLIError.failure("expected tcp://HOST:PORT, got '\(text)'")
            }
            var host = String(rest[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw CLIError.failure("expected tcp://HOST:PORT, got '\(text)'") }
            return .tcp(host: host, port: port)
        }
        do {
            return .webSocket(try WebSocketURL(parsing: text))
        } catch {
            throw CLIError.failure("\(error) (or tcp://HOST:PORT)")
        }
    }
}

/// One side a relay forwards client messages to. Methods run on the relay's event loop.
protocol ProxyUpstream: AnyObject {
    func send(_ message: Message)
    /// The client asked to close: end the upstream side gracefully, letting it send what it
    /// still has (WebSocket close handshake, TCP half-close, EOF on the program's stdin).
    func finish(code: CloseCode, reason: String)
    /// The client is gone: end the upstream side.
    func close(code: CloseCode, reason: String)
}

/// Runs `wsk proxy`.
final class ProxyServer: WebSocketServerApplication, @unchecked Sendable {
    let host: String
    let port: Int
    let threads: Int
    let target: ProxyTarget
    let configuration: WebSocketServerConfiguration
    let client: WebSocketClientConfiguration
    let log: EventLog
    let verbose: Bool
    let relays = NIOLockedValueBox<[ObjectIdentifier: ProxyRelay]>([:])

    init(host: String, port: Int, threads: Int, target: ProxyTarget, configuration: WebSocketServerConfiguration, client: WebSocketClientConfiguration, log: EventLog, verbose: Bool) {
        self.host = host
        self.port = port
        self.threads = threads
        self.target = target
        self.configuration = configuration
        self.client = client
        self.log = log
        self.verbose = verbose
    }

    func run() async throws {
        try await EchoServer.serve(host: host, port: port, threads: threads, configuration: configuration, application: self, log: log) { [self] _, address in
            log.log("listening", ["address": .string(address), "upstream": .string(target.description)])
        }
    }

    func relay(for session: WebSocketSession) -> ProxyRelay? {
        relays.withLockedValue { $0[ObjectIdentifier(session)] }
    }

    // MARK: - The client side (WebSocketSessionDelegate, on the session's event loop)

    func sessionDidOpen(_ session: WebSocketSession) {
        let relay = ProxyRelay(client: session, server: self)
        relays.withLockedValue { $0[ObjectIdentifier(session)] = relay }
        log.log("open", ["remote": .string(session.info.remoteAddress), "path": .string(session.info.path)])
        relay.connectUpstream()
    }

    func session(_ session: WebSocketSession, didReceive message: Message) {
        relay(for: session)?.fromClient(message)
    }

    func session(_ session: WebSocketSession, didReceiveControl opcode: Opcode, payload: ByteBuffer) {
        if opcode == .close {
            let close = (try? CloseFrame.parse(payload: payload).get()) ?? CloseFrame(code: nil)
            relay(for: session)?.clientRequestedClose(close)
        }
        if verbose && opcode != .close {
            log.log(opcode.name, ["remote": .string(session.info.remoteAddress), "from": .string("client"), "bytes": .int(payload.readableBytes)])
        }
    }

    func session(_ session: WebSocketSession, didFail violation: ProtocolViolation) {
        log.log("violation", [
            "remote": .string(session.info.remoteAddress), "from": .string("client"),
            "reason": .string(violation.reason.description), "code": .int(Int(violation.closeCode.rawValue)),
        ])
    }

    func sessionDidClose(_ session: WebSocketSession, outcome: CloseOutcome) {
        let relay = relays.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(session)) }
        relay?.clientClosed(outcome)
        log.log("close", [
            "remote": .string(session.info.remoteAddress),
            "code": .int(Int(outcome.code.rawValue)),
            "reason": .string(outcome.reason),
            "clean": .bool(outcome.wasClean),
            "to_upstream": .int(relay?.messagesToUpstream ?? 0),
            "to_client": .int(relay?.messagesToClient ?? 0),
        ])
    }

    func respond(toHTTPRequest head: HTTPRequestHead, channel: Channel) -> EventLoopFuture<HTTPRouteResponse?> {
        channel.eventLoop.makeSucceededFuture(
            .respond(status: .upgradeRequired, contentType: "text/plain; charset=utf-8", body: "wsk proxy: connect with a WebSocket client; relaying to \(target)\n"))
    }

    func upgradeRefused(remoteAddress: String, path: String, status: Int, reason: String) {
        log.log("refused", ["remote": .string(remoteAddress), "path": .string(path), "status": .int(status), "reason": .string(reason)])
    }

    func logMessage(_ message: Message, from side: String, client: WebSocketSession) {
        guard verbose else { return }
        log.log("message", [
            "remote": .string(client.info.remoteAddress),
            "from": .string(side),
            "type": .string(message.opcode.name),
            "bytes": .int(message.data.readableBytes),
            "preview": .string(EchoServer.preview(message)),
        ])
    }
}

/// One client connection and its upstream. Everything runs on the client's event loop.
final class ProxyRelay: @unchecked Sendable {
    let client: WebSocketSession
    unowned let server: ProxyServer
    var upstream: ProxyUpstream?
    /// Client messages that arrived before the upstream was connected.
    var pending: [Message] = []
    var pendingBytes = 0
    var clientOpen = true
    var upstreamOpen = true
    var messagesToUpstream = 0
    var messagesToClient = 0
    /// The client's close frame, when it started the closing handshake: the reply waits
    /// until the upstream has finished (or `closeReplyTimeout`).
    var clientClose: CloseFrame?
    var replyTimer: Scheduled<Void>?
    static let closeReplyTimeout: TimeAmount = .seconds(5)

    init(client: WebSocketSession, server: ProxyServer) {
        self.client = client
        self.server = server
    }

    var loop: EventLoop { client.eventLoop }

    func connectUpstream() {
        switch server.target {
        case .webSocket(let base):
            var url = base
            if url.path == "/" || url.path.isEmpty { url.path = client.info.path }
            let delegate = WebSocketUpstream(relay: self)
            var configuration = server.client
            // Compress upstream only when the client compresses: what the client chose.
            if !client.info.extensions.contains(where: { $0.name == "permessage-deflate" }) {
                configuration.compression = nil
            }
            // The subprotocol agreed with the client (--subprotocol) is the one offered upstream.
            configuration.subprotocols = client.info.subprotocol.map { [$0] } ?? []
            let loop = self.loop
            Task {
                do {
                    let connection = try await WebSocketClient.connect(to: url, configuration: configuration, group: loop, delegate: delegate)
                    loop.execute { self.upstreamReady(delegate, detail: connection.session.info.extensions.map(\.description).joined(separator: ", ")) }
                } catch {
                    loop.execute { self.upstreamFailed("\(error)") }
                }
            }
        case .tcp(let host, let port):
            let handler = TCPUpstream(relay: self)
            ClientBootstrap(group: loop)
                .connectTimeout(.seconds(10))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) } }
                .connect(host: host, port: port)
                .whenComplete { result in
                    switch result {
                    case .success: self.upstreamReady(handler, detail: "")
                    case .failure(let error): self.upstreamFailed("\(error)")
                    }
                }
        case .program(let command):
            do {
                let program = try ProgramUpstream(command: command, relay: self)
                upstreamReady(program, detail: "pid \(program.process.processIdentifier)")
            } catch {
                upstreamFailed("\(error)")
            }
        }
    }

    func upstreamReady(_ upstream: ProxyUpstream, detail: String) {
        self.upstream = upstream
        server.log.log("upstream", ["remote": .string(client.info.remoteAddress), "target": .string(server.target.description), "detail": .string(detail)])
        guard clientOpen else {
            upstream.close(code: .normalClosure, reason: "")
            return
        }
        for message in pending { forward(message) }
        pending = []
        pendingBytes = 0
        if let clientClose { finishUpstream(clientClose) }
    }

    func upstreamFailed(_ reason: String) {
        upstreamOpen = false
        replyTimer?.cancel()
        server.log.log("upstream-failed", ["remote": .string(client.info.remoteAddress), "target": .string(server.target.description), "reason": .string(reason)])
        // RFC 6455 §7.4.1: 1011, the server met a condition that prevented the request.
        client.close(code: .internalError, reason: "upstream unavailable")
    }

    // MARK: - Client → upstream

    func fromClient(_ message: Message) {
        guard upstreamOpen else { return }
        guard upstream != nil else {
            pending.append(message)
            pendingBytes += message.data.readableBytes
            if pendingBytes > server.configuration.maxBackpressure {
                client.close(code: .tryAgainLater, reason: "upstream not connected yet")
            }
            return
        }
        forward(message)
    }

    func forward(_ message: Message) {
        server.logMessage(message, from: "client", client: client)
        messagesToUpstream += 1
        upstream?.send(message)
    }

    /// The client sent a close frame: pass it upstream once the pending messages are out,
    /// and reply when the upstream has finished.
    func clientRequestedClose(_ close: CloseFrame) {
        clientClose = close
        replyTimer = loop.scheduleTask(in: Self.closeReplyTimeout) { [self] in
            let (code, reason) = Self.relayable(close)
            client.close(code: code, reason: reason)
        }
        if upstream != nil { finishUpstream(close) }
    }

    func finishUpstream(_ close: CloseFrame) {
        guard upstreamOpen else {
            replyTimer?.cancel()
            let (code, reason) = Self.relayable(close)
            client.close(code: code, reason: reason)
            return
        }
        let (code, reason) = Self.relayable(close)
        upstream?.finish(code: code, reason: reason)
    }

    func clientClosed(_ outcome: CloseOutcome) {
        clientOpen = false
        replyTimer?.cancel()
        guard upstreamOpen else { return }
        upstreamOpen = false
        let (code, reason) = Self.relayable(CloseFrame(code: outcome.code, reason: outcome.reason))
        upstream?.close(code: code, reason: reason)
    }

    // MARK: - Upstream → client

    func fromUpstream(_ message: Message) {
        guard clientOpen else { return }
        server.logMessage(message, from: "upstream", client: client)
        messagesToClient += 1
        client.send(message)
    }

    func upstreamClosed(_ outcome: CloseOutcome) {
        guard upstreamOpen else { return }
        upstreamOpen = false
        replyTimer?.cancel()
        guard clientOpen else { return }
        // Reply to the client's close with its own code (RFC 6455 §5.5.1), or pass on the
        // upstream's.
        let (code, reason) = Self.relayable(clientClose ?? CloseFrame(code: outcome.code, reason: outcome.reason))
        client.close(code: code, reason: reason)
    }

    /// A close that may go on the wire for one that ended the other hop: none (1005) becomes
    /// 1000; 1006 and 1015 (local only, RFC 6455 §7.4.1) become 1001 going away.
    static func relayable(_ close: CloseFrame) -> (CloseCode, String) {
        guard let code = close.code else { return (.normalClosure, "") }
        if code.mayAppearOnWire { return (code, close.reason) }
        if code == .noStatusReceived { return (.normalClosure, "") }
        return (.goingAway, "upstream connection lost")
    }
}

/// A WebSocket upstream: the client role of WSKNIO on the relay's loop.
final class WebSocketUpstream: WebSocketSessionDelegate, ProxyUpstream, @unchecked Sendable {
    weak var relay: ProxyRelay?  // the relay owns its upstream
    var session: WebSocketSession?

    init(relay: ProxyRelay) { self.relay = relay }

    func send(_ message: Message) { session?.send(message) }
    func finish(code: CloseCode, reason: String) { session?.close(code: code, reason: reason) }
    func close(code: CloseCode, reason: String) { session?.close(code: code, reason: reason) }

    func sessionDidOpen(_ session: WebSocketSession) { self.session = session }
    func session(_ session: WebSocketSession, didReceive message: Message) { relay?.fromUpstream(message) }
    func session(_ session: WebSocketSession, didFail violation: ProtocolViolation) {
        guard let relay else { return }
        relay.server.log.log("violation", [
            "remote": .string(relay.client.info.remoteAddress), "from": .string("upstream"),
            "reason": .string(violation.reason.description), "code": .int(Int(violation.closeCode.rawValue)),
        ])
    }
    func sessionDidClose(_ session: WebSocketSession, outcome: CloseOutcome) { relay?.upstreamClosed(outcome) }
}

/// A TCP upstream: client messages are written as bytes; bytes read become binary messages.
final class TCPUpstream: ChannelInboundHandler, ProxyUpstream, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    weak var relay: ProxyRelay?
    var context: ChannelHandlerContext?

    init(relay: ProxyRelay) { self.relay = relay }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func send(_ message: Message) {
        context?.writeAndFlush(wrapOutboundOut(message.data), promise: nil)
    }

    func finish(code: CloseCode, reason: String) {
        // Half-close: the service sees EOF and can still answer; its close ends the relay.
        guard let context else { return }
        let promise = context.eventLoop.makePromise(of: Void.self)
        let channel = context.channel
        promise.futureResult.whenFailure { _ in channel.close(promise: nil) }
        context.close(mode: .output, promise: promise)
    }

    func close(code: CloseCode, reason: String) {
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        relay?.fromUpstream(Message(opcode: .binary, data: unwrapInboundIn(data)))
    }

    func channelInactive(context: ChannelHandlerContext) {
        relay?.upstreamClosed(CloseOutcome(code: .normalClosure, reason: "", wasClean: true, initiatedByPeer: true))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// A program per connection (`/bin/sh -c COMMAND`): text messages are written to its stdin
/// as lines, binary messages as raw bytes; each stdout line becomes a text message. Its
/// stderr goes to the proxy's stderr. When the program exits the client is closed (1000, or
/// 1011 for a non-zero status); when the client leaves, the program's stdin is closed.
final class ProgramUpstream: ProxyUpstream, @unchecked Sendable {
    let process = Process()
    let stdin = Pipe()
    let stdout = Pipe()
    weak var relay: ProxyRelay?
    let loop: EventLoop
    var lineBuffer: [UInt8] = []  // on the relay's loop

    init(command: String, relay: ProxyRelay) throws {
        self.relay = relay
        self.loop = relay.loop
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        let info = relay.client.info
        // CGI/websocketd names: REMOTE_ADDR without the port, REMOTE_PORT.
        if let colon = info.remoteAddress.lastIndex(of: ":") {
            environment["REMOTE_ADDR"] = String(info.remoteAddress[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            environment["REMOTE_PORT"] = String(info.remoteAddress[info.remoteAddress.index(after: colon)...])
        } else {
            environment["REMOTE_ADDR"] = info.remoteAddress
        }
        environment["REQUEST_URI"] = info.path
        environment["WEBSOCKET_SUBPROTOCOL"] = info.subprotocol ?? ""
        process.environment = environment
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        let loop = relay.loop
        stdout.fileHandleForReading.readabilityHandler = { [self] handle in
            let data = handle.availableData
            loop.execute { self.received(data) }
        }
        process.terminationHandler = { [self] process in
            let status = process.terminationStatus
            loop.execute { self.exited(status) }
        }
        try process.run()
    }

    func send(_ message: Message) {
        var bytes = Array(message.data.readableBytesView)
        if message.isText { bytes.append(UInt8(ascii: "\n")) }
        let handle = stdin.fileHandleForWriting
        // A program that stopped reading makes this fail; the client is closed when it exits.
        try? handle.write(contentsOf: Data(bytes))
    }

    func finish(code: CloseCode, reason: String) {
        // EOF on stdin; the program's exit ends the relay.
        try? stdin.fileHandleForWriting.close()
    }

    func close(code: CloseCode, reason: String) {
        try? stdin.fileHandleForWriting.close()
        let process = self.process
        DispatchQueue.global().asyncAfter(deadline: .now() + 2) {
            if process.isRunning { process.terminate() }
        }
    }

    func received(_ data: Data) {
        if data.isEmpty {
            stdout.fileHandleForReading.readabilityHandler = nil
            if !lineBuffer.isEmpty {
                relay?.fromUpstream(Message(opcode: .text, data: ByteBuffer(bytes: lineBuffer)))
                lineBuffer = []
            }
            return
        }
        lineBuffer += data
        while let newline = lineBuffer.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(lineBuffer[..<newline])
            lineBuffer.removeSubrange(...newline)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            relay?.fromUpstream(Message(opcode: .text, data: ByteBuffer(string: String(decoding: line, as: UTF8.self))))
        }
    }

    func exited(_ status: Int32) {
        // Let the last output arrive before closing.
        loop.scheduleTask(in: .milliseconds(50)) { [self] in
            if !lineBuffer.isEmpty { received(Data()) }
            relay?.upstreamClosed(
                status == 0
                    ? CloseOutcome(code: .normalClosure, reason: "", wasClean: true, initiatedByPeer: true)
                    : CloseOutcome(code: .internalError, reason: "program exited with status \(status)", wasClean: true, initiatedByPeer: true))
        }
    }
}
