import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import WSKCompression
import WSKCore

/// Connects to WebSocket servers.
public enum WebSocketClient {
    /// Connects, runs the opening handshake and returns the session.
    public static func connect(
        to url: WebSocketURL,
        configuration: WebSocketClientConfiguration,
        group: EventLoopGroup,
        delegate: WebSocketSessionDelegate,
        timings: ConnectTimings? = nil
    ) async throws -> WebSocketClientConnection {
        switch try await dial(to: url, configuration: configuration, group: group, delegate: delegate, timings: timings) {
        case .webSocket(let connection): return connection
        case .http2: preconditionFailure("a connection was asked for a WebSocket")
        }
    }

    /// Opens an HTTP/2 connection that allows WebSockets (RFC 8441), for opening several on
    /// it (`wsk bench --streams-per-connection`): TCP, the proxy and TLS as for
    /// ``connect(to:configuration:group:delegate:timings:)`` with ``WebSocketClientConfiguration/http2``,
    /// then the server's SETTINGS. Fails, naming why, when the server does not speak HTTP/2
    /// or does not allow extended CONNECT.
    public static func connectHTTP2(
        to url: WebSocketURL,
        configuration: WebSocketClientConfiguration,
        group: EventLoopGroup,
        timings: ConnectTimings? = nil
    ) async throws -> HTTP2ClientConnection {
        var configuration = configuration
        configuration.http2 = true
        switch try await dial(to: url, configuration: configuration, group: group, delegate: nil, timings: timings) {
        case .http2(let connection): return connection
        case .webSocket: preconditionFailure("a WebSocket was opened without a delegate")
        }
    }

    enum Dialled {
        case webSocket(WebSocketClientConnection)
        case http2(HTTP2ClientConnection)
    }

