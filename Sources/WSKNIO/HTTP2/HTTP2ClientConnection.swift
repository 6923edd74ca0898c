import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOHPACK
import NIOHTTP1
import NIOHTTP2
import WSKCore

/// An HTTP/2 connection a client opens WebSocket streams on (RFC 8441): one
/// ``WebSocketClient/connect(to:configuration:group:delegate:timings:)`` with `--http2`
/// opens one stream on it; `wsk bench --streams-per-connection` opens many.
public final class HTTP2ClientConnection: Sendable {
    /// The TCP (or TLS) connection.
    public let channel: Channel
    /// Whether the server's SETTINGS allow extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL
    /// = 1, RFC 8441 §3); without it a client must not send `:protocol`.
    public let allowsWebSockets: Bool
    let multiplexer: NIOHTTP2Handler.StreamMultiplexer
    let url: WebSocketURL

    init(channel: Channel, allowsWebSockets: Bool, multiplexer: NIOHTTP2Handler.StreamMultiplexer, url: WebSocketURL) {
        self.channel = channel
        self.allowsWebSockets = allowsWebSockets
        self.multiplexer = multiplexer
        self.url = url
    }

    /// Speaks HTTP/2 on `channel` (after TLS, if any) and waits for the server's first
    /// SETTINGS, which say whether WebSockets may be opened. The HTTP/2 handlers go at the
    /// end of the pipeline; `hold` (what arrived before them) is then removed, passing its
    /// bytes on.
    static func start(on channel: Channel, url: WebSocketURL, releasing hold: InboundHold?) async throws -> HTTP2ClientConnection {
        let settings = channel.eventLoop.makePromise(of: Bool.self)
        let multiplexer = try await channel.eventLoop.submit {
            let (connection, stream) = HTTP2ServerPipeline.configurations(settings: [
                HTTP2Setting(parameter: .maxConcurrentStreams, value: HTTP2ServerPipeline.maxConcurrentStreams),
                HTTP2Setting(parameter: .maxHeaderListSize, value: 16_384),
            ])
            let sync = channel.pipeline.syncOperations
            let multiplexer = try sync.configureHTTP2Pipeline(
                mode: .client, connectionConfiguration: connection, streamConfiguration: stream
            ) { stream in
                // Servers do not open streams towards a WebSocket client (no push): refuse.
                stream.close()
            }
            try sync.addHandler(HTTP2SettingsWatcher(promise: settings))
            if let hold { sync.removeHandler(hold, promise: nil) }
            return multiplexer
        }.get()
        channel.closeFuture.whenComplete { _ in
            settings.fail(WebSocketClientError.connectionFailed("the server closed the connection before its HTTP/2 SETTINGS; it may speak only HTTP/1.1 (drop --http2)"))
        }
        let allows = try await settings.futureResult.get()
        return HTTP2ClientConnection(channel: channel, allowsWebSockets: allows, multiplexer: multiplexer, url: url)
    }

    /// Opens a WebSocket on a new stream with the connection's URL and `configuration`'s
    /// subprotocols, headers and permessage-deflate offer.
    public func openWebSocket(configuration: WebSocketClientConfiguration, delegate: WebSocketSessionDelegate) async throws -> WebSocketClientConnection {
        try await openWebSocket(handshake: WebSocketClient.makeHandshake(url: url, configuration: configuration), configuration: configuration, delegate: delegate)
    }

    /// Whether the connection is still open.
    public var isActive: Bool { channel.isActive }

    /// Closes the connection (and every stream on it).
    public func close() {
        channel.close(promise: nil)
    }

    /// Opens a WebSocket on a new stream: the extended CONNECT for `handshake`, validated as
    /// RFC 8441 §5 says, then a session on the stream. With `closesConnection` the whole
    /// connection closes when that stream does (a connection that carries one WebSocket).
    public func openWebSocket(
        handshake: ClientHandshake,
        configuration: WebSocketClientConfiguration,
        delegate: WebSocketSessionDelegate,
        closesConnection: Bool = false
    ) async throws -> WebSocketClientConnection {
        let promise = channel.eventLoop.makePromise(of: WebSocketClientConnection.self)
        let remote = channel.remoteAddress.map(ServerUpgradeHandler.describe) ?? "?"
        let multiplexer = self.multiplexer
        let parent = channel
        channel.eventLoop.execute {
            multiplexer.createStreamChannel { stream in
                if closesConnection {
                    stream.closeFuture.whenComplete { _ in parent.close(promise: nil) }
                }
                return stream.eventLoop.makeCompletedFuture {
                    try stream.pipeline.syncOperations.addHandler(
                        HTTP2ClientStreamHandler(handshake: handshake, configuration: configuration, delegate: delegate, remoteAddress: remote, promise: promise))
                }
            }.whenFailure { error in
                promise.fail(WebSocketClientError.connectionFailed("cannot open an HTTP/2 stream to \(handshake.target.authority): \(WebSocketClient.describe(error))"))
            }
        }
        return try await promise.futureResult.get()
    }
}

