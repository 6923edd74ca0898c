import NIOCore
import WSKCore

/// Opens a SOCKS5 tunnel (RFC 1928, with RFC 1929 username/password authentication)
/// through a proxy before anything else is sent on the channel. swift-nio-extras' NIOSOCKS
/// client has no authentication, which `socks5://user:pass@host` needs, so the handshake
/// is ours: WSKCore's sans-IO ``SOCKS5Negotiation`` (fuzzed by FuzzSOCKS5), driven here.
enum SOCKS5Tunnel {
    /// Connects the tunnel to `host:port`: to `address` when given (`socks5://`, resolved
    /// here), else by name (`socks5h://`, the proxy resolves it).
    /// `next`, when given, is installed right behind the tunnel before its first bytes are
    /// passed on, so nothing the far end sends early is lost.
    static func establish(
        on channel: Channel, proxy: HTTPProxy, host: String, port: Int, address: SocketAddress?, next: (any ChannelHandler & Sendable)? = nil
    ) async throws {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let destination: SOCKS5Negotiation.Target
        switch address {
        case .v4(let v4)?: destination = .ipv4(withUnsafeBytes(of: v4.address.sin_addr.s_addr) { Array($0) })
        case .v6(let v6)?: destination = .ipv6(withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) })
        default: destination = .name(host)
        }
        let credentials = proxy.credentials.map { text -> (user: [UInt8], password: [UInt8]) in
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            return (Array(parts[0].utf8), parts.count > 1 ? Array(parts[1].utf8) : [])
        }
        let negotiation = SOCKS5Negotiation(target: destination, port: UInt16(port), credentials: credentials)
        let handler = Handler(proxy: proxy, negotiation: negotiation, target: HostPort(host: host, port: port).description, promise: promise, next: next)
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
        channel.closeFuture.whenComplete { _ in
            promise.fail(WebSocketClientError.connectionFailed("the SOCKS5 proxy \(HostPort(host: proxy.host, port: proxy.port)) closed the connection"))
        }
        try await promise.futureResult.get()
    }

    /// RFC 1928 §6 reply codes.
    static func replyText(_ code: UInt8) -> String {
        switch code {
        case 1: return "general SOCKS server failure"
        case 2: return "connection not allowed by ruleset"
        case 3: return "network unreachable"
        case 4: return "host unreachable"
        case 5: return "connection refused"
        case 6: return "TTL expired"
        case 7: return "command not supported"
        case 8: return "address type not supported"
        default: return "reply \(code)"
        }
    }

    /// Runs WSKCore's ``SOCKS5Negotiation`` on the channel, then gets out of the way.
    final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let proxy: HTTPProxy
        let target: String
        let promise: EventLoopPromise<Void>
        let next: (any ChannelHandler & Sendable)?
        var negotiation: SOCKS5Negotiation
        var done = false

        init(proxy: HTTPProxy, negotiation: SOCKS5Negotiation, target: String, promise: EventLoopPromise<Void>, next: (any ChannelHandler & Sendable)?) {
            self.proxy = proxy
            self.negotiation = negotiation
            self.target = target
            self.promise = promise
            self.next = next
        }

        var proxyName: String { "the SOCKS5 proxy \(HostPort(host: proxy.host, port: proxy.port))" }

        func handlerAdded(context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: negotiation.greeting)), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !done else {
                context.fireChannelRead(data)
                return
            }
            var step = negotiation.receive(unwrapInboundIn(data).readableBytesView)
            while true {
                switch step {
                case .needMore:
                    return
                case .send(let bytes):
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
                    step = negotiation.receive([])
                case .failed(let failure):
                    done = true
                    promise.fail(WebSocketClientError.connectionFailed(message(for: failure)))
                    context.close(promise: nil)
                    return
                case .established(let leftover):
                    done = true
                    // Bytes after the reply belong to the tunnel.
                    TunnelHandover.complete(context: context, handler: self, next: next, leftover: ByteBuffer(bytes: leftover), promise: promise)
                    return
                }
            }
        }

        func message(for failure: SOCKS5Negotiation.Failure) -> String {
            switch failure {
            case .notSOCKS5: return "\(proxyName) does not speak SOCKS5 (is it an HTTP proxy? use http://)"
            case .authenticationRequired: return "\(proxyName) requires a username and password: give them as socks5://USER:PASSWORD@HOST:PORT"
            case .authenticationRejected: return "\(proxyName) rejected the username or password"
            case .refused(let code): return "\(proxyName) could not connect to \(target): \(SOCKS5Tunnel.replyText(code))"
            case .malformedReply: return "\(proxyName) sent a malformed reply"
            }
        }
    }
}
