import NIOCore
import NIOHTTP2

/// Carries one WebSocket's bytes on one HTTP/2 stream (RFC 8441 §5): the stream's DATA
/// frames in as `ByteBuffer`s, the session's bytes out as DATA frames. It sits between an
/// HTTP/2 stream channel and a ``WebSocketSession``, which then runs exactly as on TCP.
///
/// The stream's ends stand for the TCP connection's: the session's last write before it
/// closes the transport (an empty buffer: "everything before is out") becomes an empty
/// DATA frame with END_STREAM, the orderly close of RFC 8441 §5; the peer's END_STREAM is
/// answered with ours, which closes the stream both ways, and the session sees the end of
/// stream as it would see a TCP FIN. Closing the channel before that resets the stream
/// (RST_STREAM CANCEL: the stream's "TCP reset"). Flow control is the stream's: reads are
/// asked for by the session, and a DATA frame's window is returned once it is delivered;
/// writability follows the stream's send window.
final class HTTP2StreamBytes: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = HTTP2Frame.FramePayload

    /// How long to wait for the peer's END_STREAM after ours before resetting the stream.
    let closeTimeout: TimeAmount
    var sentEndStream = false
    var receivedEndStream = false
    var pendingClose: (promise: EventLoopPromise<Void>?, task: Scheduled<Void>)?
    /// Bytes written since the stream last became unwritable (its queue past the high
    /// water mark: the peer's window is not opening): what the session's backpressure limit
    /// measures, to within the water mark. Counted without a promise per write, which cost
    /// an allocation per message.
    var pendingBytes = 0

    init(closeTimeout: TimeAmount) {
        self.closeTimeout = closeTimeout
    }

    /// Puts a stream's bytes handler and `session` right after `handler` (the stream's
    /// handshake handler, which then leaves): what both sides do once a stream is accepted.
    static func install(_ session: WebSocketSession, after handler: ChannelHandler, in pipeline: ChannelPipeline.SynchronousOperations, closeTimeout: TimeAmount) throws {
        let bytes = HTTP2StreamBytes(closeTimeout: closeTimeout)
        try pipeline.addHandler(bytes, position: .after(handler))
        try pipeline.addHandler(session, position: .after(bytes))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .data(let payload):
            if case .byteBuffer(let bytes) = payload.data, bytes.readableBytes > 0 {
                context.fireChannelRead(wrapInboundOut(bytes))
            }
            if payload.endStream { peerEnded(context: context) }
        case .headers(let headers):
            // Trailers carry nothing for a WebSocket; their END_STREAM still ends it.
            if headers.endStream { peerEnded(context: context) }
        default:
            break
        }
    }

    func peerEnded(context: ChannelHandlerContext) {
        receivedEndStream = true
        guard !sentEndStream else { return }
        sentEndStream = true
        context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(ByteBuffer()), endStream: true))), promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bytes = unwrapOutboundIn(data)
        guard !sentEndStream else {
            if bytes.readableBytes == 0 {
                promise?.succeed(())
            } else {
                promise?.fail(ChannelError.outputClosed)
            }
            return
        }
        let count = bytes.readableBytes
        if count == 0 {
            sentEndStream = true
        } else if !context.channel.isWritable {
            pendingBytes += count
        }
        context.write(wrapOutboundOut(.data(.init(data: .byteBuffer(bytes), endStream: sentEndStream))), promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard sentEndStream, !receivedEndStream, pendingClose == nil, context.channel.isActive else {
            context.close(mode: mode, promise: promise)
            return
        }
        // Our END_STREAM is out: give the peer a moment to send its own, which closes the
        // stream cleanly, before resetting it.
        let task = context.eventLoop.assumeIsolated().scheduleTask(in: closeTimeout) { [self] in
            guard let pending = pendingClose else { return }
            pendingClose = nil
            context.close(mode: mode, promise: pending.promise)
        }
        pendingClose = (promise, task)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pendingBytes = 0 }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let pending = pendingClose {
            pendingClose = nil
            pending.task.cancel()
            pending.promise?.succeed(())
        }
        context.fireChannelInactive()
    }
}
