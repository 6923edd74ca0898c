import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import WSKCompression
import WSKCore

/// Remembers the first error that passes through the pipeline, and when TLS finished its
/// handshake.
final class FirstErrorRecorder: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny
    var error: Error?
    let timings: ConnectTimings?
    /// Succeeded with the ALPN protocol when the TLS handshake completes (`nil`: none
    /// negotiated), failed if the channel closes first.
    let negotiated: EventLoopPromise<String?>?

    init(timings: ConnectTimings? = nil, negotiated: EventLoopPromise<String?>? = nil) {
        self.timings = timings
        self.negotiated = negotiated
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted(let negotiatedProtocol) = event {
            timings?.finish(.tls)
            negotiated?.succeed(negotiatedProtocol)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        negotiated?.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if self.error == nil { self.error = error }
        context.fireErrorCaught(error)
    }
}

/// Sends the upgrade request, validates the response (RFC 6455 §4.1) and swaps the HTTP
/// handlers for a client ``WebSocketSession``.
final class ClientUpgradeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let handshake: ClientHandshake
    let configuration: WebSocketClientConfiguration
    let delegate: WebSocketSessionDelegate
    let promise: EventLoopPromise<WebSocketClientConnection>
    var requestText = ""
    var response: HTTPResponseHead?
    var body: ByteBuffer?
    var done = false

    init(
        handshake: ClientHandshake,
        configuration: WebSocketClientConfiguration,
        delegate: WebSocketSessionDelegate,
        promise: EventLoopPromise<WebSocketClientConnection>
    ) {
        self.handshake = handshake
        self.configuration = configuration
        self.delegate = delegate
        self.promise = promise
    }

    func handlerAdded(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: handshake.target.authority)
        for field in handshake.request.headerFields {
            headers.add(name: field.name.rawName, value: field.value)
        }
        if !headers.contains(name: "user-agent") {
            headers.add(name: "User-Agent", value: "wsk")
        }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: handshake.target.path, headers: headers)
        requestText = "GET \(head.uri) HTTP/1.1\r\n" + headers.map { "\($0.name): \($0.value)\r\n" }.joined()
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            response = head
        case .body(var part):
            if body == nil { body = context.channel.allocator.buffer(capacity: 1024) }
            if body!.readableBytes < 2048 {
                let take = min(part.readableBytes, 2048 - body!.readableBytes)
                var slice = part.readSlice(length: take)!
                body!.writeBuffer(&slice)
            }
        case .end:
            // Swap handlers only after the decoder's last event for the response, so
            // nothing HTTP reaches the session.
            guard let response else { return }
            if response.status == .switchingProtocols {
                upgrade(response, context: context)
            } else {
                refuse(response, failure: "", context: context)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done, let response, response.status != .switchingProtocols {
            refuse(response, failure: "", context: context)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if !done {
            done = true
            promise.fail(WebSocketClientError.connectionFailed("cannot connect to \(handshake.target.authority): \(WebSocketClient.describe(error))"))
        }
        context.close(promise: nil)
    }

    /// Why an accepted response cannot be used (its permessage-deflate answer).
    struct UnusableResponse: Error, CustomStringConvertible {
        var description: String
    }

    /// The client session for a validated response (an HTTP/1.1 101 or an HTTP/2 200),
    /// holding its writes until the handshake's handlers are gone.
    static func makeSession(
        outcome: HandshakeOutcome,
        configuration: WebSocketClientConfiguration,
        delegate: WebSocketSessionDelegate,
        eventLoop: EventLoop,
        info: SessionInfo
    ) throws(UnusableResponse) -> WebSocketSession {
        var extensions: [any WebSocketExtension] = []
        if let options = configuration.compression {
            // The same steps as FuzzTesting's FuzzHandshakeResponse target.
            do {
                if let parameters = try PerMessageDeflateNegotiator(options: options).acceptResponse(outcome.extensions) {
                    extensions.append(PerMessageDeflate(parameters: parameters, role: .client, compressionLevel: configuration.compressionLevel))
                }
            } catch {
                throw UnusableResponse(description: "invalid permessage-deflate response: \(error)")
            }
        }
        let connection = Connection(
            role: .client,
            configuration: configuration.limits,
            extensions: extensions,
            autoReplyPolicy: configuration.autoReplyPolicy,
            randomNumberGenerator: BufferedSystemRandom()
        )
        let session = WebSocketSession(connection: connection, info: info, eventLoop: eventLoop, options: configuration.sessionOptions, delegate: delegate)
        session.phase = .holdingWrites
        return session
    }

    static func headText(_ head: HTTPResponseHead) -> String {
        "HTTP/\(head.version.major).\(head.version.minor) \(head.status.code) \(head.status.reasonPhrase)\r\n"
            + head.headers.map { "\($0.name): \($0.value)\r\n" }.joined()
    }

    func refuse(_ head: HTTPResponseHead, failure: String, context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        let bodyText = body.map { String(decoding: $0.readableBytesView, as: UTF8.self) } ?? ""
        promise.fail(
            WebSocketClientError.handshakeRefused(
                status: Int(head.status.code),
                reason: head.status.reasonPhrase,
                head: Self.headText(head),
                bodyStart: bodyText,
                failure: failure
            )
        )
        context.close(promise: nil)
    }

    func upgrade(_ head: HTTPResponseHead, context: ChannelHandlerContext) {
        let outcome: HandshakeOutcome
        do {
            outcome = try handshake.validateResponse(status: Int(head.status.code), headerFields: HTTPFields(head.headers))
        } catch {
            refuse(head, failure: error.description, context: context)
            return
        }
        let session: WebSocketSession
        do {
            session = try Self.makeSession(
                outcome: outcome, configuration: configuration, delegate: delegate, eventLoop: context.eventLoop,
                info: SessionInfo(
                    remoteAddress: context.channel.remoteAddress.map(ServerUpgradeHandler.describe) ?? "?",
                    path: handshake.target.path,
                    subprotocol: outcome.subprotocol,
                    extensions: outcome.extensions
                ))
        } catch {
            refuse(head, failure: error.description, context: context)
            return
        }
        done = true
        let result = WebSocketClientConnection(session: session, requestHead: requestText, responseHead: Self.headText(head))
        let sync = context.pipeline.syncOperations
        do {
            try sync.addHandler(session, position: .after(self))
        } catch {
            promise.fail(WebSocketClientError.connectionFailed("cannot start the WebSocket session: \(WebSocketClient.describe(error))"))
            context.close(promise: nil)
            return
        }
        sync.removeHandler(name: HTTPHandlerName.encoder, promise: nil)
        sync.removeHandler(context: context, promise: nil)
        // The response decoder also sees outbound request parts, and its removal completes
        // only after its decode loop: hand out the session once it is gone, so the first
        // message sent cannot meet it.
        let promise = self.promise
        sync.removeHandler(name: HTTPHandlerName.decoder).whenComplete { _ in
            session.releaseWrites()
            promise.succeed(result)
        }
    }
}
