import HTTPTypes
import NIOCore
import NIOHTTP1
import WSKCompression
import WSKCore

/// What the application wants done with an HTTP request.
public enum HTTPRouteResponse: Sendable {
    /// Reply with this status, content type and body, then keep the connection open.
    case respond(status: HTTPResponseStatus, contentType: String, body: String)
}

/// The application's hooks for the server: session creation and plain HTTP routes.
public protocol WebSocketServerApplication: WebSocketSessionDelegate {
    /// Answers a request that is not a WebSocket upgrade (a page, metrics); `nil` for 404.
    func respond(toHTTPRequest head: HTTPRequestHead, channel: Channel) -> EventLoopFuture<HTTPRouteResponse?>
    /// Called when an upgrade is refused (for logging).
    func upgradeRefused(remoteAddress: String, path: String, status: Int, reason: String)
}

/// The first handler on a new server connection: reads the HTTP/1 request (parsed by
/// NIOHTTP1), runs the pre-upgrade checks and the RFC 6455 §4.2 handshake, then replaces
/// the HTTP handlers with a ``WebSocketSession``.
final class ServerUpgradeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let configuration: WebSocketServerConfiguration
    let application: WebSocketServerApplication
    let registry: SessionRegistry

    var admission: ServerAdmission { ServerAdmission(configuration: configuration, application: application, registry: registry) }
    var head: HTTPRequestHead?
    var upgrading = false
    var timeoutTask: Scheduled<Void>?

    init(configuration: WebSocketServerConfiguration, application: WebSocketServerApplication, registry: SessionRegistry) {
        self.configuration = configuration
        self.application = application
        self.registry = registry
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Slow or silent clients are dropped: a half-open handshake holds no resources past this.
        let channel = context.channel
        let application = self.application
        let timeout = configuration.handshakeTimeout
        timeoutTask = context.eventLoop.scheduleTask(in: timeout) {
            // Logged and counted like any refused upgrade (no response: the client sent no
            // complete request to answer).
            let remote = channel.remoteAddress.map(Self.describe) ?? "?"
            application.upgradeRefused(remoteAddress: remote, path: "", status: 0, reason: "no upgrade request within \(Double(timeout.nanoseconds) / 1e9) s (handshake timeout)")
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeoutTask?.cancel()
        releaseReservation()
    }

    /// Whether this connection holds a place under --max-connections (see
    /// ``SessionRegistry/reserve(limit:)``), until its session is added or it goes away.
    var holdsReservation = false

    func releaseReservation() {
        if holdsReservation {
            holdsReservation = false
            registry.release()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !upgrading else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break  // upgrade requests have no body; page requests ignore theirs
        case .end:
            guard let head else { return }
            self.head = nil
            handle(head, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is HTTPParserError {
            respond(context: context, status: .badRequest, body: "malformed HTTP request\n", close: true)
        } else {
            context.close(promise: nil)
        }
    }

    var remoteAddress: String = "?"

    func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        remoteAddress = context.channel.remoteAddress.map(Self.describe) ?? "?"
        let isUpgrade = head.headers[canonicalForm: "upgrade"].contains { $0.lowercased() == "websocket" }
        guard isUpgrade else {
            serveHTTP(head, context: context)
            return
        }
        if let refusal = admission.precheck(head) {
            refuse(context: context, head: head, status: refusal.status, reason: refusal.reason)
            return
        }
        releaseReservation()  // a second request on a kept-alive connection
        holdsReservation = registry.reserve(limit: configuration.maxConnections)
        guard holdsReservation else {
            refuse(context: context, head: head, status: .serviceUnavailable, reason: "connection limit \(configuration.maxConnections) reached")
            return
        }
        let fields = HTTPFields(head.headers)
        let handshake: ServerHandshake
        do {
            handshake = try ServerHandshake(
                method: HTTPRequest.Method(head.method.rawValue) ?? .get,
                httpVersion: (Int(head.version.major), Int(head.version.minor)),
                headerFields: fields
            )
        } catch {
            let response = ServerHandshake.rejectionResponse(for: error)
            refuse(
                context: context,
                head: head,
                status: HTTPResponseStatus(statusCode: response.status.code),
                reason: error.description,
                extraHeaders: HTTPHeaders(response.headerFields)
            )
            return
        }
        guard let prepare = configuration.prepareUpgrade else {
            upgrade(handshake, head: head, context: context)
            return
        }
        let request = admission.upgradeRequest(handshake, head: head, remoteAddress: remoteAddress)
        // The request is complete (the handshake timeout is over: the application bounds
        // its own wait). Nothing more is read until the answer, so a client that sends
        // before the 101 cannot grow the HTTP decoder's buffer.
        upgrading = true
        timeoutTask?.cancel()
        let channel = context.channel
        channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        prepare(request, context.eventLoop).hop(to: context.eventLoop).assumeIsolated().whenComplete { [self] result in
            channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
            guard let decision = ServerAdmission.decision(result, channelIsActive: channel.isActive) else { return }
            switch decision {
            case .accept(let subprotocol, let compression, let prepared):
                upgrade(handshake, head: head, context: context, subprotocol: .some(subprotocol), compression: compression, prepared: prepared)
            case .refuse(let status, let reason):
                refuse(context: context, head: head, status: status, reason: reason)
            }
        }
    }

    /// Answers 101 and starts the session. `subprotocol` overrides the selection from
    /// ``WebSocketServerConfiguration/subprotocols`` when given (`.some(nil)`: none).
    func upgrade(
        _ handshake: ServerHandshake,
        head: HTTPRequestHead,
        context: ChannelHandlerContext,
        subprotocol chosen: String?? = nil,
        compression: Bool = true,
        prepared: (any PreparedUpgrade)? = nil
    ) {
        let acceptance: ServerAdmission.Acceptance
        do {
            acceptance = try admission.accept(handshake, subprotocol: chosen, compression: compression)
        } catch {
            prepared?.abandon()
            refuse(context: context, head: head, status: .internalServerError, reason: error.description)
            return
        }
        upgrading = true
        timeoutTask?.cancel()
        let (subprotocol, acceptedExtensions, extensions, response) = (acceptance.subprotocol, acceptance.accepted, acceptance.running, acceptance.response)
        var info = SessionInfo(
            remoteAddress: remoteAddress, path: head.uri, subprotocol: subprotocol, extensions: acceptedExtensions, prepared: prepared)
        if configuration.recordsHandshake {
            info.handshake = HandshakeText(
                request: "\(head.method.rawValue) \(head.uri) HTTP/\(head.version.major).\(head.version.minor)\r\n"
                    + head.headers.map { "\($0.name): \($0.value)\r\n" }.joined(),
                response: "HTTP/1.1 101 Switching Protocols\r\n" + response.headerFields.map { "\($0.name): \($0.value)\r\n" }.joined()
            )
        }
        let session = admission.makeSession(info: info, extensions: extensions, eventLoop: context.eventLoop, reserved: holdsReservation)
        holdsReservation = false
        let pipeline = context.pipeline
        let sync = pipeline.syncOperations
        do {
            try sync.addHandler(session, position: .after(self))
        } catch {
            registry.remove(session)
            prepared?.abandon()
            context.close(promise: nil)
            return
        }
        let responseHead = HTTPResponseHead(version: .http1_1, status: .switchingProtocols, headers: HTTPHeaders(response.headerFields))
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)

        // Swap the HTTP handlers for the session. The decoder goes last: on removal it
        // forwards the bytes that followed the request (frames sent without waiting for the
        // 101) to the next handler, which is then the session.
        sync.removeHandler(name: HTTPHandlerName.encoder, promise: nil)
        sync.removeHandler(context: context, promise: nil)
        let decoderRemoved = context.eventLoop.makePromise(of: Void.self)
        decoderRemoved.futureResult.whenComplete { _ in session.releaseWrites() }
        sync.removeHandler(name: HTTPHandlerName.decoder, promise: decoderRemoved)
    }

    func refuse(
        context: ChannelHandlerContext,
        head: HTTPRequestHead,
        status: HTTPResponseStatus,
        reason: String,
        extraHeaders: HTTPHeaders = [:]
    ) {
        releaseReservation()
        application.upgradeRefused(remoteAddress: remoteAddress, path: head.uri, status: Int(status.code), reason: reason)
        respond(context: context, status: status, body: reason + "\n", close: true, extraHeaders: extraHeaders)
    }

    func serveHTTP(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = head.isKeepAlive
        application.respond(toHTTPRequest: head, channel: context.channel).hop(to: context.eventLoop).assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(.some(.respond(let status, let contentType, let body))):
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: contentType)
                respond(context: context, status: status, body: body, close: !keepAlive, extraHeaders: headers)
            case .success(.none):
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
                respond(context: context, status: .notFound, body: "not found; WebSocket clients: send an upgrade request\n", close: !keepAlive, extraHeaders: headers)
            case .failure:
                respond(context: context, status: .internalServerError, body: "internal error\n", close: true)
            }
        }
    }

    func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, body: String, close: Bool, extraHeaders: HTTPHeaders = [:]) {
        var headers = extraHeaders
        if !headers.contains(name: "content-type") {
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        }
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        headers.add(name: "Content-Length", value: String(buffer.readableBytes))
        if close { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if close {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    static func describe(_ address: SocketAddress) -> String {
        switch address {
        case .v6:
            return "[\(address.ipAddress ?? "?")]:\(address.port ?? 0)"
        default:
            return "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        }
    }
}
