import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import WSKCore

/// A listening WebSocket server: a NIO server bootstrap whose connections start as
/// HTTP/1 (for the upgrade, and for plain pages) and become ``WebSocketSession``s.
public final class WebSocketServer: Sendable {
    /// The bound address (with the real port when asked for port 0).
    public let localAddress: SocketAddress
    /// The open sessions.
    public let registry: SessionRegistry
    let channel: Channel

    init(channel: Channel, registry: SessionRegistry) {
        self.channel = channel
        self.localAddress = channel.localAddress!
        self.registry = registry
    }

    /// Binds and starts accepting connections.
    public static func start(
        host: String,
        port: Int,
        configuration: WebSocketServerConfiguration,
        application: WebSocketServerApplication,
        group: EventLoopGroup
    ) async throws -> WebSocketServer {
        let registry = SessionRegistry()
        let connections = NIOLockedValueBox(0)
        let capacity = DescriptorBudget.connections
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            // Reads start at 512 B (most upgrade requests fit; a larger one takes a second
            // read) and adapt up to 256 KiB under load. NIO keeps each channel's last
            // receive buffer for reuse, so the starting size is what every idle connection
            // holds: at 4 KiB it made up half of an idle connection's 7.8 KB (heaptrack,
            // 5,000 idle connections).
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 256, initial: 512, maximum: 262_144))
            .childChannelInitializer { channel in
                // Connections beyond what the open-file limit allows are closed at once, so
                // the descriptor table never fills (see DescriptorBudget).
                let admitted = connections.withLockedValue { count -> Bool in
                    guard count < capacity else { return false }
                    count += 1
                    return true
                }
                guard admitted else {
                    let remote = channel.remoteAddress.map(ServerUpgradeHandler.describe) ?? "?"
                    application.upgradeRefused(
                        remoteAddress: remote, path: "", status: 0,
                        reason: "too many connections for the open-file limit (\(capacity) of ulimit -n \(DescriptorBudget.openFileLimit)); raise the limit")
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in connections.withLockedValue { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    try Self.configure(channel: channel, configuration: configuration, application: application, registry: registry)
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        return WebSocketServer(channel: channel, registry: registry)
    }

    static func configure(
        channel: Channel,
        configuration: WebSocketServerConfiguration,
        application: WebSocketServerApplication,
        registry: SessionRegistry
    ) throws {
        let sync = channel.pipeline.syncOperations
        let admission = ServerAdmission(configuration: configuration, application: application, registry: registry)
        let http1 = { (channel: Channel) throws in
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)), name: HTTPHandlerName.decoder)
            try sync.addHandler(HTTPResponseEncoder(), name: HTTPHandlerName.encoder)
            try sync.addHandler(ServerUpgradeHandler(configuration: configuration, application: application, registry: registry))
        }
        let http2 = { (channel: Channel) throws in try HTTP2ServerPipeline.configure(channel: channel, admission: admission) }
        if let tls = configuration.tls {
            try sync.addHandler(NIOSSLServerHandler(context: tls))
            if configuration.acceptsHTTP2OverTLS {
                // ALPN picks the version once the TLS handshake is done: h2, or HTTP/1.1
                // for a client that asked for it or for nothing.
                try sync.addHandler(ApplicationProtocolNegotiationHandler { result, channel in
                    channel.eventLoop.makeCompletedFuture {
                        if case .negotiated("h2") = result { try http2(channel) } else { try http1(channel) }
                    }
                })
                return
            }
        } else if configuration.acceptsH2C {
            try sync.addHandler(
                HTTPVersionSniffer(timeout: configuration.handshakeTimeout, http1: http1, http2: http2) { channel in
                    let remote = channel.remoteAddress.map(ServerUpgradeHandler.describe) ?? "?"
                    application.upgradeRefused(
                        remoteAddress: remote, path: "", status: 0,
                        reason: "no request within \(Double(configuration.handshakeTimeout.nanoseconds) / 1e9) s (handshake timeout)")
                })
            return
        }
        try http1(channel)
    }

    /// Stops accepting new connections.
    public func stopAccepting() async {
        try? await channel.close()
    }

    /// Closes every session with `code` and waits up to `timeout` for them to finish.
    public func closeAll(code: CloseCode, reason: String, timeout: TimeAmount) async {
        for session in registry.all {
            session.eventLoop.execute { session.close(code: code, reason: reason) }
        }
        let deadline = NIODeadline.now() + timeout
        while registry.count > 0 && NIODeadline.now() < deadline {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
    }
}
