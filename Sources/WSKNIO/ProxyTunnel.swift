import NIOCore

/// Opens an HTTP CONNECT tunnel (RFC 9110 §9.3.6) through a proxy before anything else
/// is sent on the channel.
enum ProxyTunnel {
    /// `next`, when given, is installed right behind the tunnel before its first bytes are
    /// passed on, so nothing the far end sends early is lost.
    static func establish(on channel: Channel, proxy: HTTPProxy, host: String, port: Int, next: (any ChannelHandler & Sendable)? = nil) async throws {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let target = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(ConnectHandler(target: target, credentials: proxy.credentials, promise: promise, next: next))
        }.get()
        channel.closeFuture.whenComplete { _ in
            promise.fail(WebSocketClientError.connectionFailed("the proxy closed the connection"))
        }
        try await promise.futureResult.get()
    }

    final class ConnectHandler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let target: String
        let credentials: String?
        let promise: EventLoopPromise<Void>
        let next: (any ChannelHandler & Sendable)?
        var received = ByteBuffer()

        init(target: String, credentials: String?, promise: EventLoopPromise<Void>, next: (any ChannelHandler & Sendable)?) {
            self.target = target
            self.credentials = credentials
            self.promise = promise
            self.next = next
        }

        func handlerAdded(context: ChannelHandlerContext) {
            var request = "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n"
            if let credentials {
                request += "Proxy-Authorization: Basic \(Base64Text.encode(Array(credentials.utf8)))\r\n"
            }
            request += "\r\n"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            received.writeBuffer(&bytes)
            let view = Array(received.readableBytesView)
            guard let end = view.firstRange(of: [13, 10, 13, 10]) else {
                if received.readableBytes > 16384 {
                    promise.fail(WebSocketClientError.connectionFailed("the proxy sent an oversized response"))
                    context.close(promise: nil)
                }
                return
            }
            let head = String(decoding: view[..<end.lowerBound], as: UTF8.self)
            let statusLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
            let parts = statusLine.split(separator: " ")
            guard parts.count >= 2, parts[1] == "200" else {
                promise.fail(WebSocketClientError.connectionFailed("the proxy refused CONNECT \(target): \(statusLine)"))
                context.close(promise: nil)
                return
            }
            // Bytes after the proxy's response belong to the tunnel: pass them on.
            received.moveReaderIndex(forwardBy: end.upperBound)
            TunnelHandover.complete(context: context, handler: self, next: next, leftover: received, promise: promise)
        }
    }
}

/// Base64 (RFC 4648) for Basic credentials, without Foundation.
enum Base64Text {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let n = UInt32(bytes[index]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
