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

    /// The connection and stream configurations both sides use, with `settings` as the
    /// first SETTINGS. WebSocket streams are long-lived and carry many small DATA frames: a
    /// stream window of 256 KiB lets one run at full speed, and many share the connection's
    /// 1 MiB; a stream's channel is unwritable past 64 KiB queued, as a socket's.
    static func configurations(settings: HTTP2Settings) -> (NIOHTTP2Handler.ConnectionConfiguration, NIOHTTP2Handler.StreamConfiguration) {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = settings
        connection.targetWindowSize = 1 << 20
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = 256 * 1024
        stream.outboundBufferSizeHighWatermark = 64 * 1024
        stream.outboundBufferSizeLowWatermark = 32 * 1024
        return (connection, stream)
    }

    /// Adds the HTTP/2 handlers at the end of `channel`'s pipeline. On the event loop.
    static func configure(channel: Channel, admission: ServerAdmission) throws {
        let (connection, stream) = configurations(settings: settings)
        let watchdog = HTTP2IdleWatchdog(channel: channel, timeout: admission.configuration.handshakeTimeout) {
            let remote = channel.remoteAddress.map(ServerUpgradeHandler.describe) ?? "?"
            admission.application.upgradeRefused(
                remoteAddress: remote, path: "", status: 0,
                reason: "HTTP/2 connection without a stream for \(Double(admission.configuration.handshakeTimeout.nanoseconds) / 1e9) s (handshake timeout)")
        }
        _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
            mode: .server,
            connectionConfiguration: connection,
            streamConfiguration: stream,
            streamDelegate: watchdog
        ) { streamChannel in
            streamChannel.eventLoop.makeCompletedFuture {
                try streamChannel.pipeline.syncOperations.addHandler(HTTP2ServerStreamHandler(admission: admission))
            }
        }
    }
}

/// Closes an HTTP/2 connection that has no stream open for the handshake timeout: as an
/// HTTP/1.1 connection that sends no request is dropped, so is one that opens no stream
/// (or none since its last one closed). Streams that carry WebSockets keep it open; their
/// own idle timeouts apply to them.
final class HTTP2IdleWatchdog: NIOHTTP2StreamDelegate, @unchecked Sendable {
    let channel: Channel
    let timeout: TimeAmount
    let onTimeout: @Sendable () -> Void
    /// On the channel's event loop only.
    var open = 0
    var task: Scheduled<Void>?

    init(channel: Channel, timeout: TimeAmount, onTimeout: @escaping @Sendable () -> Void) {
        self.channel = channel
        self.timeout = timeout
        self.onTimeout = onTimeout
        arm()
    }

    func arm() {
        task?.cancel()
        let channel = self.channel
        let onTimeout = self.onTimeout
        task = channel.eventLoop.scheduleTask(in: timeout) {
            onTimeout()
            channel.close(promise: nil)
        }
    }

    func streamCreated(_ id: HTTP2StreamID, channel: Channel) {
        open += 1
        task?.cancel()
        task = nil
    }

    func streamClosed(_ id: HTTP2StreamID, channel: Channel) {
        open -= 1
        if open == 0 { arm() }
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
