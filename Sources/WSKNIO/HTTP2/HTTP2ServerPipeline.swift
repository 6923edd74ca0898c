import NIOCore
import NIOHTTP2
import NIOTLS

/// The HTTP/2 side of a server connection: the connection handler with the settings that
/// allow WebSockets (RFC 8441 §3), and a ``HTTP2ServerStreamHandler`` on every stream the
/// client opens.
enum HTTP2ServerPipeline {
    /// The most streams a client may have open at once on one connection
    /// (SETTINGS_MAX_CONCURRENT_STREAMS); each WebSocket holds one.
    static let maxConcurrentStreams = 256

    /// The SETTINGS the server sends first: SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 lets the
    /// client open WebSockets with an extended CONNECT (RFC 8441 §3).
    static var settings: HTTP2Settings {
        [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: maxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: 16_384),
            HTTP2Setting(parameter: .enableConnectProtocol, value: 1),
        ]
    }

    /// Adds the HTTP/2 handlers at the end of `channel`'s pipeline. On the event loop.
    static func configure(channel: Channel, admission: ServerAdmission) throws {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = settings
        // WebSocket streams are long-lived and carry many small DATA frames; a window as
        // large as a TCP connection's lets a stream run at full speed, and many streams
        // share the connection's.
        connection.targetWindowSize = 1 << 20
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = 256 * 1024
        stream.outboundBufferSizeHighWatermark = 64 * 1024
        stream.outboundBufferSizeLowWatermark = 32 * 1024
        _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
            mode: .server,
            connectionConfiguration: connection,
            streamConfiguration: stream
        ) { streamChannel in
            streamChannel.eventLoop.makeCompletedFuture {
                try streamChannel.pipeline.syncOperations.addHandler(HTTP2ServerStreamHandler(admission: admission))
            }
        }
    }
}

/// Chooses HTTP/1.1 or HTTP/2 on a cleartext connection by its first bytes: the HTTP/2
/// connection preface (RFC 9113 §3.4, "prior knowledge": `PRI * HTTP/2.0…`) or anything
/// else. It keeps what it read, installs the chosen handlers after itself, passes the
/// bytes on and leaves. A client that sends nothing is dropped after the handshake
/// timeout, as on HTTP/1.1.
final class HTTPVersionSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    let http1: (Channel) throws -> Void
    let http2: (Channel) throws -> Void
    let timeout: TimeAmount
    let onTimeout: @Sendable (Channel) -> Void
    var buffered: ByteBuffer?
    var timeoutTask: Scheduled<Void>?

    init(timeout: TimeAmount, http1: @escaping (Channel) throws -> Void, http2: @escaping (Channel) throws -> Void, onTimeout: @escaping @Sendable (Channel) -> Void) {
        self.timeout = timeout
        self.http1 = http1
        self.http2 = http2
        self.onTimeout = onTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let onTimeout = self.onTimeout
        timeoutTask = context.eventLoop.scheduleTask(in: timeout) {
            onTimeout(channel)
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeoutTask?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if buffered == nil {
            buffered = bytes
        } else {
            buffered!.writeBuffer(&bytes)
        }
        guard let seen = buffered else { return }
        let count = min(seen.readableBytes, Self.preface.count)
        let matches = seen.readableBytesView.prefix(count).elementsEqual(Self.preface.prefix(count))
        if matches && count < Self.preface.count { return }  // wait for the rest of the preface
        choose(matches ? http2 : http1, context: context)
    }

    func choose(_ configure: (Channel) throws -> Void, context: ChannelHandlerContext) {
        timeoutTask?.cancel()
        do {
            try configure(context.channel)
        } catch {
            context.close(promise: nil)
            return
        }
        if let bytes = buffered {
            buffered = nil
            context.fireChannelRead(wrapInboundOut(bytes))
            context.fireChannelReadComplete()
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
