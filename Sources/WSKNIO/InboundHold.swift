import NIOCore

/// Keeps what arrives until the handlers that understand it are in place: an HTTP/2 server
/// sends its SETTINGS as soon as the connection (or the TLS handshake) is up, possibly before
/// the client, which learns the protocol only then (ALPN), has added its HTTP/2 handler.
/// Added right after the transport's handlers; the protocol's handlers go after it; its
/// removal passes on what it kept, in order.
final class InboundHold: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny

    var held: [NIOAny] = []
    var inactive = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        held.append(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {}

    func channelInactive(context: ChannelHandlerContext) {
        // Passed on with what was kept, so that it comes after it.
        inactive = true
    }

    func removeHandler(context: ChannelHandlerContext, removalToken: ChannelHandlerContext.RemovalToken) {
        let kept = held
        held = []
        for data in kept {
            context.fireChannelRead(data)
        }
        if !kept.isEmpty { context.fireChannelReadComplete() }
        if inactive { context.fireChannelInactive() }
        context.leavePipeline(removalToken: removalToken)
    }
}