/// Watches the connection's frames for the server's first SETTINGS.
final class HTTP2SettingsWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame

    let promise: EventLoopPromise<Bool>

    init(promise: EventLoopPromise<Bool>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if case .settings(.settings(let settings)) = frame.payload {
            let enabled = settings.contains { $0.parameter == .enableConnectProtocol && $0.value == 1 }
            promise.succeed(enabled)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Before the server's SETTINGS, any error means it did not answer in HTTP/2 (an
        // HTTP/1.1 server answers the preface with a 400, which is no HTTP/2 frame).
        let peer = context.channel.remoteAddress.map(ServerUpgradeHandler.describe) ?? "the server"
        promise.fail(WebSocketClientError.connectionFailed("\(peer) did not answer in HTTP/2; it may speak only HTTP/1.1 (drop --http2)"))
        context.fireErrorCaught(error)
    }
}

/// Sends one extended CONNECT on its stream, checks the answer and swaps itself for a
/// ``HTTP2StreamBytes`` and a client ``WebSocketSession``.
final class HTTP2ClientStreamHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    let handshake: ClientHandshake
    let configuration: WebSocketClientConfiguration
    let delegate: WebSocketSessionDelegate
    let remoteAddress: String
    let promise: EventLoopPromise<WebSocketClientConnection>
    var requestText = ""
    /// A refusal's status and fields, while its body arrives.
    var refusal: (status: Int, fields: HTTPFields)?
    var body = ByteBuffer()
    var done = false

    init(
        handshake: ClientHandshake, configuration: WebSocketClientConfiguration, delegate: WebSocketSessionDelegate, remoteAddress: String,
        promise: EventLoopPromise<WebSocketClientConnection>
    ) {
        self.handshake = handshake
        self.configuration = configuration
        self.delegate = delegate
        self.remoteAddress = remoteAddress
        self.promise = promise
    }

    func handlerAdded(context: ChannelHandlerContext) {
        var request = handshake.extendedConnectRequest
        if request.headerFields[.userAgent] == nil { request.headerFields[.userAgent] = "wsk" }
        requestText = request.http2Text
        context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: HPACKHeaders(request)))), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        switch unwrapInboundIn(data) {
        case .headers(let headers):
            guard refusal == nil else {
                if headers.endStream { refuse(context: context) }
                return
            }
            guard let response = headers.headers.httpResponse else {
                fail(context: context, "the server's HTTP/2 response has no valid :status")
                return
            }
            if (100..<200).contains(response.status) { return }  // interim
            if (200..<300).contains(response.status) {
                accept(response.status, response.fields, context: context)
            } else {
                refusal = response
                if headers.endStream { refuse(context: context) }
            }
        case .data(let data):
            if case .byteBuffer(var bytes) = data.data, body.readableBytes < 2048 {
                if let slice = bytes.readSlice(length: min(bytes.readableBytes, 2048 - body.readableBytes)) {
                    var slice = slice
                    body.writeBuffer(&slice)
                }
            }
            if data.endStream { refuse(context: context) }
        case .rstStream(let code):
            fail(context: context, "the server reset the HTTP/2 stream (\(code))")
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if refusal != nil { refuse(context: context) }
        fail(context: context, "the HTTP/2 stream closed before the server answered")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(context: context, WebSocketClient.describe(error))
    }

    func fail(context: ChannelHandlerContext, _ reason: String) {
        guard !done else { return }
        done = true
        promise.fail(WebSocketClientError.connectionFailed("cannot open a WebSocket on HTTP/2 to \(handshake.target.authority): \(reason)"))
        context.close(promise: nil)
    }

    func responseText(_ status: Int, _ fields: HTTPFields) -> String {
        fields.http2ResponseText(status: status)
    }

    func refuse(context: ChannelHandlerContext, failure: String = "") {
        guard !done, let refusal else { return }
        done = true
        promise.fail(
            WebSocketClientError.handshakeRefused(
                status: refusal.status,
                reason: HTTPResponseStatus(statusCode: refusal.status).reasonPhrase,
                head: responseText(refusal.status, refusal.fields),
                bodyStart: String(decoding: body.readableBytesView, as: UTF8.self),
                failure: failure
            ))
        context.close(promise: nil)
    }

    func accept(_ status: Int, _ fields: HTTPFields, context: ChannelHandlerContext) {
        let session: WebSocketSession
        do {
            let outcome = try handshake.validateResponse(status: status, headerFields: fields, shape: .extendedConnect)
            var info = SessionInfo(remoteAddress: remoteAddress, path: handshake.target.path, subprotocol: outcome.subprotocol, extensions: outcome.extensions)
            info.shape = .extendedConnect
            session = try ClientUpgradeHandler.makeSession(outcome: outcome, configuration: configuration, delegate: delegate, eventLoop: context.eventLoop, info: info)
        } catch {
            // A HandshakeFailure or an unusable permessage-deflate answer, each one sentence.
            refusal = (status, fields)
            refuse(context: context, failure: "\(error)")
            return
        }
        done = true
        let sync = context.pipeline.syncOperations
        do {
            try HTTP2StreamBytes.install(session, after: self, in: sync, closeTimeout: configuration.closeTimeout)
        } catch {
            promise.fail(WebSocketClientError.connectionFailed("cannot start the WebSocket session: \(WebSocketClient.describe(error))"))
            context.close(promise: nil)
            return
        }
        sync.removeHandler(context: context, promise: nil)
        session.releaseWrites()
        promise.succeed(WebSocketClientConnection(session: session, requestHead: requestText, responseHead: responseText(status, fields)))
    }
}