    /// Without a delegate, stops at the HTTP/2 connection (``connectHTTP2(to:configuration:group:timings:)``).
    static func dial(
        to url: WebSocketURL,
        configuration: WebSocketClientConfiguration,
        group: EventLoopGroup,
        delegate: WebSocketSessionDelegate?,
        timings: ConnectTimings?
    ) async throws -> Dialled {
        timings?.start()
        let targetHost = configuration.proxy?.host ?? url.host
        let targetPort = configuration.proxy?.port ?? url.effectivePort
        var bootstrap = ClientBootstrap(group: group)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            // As the server's (WebSocketServer): small while idle, adapting under load;
            // what a bench --hold of thousands of connections holds per connection.
            .channelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 256, initial: 512, maximum: 262_144))
        if let localAddress = configuration.localAddress {
            bootstrap = bootstrap.bind(to: localAddress)
        }
        // With HTTP/2, what the server sends before its protocol's handlers are in place
        // (its SETTINGS) is kept (see InboundHold): from the start on a direct cleartext
        // connection, after the tunnel through a proxy, after TLS on wss://.
        let hold = configuration.http2 ? InboundHold() : nil
        if let hold, configuration.proxy == nil {
            bootstrap = bootstrap.channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(hold) }
            }
        }
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: targetHost, port: targetPort).get()
        } catch {
            if let proxy = configuration.proxy {
                let variables = proxy.kind == .http ? "$https_proxy / $http_proxy" : "$all_proxy"
                throw WebSocketClientError.connectionFailed(
                    "cannot connect to the \(proxy.kind.shown) \(HostPort(host: targetHost, port: targetPort)): \(describe(error)); check --proxy or \(variables)")
            }
            throw WebSocketClientError.connectionFailed("cannot connect to \(targetHost):\(targetPort): \(describe(error))")
        }
        timings?.finish(.tcp)
        // Whether the connect timeout ended the handshake (to say so, rather than "closed").
        let timedOut = NIOLockedValueBox(false)
        let timeout = channel.eventLoop.scheduleTask(in: configuration.connectTimeout) {
            timedOut.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        defer { timeout.cancel() }
        // The first error the pipeline reports (a failed TLS handshake, say), to explain a
        // connection that closes before the upgrade.
        let negotiated = url.isSecure && configuration.http2 ? channel.eventLoop.makePromise(of: String?.self) : nil
        let firstError = FirstErrorRecorder(timings: timings, negotiated: negotiated)
        do {
            if let proxy = configuration.proxy {
                try await openTunnel(on: channel, through: proxy, to: url.host, port: url.effectivePort, next: hold)
                timings?.finish(.proxy)
            }
            if url.isSecure {
                var tls = configuration.tls ?? TLSConfiguration.makeClientConfiguration()
                if configuration.http2 { tls.applicationProtocols = ["h2", "http/1.1"] }
                let explicitName = configuration.tlsServerName
                // An explicit name is checked here, not by NIOSSL (see TLSServerNameCheck).
                let checksName = explicitName != nil && tls.certificateVerification == .fullVerification
                if checksName { tls.certificateVerification = .noHostnameVerification }
                let context = try NIOSSLContext(configuration: tls)
                let name = explicitName ?? (isIPAddress(url.host) ? nil : url.host)
                // SNI carries DNS names only (RFC 6066 §3).
                let sniName = name.flatMap { isIPAddress($0) ? nil : $0 }
                try await channel.eventLoop.submit {
                    let handler: NIOSSLClientHandler
                    if checksName, let explicitName {
                        handler = try NIOSSLClientHandler._makeSSLClientHandler(context: context, serverHostname: sniName) { certificate, channel in
                            guard TLSServerNameCheck.matches(certificate, name: explicitName) else {
                                return channel.eventLoop.makeFailedFuture(
                                    TLSServerNameMismatch(name: explicitName, certificateNames: TLSServerNameCheck.names(in: certificate)))
                            }
                            return channel.eventLoop.makeSucceededVoidFuture()
                        }
                    } else {
                        handler = try NIOSSLClientHandler(context: context, serverHostname: sniName)
                    }
                    let sync = channel.pipeline.syncOperations
                    if let hold {
                        try sync.addHandler(handler, position: .before(hold))
                        try sync.addHandler(firstError, position: .after(handler))
                    } else {
                        try sync.addHandler(handler)
                        try sync.addHandler(firstError)
                    }
                }.get()
            }
        } catch let error as WebSocketClientError {
            channel.close(promise: nil)
            throw error
        } catch {
            channel.close(promise: nil)
            throw WebSocketClientError.connectionFailed("cannot set up the connection to \(url.host):\(url.effectivePort): \(describe(error))")
        }
        let handshake: ClientHandshake
        do {
            handshake = try makeHandshake(url: url, configuration: configuration)
        } catch {
            channel.close(promise: nil)
            throw error
        }
        if configuration.http2 {
            var speaksHTTP2 = true
            if let negotiated {
                // ALPN: h2, or HTTP/1.1 when the server chose it (or chose nothing).
                do {
                    speaksHTTP2 = try await negotiated.futureResult.get() == "h2"
                } catch {
                    let cause = (try? await channel.eventLoop.submit { firstError.error }.get()) ?? nil
                    throw WebSocketClientError.connectionFailed(
                        "cannot connect to \(url.host):\(url.effectivePort): \(cause.map(describe) ?? (timedOut.withLockedValue { $0 } ? "timed out" : "closed during the TLS handshake"))")
                }
            }
            if speaksHTTP2 {
                let http2: HTTP2ClientConnection
                do {
                    http2 = try await HTTP2ClientConnection.start(on: channel, url: url, releasing: hold)
                } catch {
                    channel.close(promise: nil)
                    if timedOut.withLockedValue({ $0 }) {
                        throw WebSocketClientError.connectionFailed("no HTTP/2 SETTINGS from \(url.host):\(url.effectivePort) within the connect timeout; it may not speak HTTP/2 (drop --http2)")
                    }
                    throw error
                }
                guard let delegate else {
                    guard http2.allowsWebSockets else {
                        channel.close(promise: nil)
                        throw WebSocketClientError.connectionFailed(
                            "\(url.host):\(url.effectivePort) speaks HTTP/2 but does not allow WebSockets over it (no SETTINGS_ENABLE_CONNECT_PROTOCOL)")
                    }
                    return .http2(http2)
                }
                guard http2.allowsWebSockets else {
                    // RFC 8441 §3: without SETTINGS_ENABLE_CONNECT_PROTOCOL a client must not
                    // send :protocol. HTTP/1.1 on a new connection instead.
                    channel.close(promise: nil)
                    var fallback = configuration
                    fallback.http2 = false
                    var connection = try await connect(to: url, configuration: fallback, group: group, delegate: delegate, timings: timings)
                    connection.note = "the server speaks HTTP/2 but does not allow WebSockets over it (no SETTINGS_ENABLE_CONNECT_PROTOCOL); using HTTP/1.1"
                    return .webSocket(connection)
                }
                let connection: WebSocketClientConnection
                do {
                    // This connection carries one WebSocket: it ends with its stream.
                    connection = try await http2.openWebSocket(handshake: handshake, configuration: configuration, delegate: delegate, closesConnection: true)
                } catch {
                    channel.close(promise: nil)
                    throw error
                }
                timings?.finish(.upgrade)
                return .webSocket(connection)
            }
        }
        guard let delegate else {
            channel.close(promise: nil)
            throw WebSocketClientError.connectionFailed("\(url.host):\(url.effectivePort) chose HTTP/1.1 (ALPN): it does not offer HTTP/2")
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
                try sync.addHandler(HTTPRequestEncoder(), name: HTTPHandlerName.encoder)
                try sync.addHandler(
                    ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes)),
                    name: HTTPHandlerName.decoder
                )
                try sync.addHandler(upgrader)
                if let hold { sync.removeHandler(hold, promise: nil) }
            }.get()
        } catch {
            channel.close(promise: nil)
            let cause = (try? await channel.eventLoop.submit { firstError.error }.get()) ?? nil
            let failure = WebSocketClientError.connectionFailed("cannot connect to \(url.host):\(url.effectivePort): \(describe(cause ?? error))")
            promise.fail(failure)
            throw failure
        }
        let target = "\(url.host):\(url.effectivePort)"
        let nanoseconds = configuration.connectTimeout.nanoseconds
        let seconds = nanoseconds % 1_000_000_000 == 0 ? "\(nanoseconds / 1_000_000_000)" : "\(Double(nanoseconds) / 1e9)"
        channel.closeFuture.whenComplete { _ in
            var reason = firstError.error.map { "cannot connect to \(target): \(describe($0))" }
            if reason == nil && timedOut.withLockedValue({ $0 }) {
                reason = "no upgrade response from \(target) within \(seconds) s; raise --connect-timeout if it is slow"
            }
            promise.fail(WebSocketClientError.connectionFailed(reason ?? "\(target) closed the connection during the handshake"))
        }
        let connection = try await promise.futureResult.get()
        timings?.finish(.upgrade)
        return .webSocket(connection)
    }

    /// The opening handshake for `url` with the configuration's subprotocols, origin,
    /// headers and permessage-deflate offer (a fresh key each time).
    static func makeHandshake(url: WebSocketURL, configuration: WebSocketClientConfiguration) throws -> ClientHandshake {
        var generator = SystemRandomNumberGenerator()
        let offers = configuration.compression.map { [PerMessageDeflateNegotiator(options: $0).offer()] } ?? []
        var extraFields = HTTPFields()
        for header in configuration.headers {
            guard let name = HTTPField.Name(header.name) else {
                throw WebSocketClientError.connectionFailed("invalid header name '\(header.name)'")
            }
            extraFields.append(HTTPField(name: name, value: header.value))
        }
        do {
            return try ClientHandshake(
                target: .init(host: url.host, port: url.port, path: url.path, isSecure: url.isSecure),
                origin: configuration.origin,
                subprotocols: configuration.subprotocols,
                extensions: offers,
                additionalHeaderFields: extraFields,
                using: &generator
            )
        } catch {
            throw WebSocketClientError.connectionFailed("cannot build the upgrade request: \(error)")
        }
    }

    /// Opens the proxy's tunnel to `host:port` on a channel connected to the proxy.
    static func openTunnel(on channel: Channel, through proxy: HTTPProxy, to host: String, port: Int, next: (any ChannelHandler & Sendable)? = nil) async throws {
        switch proxy.kind {
        case .http:
            try await ProxyTunnel.establish(on: channel, proxy: proxy, host: host, port: port, next: next)
        case .socks5, .socks5h:
            var address: SocketAddress? = nil
            if proxy.kind == .socks5 {
                do {
                    address = try SocketAddress.makeAddressResolvingHost(host, port: port)
                } catch {
                    throw WebSocketClientError.connectionFailed(
                        "cannot resolve \(host) (socks5:// resolves names here; socks5h:// lets the proxy resolve them)")
                }
            }
            try await SOCKS5Tunnel.establish(on: channel, proxy: proxy, host: host, port: port, address: address, next: next)
        }
    }

    /// A plain TCP connection to `host:port`, through `proxy` when given (`wsk proxy`'s
    /// tcp:// upstream), with `handler` in its pipeline before the first byte from the far
    /// end is read.
    public static func connectTCP(
        host: String, port: Int, proxy: HTTPProxy?, group: EventLoopGroup, timeout: TimeAmount, handler: any ChannelHandler & Sendable
    ) async throws -> Channel {
        var bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        if proxy == nil {
            bootstrap = bootstrap.channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
        }
        let channel = try await bootstrap.connect(host: proxy?.host ?? host, port: proxy?.port ?? port).get()
        guard let proxy else { return channel }
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        defer { deadline.cancel() }
        do {
            try await openTunnel(on: channel, through: proxy, to: host, port: port, next: handler)
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return channel
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    static func describe(_ error: Error) -> String {
        NetworkErrorText.describe(error)
    }
}
