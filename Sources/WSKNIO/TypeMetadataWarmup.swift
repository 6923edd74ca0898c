import NIOCore
import NIOHTTP1
import NIOHTTP2
import WSKCore

/// Builds, on the calling thread, the generic type metadata that the event loops would
/// otherwise build for the first time concurrently: the HTTP/1 parts, codecs and handlers
/// every connection's pipeline uses, and the HTTP/2 frame types.
///
/// Why: the Swift runtime can crash when two threads complete the same generic metadata at
/// once (swiftlang/swift#58414, still open: `swift_checkMetadataState` →
/// `isCanonicalStaticallySpecializedGenericMetadata` on a null pointer). A fresh-clone CI run
/// saw it in `wsk bench`: two event loops adding their first HTTP/1 client handlers at the
/// same moment, one instantiating `ByteToMessageHandler<HTTPResponseDecoder>` while the other
/// completed `HTTPPart`'s metadata (SIGSEGV). Once built, metadata is only read.
public enum TypeMetadataWarmup {
    /// Call once, before any event loop runs a connection.
    public static func run() {
        let handlers: [Any] = [
            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)),
            ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes)),
            HTTPRequestEncoder(),
            HTTPResponseEncoder(),
            NIOAny(HTTPClientRequestPart.end(nil)),
            NIOAny(HTTPServerResponsePart.end(nil)),
            NIOAny(HTTPClientResponsePart.end(nil)),
            NIOAny(HTTPServerRequestPart.end(nil)),
            NIOAny(HTTP2Frame.FramePayload.rstStream(.cancel)),
            NIOAny(HTTP2Frame(streamID: .rootStream, payload: .ping(HTTP2PingData(), ack: false))),
            NIOAny(ByteBuffer()),
        ]
        let types: [Any.Type] = [
            HTTPClientRequestPart.self, HTTPServerResponsePart.self, HTTPClientResponsePart.self, HTTPServerRequestPart.self,
            HTTP2Frame.self, HTTP2Frame.FramePayload.self, EventLoopPromise<Void>.self, EventLoopFuture<Void>.self,
            CircularBuffer<ByteBuffer>.self, WebSocketSession.self, HTTP2StreamBytes.self,
        ]
        keep(handlers, types)
    }

    @inline(never)
    static func keep(_ values: [Any], _ types: [Any.Type]) {
        withExtendedLifetime((values, types)) {}
    }
}
