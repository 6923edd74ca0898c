import HTTPTypes
import NIOCore
import NIOHPACK
import NIOHTTP1
import NIOHTTP2
import WSKCore

/// The first handler on each stream a client opens on an HTTP/2 connection: an extended
/// CONNECT with `:protocol websocket` (RFC 8441) becomes a ``WebSocketSession`` on that
/// stream, after the same checks as an HTTP/1.1 upgrade (``ServerAdmission``); any other
/// request gets the application's page. A refused stream gets its status and is reset;
/// its neighbours on the connection go on.
final class HTTP2ServerStreamHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    let admission: ServerAdmission
    var configuration: WebSocketServerConfiguration { admission.configuration }
    /// A plain request waiting for its END_STREAM.
    var pageRequest: HTTPRequest?
    /// Whether the request was answered (or is being prepared): later frames are ignored,
    /// or, for a WebSocket whose upgrade is being prepared, kept for the session.
    var answered = false
    /// DATA that arrived while the application prepared the upgrade (bounded by the stream's
    /// flow-control window: nothing more is read meanwhile).
    var early: [HTTP2Frame.FramePayload] = []
    var holdsReservation = false
    var remoteAddress = "?"

    init(admission: ServerAdmission) {
        self.admission = admission
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        releaseReservation()
    }

    func releaseReservation() {
        if holdsReservation {
            holdsReservation = false
            admission.registry.release()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = unwrapInboundIn(data)
        if answered {
            early.append(payload)
            return
        }
        switch payload {
        case .headers(let headers):
            guard pageRequest == nil else {
                if headers.endStream { servePage(context: context) }  // trailers
                return
            }
            remoteAddress = (context.channel.parent?.remoteAddress ?? context.channel.remoteAddress).map(ServerUpgradeHandler.describe) ?? "?"
            guard let request = headers.headers.httpRequest else {
                resetStream(context: context, code: .protocolError)
                return
            }
            if request.method == .connect {
                answered = true
                handleConnect(request, context: context)
            } else {
                pageRequest = request
                if headers.endStream { servePage(context: context) }
            }
        case .data(let data):
            if data.endStream, pageRequest != nil { servePage(context: context) }
        default:
            break
        }
    }

    // MARK: - WebSocket streams

    func handleConnect(_ request: HTTPRequest, context: ChannelHandlerContext) {
        let head = request.http2RequestHead
        // A CONNECT without :protocol, or with another one, is not ours: 501 before the
        // application's checks, which are about WebSocket clients.
        if request.extendedConnectProtocol.map({ $0.lowercased() != "websocket" }) ?? true {
            reject(request, head: head, context: context)
            return
        }
        if let refusal = admission.precheck(head) {
            refuse(context: context, head: head, status: Int(refusal.status.code), reason: refusal.reason)
            return
        }
        holdsReservation = admission.registry.reserve(limit: configuration.maxConnections)
        guard holdsReservation else {
            refuse(context: context, head: head, status: 503, reason: "connection limit \(configuration.maxConnections) reached")
            return
        }
        guard let handshake = reject(request, head: head, context: context) else { return }
        guard let prepare = configuration.prepareUpgrade else {
            accept(handshake, request: request, context: context)
            return
        }
        let channel = context.channel
        channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        let upgradeRequest = admission.upgradeRequest(handshake, head: head, remoteAddress: remoteAddress)
        prepare(upgradeRequest, context.eventLoop).hop(to: context.eventLoop).assumeIsolated().whenComplete { [self] result in
            // A stream channel, unlike a socket, does not read again when autoRead comes
            // back on: ask for the read (after the decision, through whatever handles the
            // stream by then).
            channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
            defer { channel.read() }
            guard let decision = ServerAdmission.decision(result, channelIsActive: channel.isActive) else { return }
            switch decision {
            case .accept(let subprotocol, let compression, let prepared):
                accept(handshake, request: request, context: context, subprotocol: .some(subprotocol), compression: compression, prepared: prepared)
            case .refuse(let status, let reason):
                refuse(context: context, head: head, status: Int(status.code), reason: reason)
            }
        }
    }

    /// Validates the request (RFC 8441); on failure answers with the failure's status and
    /// resets the stream, and returns `nil`.
    @discardableResult
    func reject(_ request: HTTPRequest, head: HTTPRequestHead, context: ChannelHandlerContext) -> ServerHandshake? {
        do {
            return try ServerHandshake(extendedConnect: request)
        } catch {
            let response = ServerHandshake.rejectionResponse(for: error, shape: .extendedConnect)
            refuse(context: context, head: head, status: response.status.code, reason: error.description, extraFields: response.headerFields)
            return nil
        }
    }

    /// Answers 200 and starts the session on this stream.
    func accept(
        _ handshake: ServerHandshake,
        request: HTTPRequest,
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
            refuse(context: context, head: request.http2RequestHead, status: 500, reason: error.description)
            return
        }
        let response = acceptance.response
        var info = SessionInfo(
            remoteAddress: remoteAddress, path: request.path ?? "/", subprotocol: acceptance.subprotocol, extensions: acceptance.accepted, prepared: prepared)
        info.shape = .extendedConnect
        if configuration.recordsHandshake {
            info.handshake = HandshakeText(request: request.http2Text, response: response.headerFields.http2ResponseText(status: response.status.code))
        }
        let session = admission.makeSession(info: info, extensions: acceptance.running, eventLoop: context.eventLoop, reserved: holdsReservation)
        holdsReservation = false
        let sync = context.pipeline.syncOperations
        do {
            try HTTP2StreamBytes.install(session, after: self, in: sync, closeTimeout: configuration.closeTimeout)
        } catch {
            admission.registry.remove(session)
            prepared?.abandon()
            context.close(promise: nil)
            return
        }
        let headers = HPACKHeaders(status: response.status.code, fields: response.headerFields)
        context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
        // The response is out: the session writes after it. DATA that came while the
        // application prepared the upgrade goes to the session, then this handler leaves.
        session.releaseWrites()
        let waiting = early
        early = []
        for payload in waiting {
            context.fireChannelRead(wrapInboundOut(payload))
        }
        if !waiting.isEmpty { context.fireChannelReadComplete() }
        sync.removeHandler(context: context, promise: nil)
    }

    func refuse(context: ChannelHandlerContext, head: HTTPRequestHead, status: Int, reason: String, extraFields: HTTPFields = [:]) {
        releaseReservation()
        admission.application.upgradeRefused(remoteAddress: remoteAddress, path: head.uri, status: status, reason: reason)
        respond(context: context, status: status, contentType: "text/plain; charset=utf-8", body: reason + "\n", extraFields: extraFields, reset: true)
    }

    // MARK: - Pages

    func servePage(context: ChannelHandlerContext) {
        guard let request = pageRequest else { return }
        pageRequest = nil
        answered = true
        let head = request.http2RequestHead
        admission.application.respond(toHTTPRequest: head, channel: context.channel).hop(to: context.eventLoop).assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(.some(.respond(let status, let contentType, let body))):
                respond(context: context, status: Int(status.code), contentType: contentType, body: request.method == .head ? "" : body, reset: false)
            case .success(.none):
                respond(context: context, status: 404, contentType: "text/plain; charset=utf-8", body: "not found; WebSocket clients: send an extended CONNECT\n", reset: false)
            case .failure:
                respond(context: context, status: 500, contentType: "text/plain; charset=utf-8", body: "internal error\n", reset: false)
            }
        }
    }

    /// A complete response (HEADERS, then DATA with END_STREAM). `reset` closes the stream
    /// afterwards: a refused WebSocket's client would otherwise keep its side open.
    func respond(context: ChannelHandlerContext, status: Int, contentType: String, body: String, extraFields: HTTPFields = [:], reset: Bool) {
        var fields = extraFields
        fields[.contentType] = contentType
        let buffer = context.channel.allocator.buffer(string: body)
        fields[.contentLength] = String(buffer.readableBytes)
        let headers = HPACKHeaders(status: status, fields: fields)
        context.write(wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(buffer), endStream: true))))
        if reset {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func resetStream(context: ChannelHandlerContext, code: NIOHTTP2.HTTP2ErrorCode) {
        answered = true
        context.writeAndFlush(wrapOutboundOut(.rstStream(code)), promise: nil)
        context.close(promise: nil)
    }
}
