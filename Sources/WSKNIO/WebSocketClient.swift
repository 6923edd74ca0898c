import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import WSKCompression
import WSKCore

/// How a client connects.
public struct WebSocketClientConfiguration: Sendable {
    /// TLS settings (swift-nio-ssl's configuration).
    public typealias TLS = TLSConfiguration

    /// Frame and message size limits for what the server sends.
    public var limits = WebSocketConfiguration()
    /// Subprotocols to offer, most preferred first.
    public var subprotocols: [String] = []
    /// The `Origin` header, if any.
    public var origin: String? = nil
    /// Extra request header fields (`-H`).
    public var headers: [(name: String, value: String)] = []
    /// permessage-deflate to offer, or `nil` to offer none.
    public var compression: PerMessageDeflateOptions? = PerMessageDeflateOptions()
    /// zlib compression level for outgoing messages, 0...9.
    public var compressionLevel = PerMessageDeflate.defaultCompressionLevel
    /// How long to wait for TCP (and the proxy, TLS and the upgrade) to complete.
    public var connectTimeout: TimeAmount = .seconds(10)
    /// How long to wait for the server to close the TCP connection after the closing
    /// handshake.
    public var closeTimeout: TimeAmount = .seconds(2)
    /// TLS for `wss://` (`nil` uses the system trust store with full verification).
    public var tls: TLSConfiguration? = nil
    /// The name sent in SNI and verified in the certificate, when not the URL's host.
    public var tlsServerName: String? = nil
    /// An HTTP proxy to tunnel through with CONNECT.
    public var proxy: HTTPProxy? = nil
    /// Pings to send and when to give up on a silent server (`--ping-interval`,
    /// `--ping-timeout`).
    public var keepalive: KeepalivePolicy? = nil
    /// Whether reading from the server stops while it does not take what is sent to it.
    public var pausesReadingWhileUnwritable = true

    /// Creates the default configuration.
    public init() {}

    /// The options the session runs with.
    var sessionOptions: SessionOptions {
        SessionOptions(keepalive: keepalive, closeTimeout: closeTimeout, pausesReadingWhileUnwritable: pausesReadingWhileUnwritable)
    }
}

/// An HTTP proxy for CONNECT tunnelling.
public struct HTTPProxy: Hashable, Sendable {
    /// Proxy host.
    public var host: String
    /// Proxy port.
    public var port: Int
    /// `user:password` for `Proxy-Authorization: Basic`, if any.
    public var credentials: String?

    /// Creates a proxy description.
    public init(host: String, port: Int, credentials: String? = nil) {
        self.host = host
        self.port = port
        self.credentials = credentials
    }
}

/// Why a client connection failed.
public enum WebSocketClientError: Error, CustomStringConvertible {
    /// TCP, DNS, TLS, proxy or timeout.
    case connectionFailed(String)
    /// The server answered the upgrade with something other than a valid 101.
    case handshakeRefused(status: Int, reason: String, head: String, bodyStart: String, failure: String)

    public var description: String {
        switch self {
        case .connectionFailed(let message):
            return message
        case .handshakeRefused(let status, let reason, _, _, let failure):
            return "handshake refused: HTTP \(status) \(reason)" + (failure.isEmpty ? "" : " (\(failure))")
        }
    }
}

/// An open client connection.
public struct WebSocketClientConnection: Sendable {
    /// The session (send, close; events go to the delegate).
    public let session: WebSocketSession
    /// The request head as sent.
    public let requestHead: String
    /// The response head as received.
    public let responseHead: String
}

