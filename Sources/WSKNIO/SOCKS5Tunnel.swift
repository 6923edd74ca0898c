import NIOCore

/// Opens a SOCKS5 tunnel (RFC 1928, with RFC 1929 username/password authentication)
/// through a proxy before anything else is sent on the channel. swift-nio-extras' NIOSOCKS
/// client has no authentication, which `socks5://user:pass@host` needs, so this small
/// state machine is ours.
enum SOCKS5Tunnel {
    /// Connects the tunnel to `host:port`: by name when `remoteDNS` (`socks5h://`, the
    /// proxy resolves it), else to `address` (`socks5://`, resolved here).
    /// `next`, when given, is installed right behind the tunnel before its first bytes are
    /// passed on, so nothing the far end sends early is lost.
    static func establish(
        on channel: Channel, proxy: HTTPProxy, host: String, port: Int, address: SocketAddress?, next: (any ChannelHandler & Sendable)? = nil
    ) async throws {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let destination: Destination
        if let address {
            destination = .address(address)
        } else {
            destination = .name(host)
        }
        let handler = Handler(proxy: proxy, destination: destination, port: port, target: HostPort(host: host, port: port).description, promise: promise, next: next)
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
        channel.closeFuture.whenComplete { _ in
            promise.fail(WebSocketClientError.connectionFailed("the SOCKS5 proxy \(HostPort(host: proxy.host, port: proxy.port)) closed the connection"))
        }
        try await promise.futureResult.get()
    }

    enum Destination {
        case address(SocketAddress)
        case name(String)
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

    final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        typealias OutboundOut = ByteBuffer

        enum Step { case greeting, authentication, request, done }

        let proxy: HTTPProxy
        let destination: Destination
        let port: Int
        let target: String
        let promise: EventLoopPromise<Void>
        let next: (any ChannelHandler & Sendable)?
        var step = Step.greeting
        var received = ByteBuffer()

        init(proxy: HTTPProxy, destination: Destination, port: Int, target: String, promise: EventLoopPromise<Void>, next: (any ChannelHandler & Sendable)?) {
            self.proxy = proxy
            self.destination = destination
            self.port = port
            self.target = target
            self.promise = promise
            self.next = next
        }

        var proxyName: String { "the SOCKS5 proxy \(HostPort(host: proxy.host, port: proxy.port))" }

        func handlerAdded(context: ChannelHandlerContext) {
            // Version 5; "no authentication", and username/password when we have them.
            let methods: [UInt8] = proxy.credentials == nil ? [0x00] : [0x00, 0x02]
            write([0x05, UInt8(methods.count)] + methods, context: context)
        }

        func write(_ bytes: [UInt8], context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
        }

        func fail(_ message: String, context: ChannelHandlerContext) {
            step = .done
            promise.fail(WebSocketClientError.connectionFailed(message))
            context.close(promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            received.writeBuffer(&bytes)
            // Every SOCKS5 reply fits in 262 bytes; anything longer is not a SOCKS5 proxy.
            while step != .done {
                guard let progressed = advance(context: context) else { return }
                if !progressed { break }
            }
            if step != .done && received.readableBytes > 512 {
                fail("\(proxyName) sent an oversized reply (is it a SOCKS5 proxy?)", context: context)
            }
        }

        /// Handles one complete reply if there is one: true if it did, false if more bytes
        /// are needed, nil once the handler is finished (failed, or the tunnel is up).
        func advance(context: ChannelHandlerContext) -> Bool? {
            switch step {
            case .greeting:
                guard let reply = received.readBytes(length: 2) else { return false }
                guard reply[0] == 0x05 else {
                    fail("\(proxyName) does not speak SOCKS5 (is it an HTTP proxy? use http://)", context: context)
                    return nil
                }
                switch reply[1] {
                case 0x00:
                    sendRequest(context: context)
                case 0x02 where proxy.credentials != nil:
                    let (user, password) = splitCredentials(proxy.credentials!)
                    step = .authentication
                    write([0x01, UInt8(user.count)] + user + [UInt8(password.count)] + password, context: context)
                default:
                    fail("\(proxyName) requires a username and password: give them as socks5://USER:PASSWORD@HOST:PORT", context: context)
                    return nil
                }
                return true
            case .authentication:
                guard let reply = received.readBytes(length: 2) else { return false }
                guard reply[1] == 0x00 else {
                    fail("\(proxyName) rejected the username or password", context: context)
                    return nil
                }
                sendRequest(context: context)
                return true
            case .request:
                // VER REP RSV ATYP BND.ADDR BND.PORT
                guard received.readableBytes >= 5, let view = received.getBytes(at: received.readerIndex, length: 5) else { return false }
                guard view[0] == 0x05 else {
                    fail("\(proxyName) sent a malformed reply", context: context)
                    return nil
                }
                guard view[1] == 0x00 else {
                    fail("\(proxyName) could not connect to \(target): \(SOCKS5Tunnel.replyText(view[1]))", context: context)
                    return nil
                }
                let addressLength: Int
                switch view[3] {
                case 0x01: addressLength = 4
                case 0x04: addressLength = 16
                case 0x03: addressLength = 1 + Int(view[4])
                default:
                    fail("\(proxyName) sent a malformed reply", context: context)
                    return nil
                }
                let length = 4 + addressLength + 2
                guard received.readableBytes >= length else { return false }
                received.moveReaderIndex(forwardBy: length)
                step = .done
                // Bytes after the reply belong to the tunnel: pass them on, to `next` when
                // given (installed before they go).
                let leftover = received
                if let next {
                    do {
                        try context.pipeline.syncOperations.addHandler(next, position: .after(self))
                    } catch {
                        promise.fail(error)
                        context.close(promise: nil)
                        return nil
                    }
                }
                if leftover.readableBytes > 0 {
                    context.fireChannelRead(wrapInboundOut(leftover))
                }
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                promise.succeed(())
                return nil
            case .done:
                return nil
            }
        }

        func sendRequest(context: ChannelHandlerContext) {
            step = .request
            var request: [UInt8] = [0x05, 0x01, 0x00]  // version 5, CONNECT, reserved
            switch destination {
            case .address(let address):
                switch address {
                case .v4(let v4):
                    request.append(0x01)
                    withUnsafeBytes(of: v4.address.sin_addr.s_addr) { request += $0 }
                case .v6(let v6):
                    request.append(0x04)
                    withUnsafeBytes(of: v6.address.sin6_addr) { request += $0 }
                default:
                    break
                }
            case .name(let name):
                let bytes = Array(name.utf8.prefix(255))
                request += [0x03, UInt8(bytes.count)] + bytes
            }
            request += [UInt8(port >> 8), UInt8(port & 0xFF)]
            write(request, context: context)
        }

        func splitCredentials(_ credentials: String) -> ([UInt8], [UInt8]) {
            let parts = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let user = Array(parts[0].utf8.prefix(255))
            let password = parts.count > 1 ? Array(parts[1].utf8.prefix(255)) : []
            return (user, password)
        }
    }
}
