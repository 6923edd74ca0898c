import NIOCore

/// The last step of a proxy tunnel's handshake (HTTP CONNECT or SOCKS5): install `next`
/// right behind the tunnel handler, pass on the far end's first bytes, remove the tunnel
/// handler and fulfil `promise`. Installing `next` before the bytes go means nothing the far
/// end sends early is lost.
enum TunnelHandover {
    static func complete(
        context: ChannelHandlerContext, handler: some ChannelHandler, next: (any ChannelHandler & Sendable)?,
        leftover: ByteBuffer, promise: EventLoopPromise<Void>
    ) {
        if let next {
            do {
                try context.pipeline.syncOperations.addHandler(next, position: .after(handler))
            } catch {
                promise.fail(error)
                context.close(promise: nil)
                return
            }
        }
        if leftover.readableBytes > 0 {
            context.fireChannelRead(NIOAny(leftover))
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        promise.succeed(())
    }
}