/// Connects to WebSocket servers.
public enum WebSocketClient {
    /// Connects, runs the opening handshake and returns the session.
    public static func connect(
        to url: WebSocketURL,
        configuration: WebSocketClientConfiguration,
        group: EventLoopGroup,
        delegate: WebSocketSessionDelegate
    ) async throws -> WebSocketClientConnection {
        let targetHost = configuration.proxy?.host ?? url.host
        let targetPort = configuration.proxy?.port ?? url.effectivePort
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: targetHost, port: targetPort).get()
        } catch {
            throw WebSocketClientError.connectionFailed("cannot connect to \(targetHost):\(targetPort): \(describe(error))")
        }
        let timeout = channel.eventLoop.scheduleTask(in: configuration.connectTimeout) {
            channel.close(promise: nil)
        }
        defer { timeout.cancel() }
        // The first error the pipeline reports (a failed TLS handshake, say), to explain a
        // connection that closes before the upgrade.
        let firstError = FirstErrorRecorder()
        do {
            if let proxy = configuration.proxy {
                try await ProxyTunnel.establish(on: channel, proxy: proxy, host: url.host, port: url.effectivePort)
            }
            if url.isSecure {
                let tls = configuration.tls ?? TLSConfiguration.makeClientConfiguration()
                let context = try NIOSSLContext(configuration: tls)
                let name = configuration.tlsServerName ?? (isIPAddress(url.host) ? nil : url.host)
                try await channel.eventLoop.submit {
                    let handler = try NIOSSLClientHandler(context: context, serverHostname: name)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    try channel.pipeline.syncOperations.addHandler(firstError)
                }.get()
            }
        } catch let error as WebSocketClientError {
            channel.close(promise: nil)
            throw error
        } catch {
            channel.close(promise: nil)
            throw WebSocketClientError.connectionFailed("cannot set up the connection to \(url.host):\(url.effectivePort): \(describe(error))")
        }

        var generator = SystemRandomNumberGenerator()
        let offers = configuration.compression.map { [PerMessageDeflateNegotiator(options: $0).offer()] } ?? []
        var extraFields = HTTPFields()
        for header in configuration.headers {
            guard let name = HTTPField.Name(header.name) else {
                throw WebSocketClientError.connectionFailed("invalid header name '\(header.name)'")
            }
            extraFields.append(HTTPField(name: name, value: header.value))
        }
        let handshake: ClientHandshake
        do {
            handshake = try ClientHandshake(
                target: .init(host: url.host, port: url.port, path: url.path, isSecure: url.isSecure),
                origin: configuration.origin,
                subprotocols: configuration.subprotocols,
                extensions: offers,
                additionalHeaderFields: extraFields,
                using: &generator
            )
        } catch {
            channel.close(promise: nil)
            throw WebSocketClientError.connectionFailed("cannot build the upgrade request: \(error)")
        }
        let promise = channel.eventLoop.makePromise(of: WebSocketClientConnection.self)
        do {
            try await channel.eventLoop.submit {
                let upgrader = ClientUpgradeHandler(
                    handshake: handshake,
                    configuration: configuration,
                    delegate: delegate,
                    promise: promise
                )
                let sync = channel.pipeline.syncOperations
                try sync.addHandler(HTTPRequestEncoder(), name: ClientUpgradeHandler.encoderName)
                try sync.addHandler(
                    ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes)),
                    name: ClientUpgradeHandler.decoderName
                )
                try sync.addHandler(upgrader)
            }.get()
        } catch {
            channel.close(promise: nil)
            let cause = (try? await channel.eventLoop.submit { firstError.error }.get()) ?? nil
            let failure = WebSocketClientError.connectionFailed("cannot start the handshake with \(url.host):\(url.effectivePort): \(describe(cause ?? error))")
            promise.fail(failure)
            throw failure
        }
        let target = "\(url.host):\(url.effectivePort)"
        channel.closeFuture.whenComplete { _ in
            let cause = firstError.error.map { ": \(describe($0))" } ?? ""
            promise.fail(WebSocketClientError.connectionFailed("\(target) closed the connection during the handshake\(cause)"))
        }
        return try await promise.futureResult.get()
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    static func describe(_ error: Error) -> String {
        NetworkErrorText.describe(error)
    }
}

/// Remembers the first error that passes through the pipeline.
final class FirstErrorRecorder: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny
    var error: Error?

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

    static let encoderName = "wsk.http.encoder"
    static let decoderName = "wsk.http.decoder"

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
            promise.fail(WebSocketClientError.connectionFailed("\(WebSocketClient.describe(error))"))
        }
        context.close(promise: nil)
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
        var extensions: [any WebSocketExtension] = []
        if let options = configuration.compression,
            let offer = outcome.extensions.first(where: { $0.name.lowercased() == PerMessageDeflateNegotiator.extensionName })
        {
            do {
                let parameters = try PerMessageDeflateNegotiator(options: options).accept(offer)
                extensions.append(PerMessageDeflate(parameters: parameters, role: .client, compressionLevel: configuration.compressionLevel))
            } catch {
                refuse(head, failure: "invalid permessage-deflate response: \(error)", context: context)
                return
            }
        }
        done = true
        let connection = Connection(
            role: .client,
            configuration: configuration.limits,
            extensions: extensions,
            autoReplyPolicy: .automatic,
            randomNumberGenerator: SystemRandomNumberGenerator()
        )
        let remote = context.channel.remoteAddress.map(ServerUpgradeHandler.describe) ?? "?"
        let session = WebSocketSession(
            connection: connection,
            info: SessionInfo(
                remoteAddress: remote,
                path: handshake.target.path,
                subprotocol: outcome.subprotocol,
                extensions: outcome.extensions
            ),
            eventLoop: context.eventLoop,
            options: configuration.sessionOptions,
            delegate: delegate
        )
        session.phase = .holdingWrites
        let result = WebSocketClientConnection(session: session, requestHead: requestText, responseHead: Self.headText(head))
        let sync = context.pipeline.syncOperations
        do {
            try sync.addHandler(session, position: .after(self))
        } catch {
            promise.fail(WebSocketClientError.connectionFailed("cannot start the WebSocket session: \(WebSocketClient.describe(error))"))
            context.close(promise: nil)
            return
        }
        sync.removeHandler(name: Self.encoderName, promise: nil)
        sync.removeHandler(context: context, promise: nil)
        // The response decoder also sees outbound request parts, and its removal completes
        // only after its decode loop: hand out the session once it is gone, so the first
        // message sent cannot meet it.
        let promise = self.promise
        sync.removeHandler(name: Self.decoderName).whenComplete { _ in
            session.releaseWrites()
            promise.succeed(result)
        }
    }
}
