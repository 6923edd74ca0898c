import CZlib
import NIOCore
import WSKCore

/// The permessage-deflate extension (RFC 7692) for one connection: compresses outgoing
/// messages and inflates incoming ones with the system zlib.
///
/// Build it from the agreed parameters (``PerMessageDeflateNegotiator``) and this
/// endpoint's role, and hand it to the `Connection`. It keeps one compressor and one
/// decompressor, created on first use and freed with the instance; with context takeover
/// each carries its LZ77 window from message to message (RFC 7692 §7.2.3.2).
///
/// **Sending** (``encode(_:)``): every non-empty message is compressed, as raw DEFLATE
/// ending in a `Z_SYNC_FLUSH` whose `00 00 ff ff` is removed (RFC 7692 §7.2.1). An empty
/// message becomes the single byte `00`, the empty stored block of RFC 7692 §7.2.3.6,
/// because zlib emits nothing for a repeated flush with no input. Tiny messages may grow by
/// a few bytes; `wsk` accepts that rather than add a size threshold, which keeps the output
/// predictable (the RFC 7692 §7.2.3 vectors reproduce byte for byte).
///
/// **Window 8 when sending.** zlib cannot compress raw DEFLATE with a 256-byte window
/// (zlib.h: "a request for a 256-byte window is rejected as invalid"), and the usual
/// workaround, compressing with a 9-bit window instead, breaks the promise made in the
/// handshake as far as zlib's documented contract goes. When the agreed send window is 8,
/// `wsk` compresses with a 9-bit window and the `Z_RLE` strategy, whose matches are all
/// at distance one (zlib.h: "Z_RLE to limit match distances to one"). The output is a valid
/// 256-byte-window stream, so `wsk` can accept `server_max_window_bits=8` as a server and
/// honour `client_max_window_bits=8` as a client; only the compression ratio suffers (runs
/// only, plus Huffman coding). (zlib's default strategy happens to keep distances under
/// 250 bytes at 9 bits, since it stops matches at `w_size - 262`, but zlib.h does not
/// promise that and other zlib implementations need not share it.)
///
/// **Receiving** (``decode(_:isFinal:into:limit:)``): each frame is inflated as it
/// arrives, with a 15-bit window whatever was agreed, since a 32 KiB window accepts
/// streams made with any smaller one. The final frame gets `00 00 ff ff` appended
/// (RFC 7692 §7.2.2) and must then end between DEFLATE blocks; a message cut short is
/// ``ProtocolViolation/Reason/invalidCompressedData``. Output grows in steps of at most
/// ``inflateChunkSize`` and never past `limit` (see ``decode(_:isFinal:into:limit:)``).
///
/// - Note: Not `Sendable`. It belongs to one connection and is used from one task or event
///   loop at a time, like the `Connection` that owns it.
public final class PerMessageDeflate: WebSocketExtension {
    /// zlib's default compression level (6), a good speed/ratio trade-off for messages.
    public static let defaultCompressionLevel = 6

    /// The most inflated bytes produced per zlib call: 64 KiB. Output capacity grows by
    /// this step at most, so memory tracks what a message really inflates to.
    public static let inflateChunkSize = 64 * 1024

    /// `permessage-deflate`.
    public var name: String { PerMessageDeflateNegotiator.extensionName }

    /// ``ReservedBits/rsv1``, the "Per-Message Compressed" bit (RFC 7692 §6).
    public var reservedBits: ReservedBits { .rsv1 }

    /// The agreed parameters, from this endpoint's point of view.
    public let configuration: PerMessageDeflateConfiguration

    /// The zlib compression level used when sending: 0 (stored) to 9 (smallest).
    public let compressionLevel: Int

    private let allocator = ByteBufferAllocator()
    private var deflater: ZlibDeflater?
    private var inflater: ZlibInflater?

    /// Creates the extension from a send/receive configuration.
    ///
    /// - Parameters:
    ///   - configuration: the agreed parameters for this endpoint.
    ///   - compressionLevel: zlib level 0...9; default ``defaultCompressionLevel``.
    /// - Precondition: `compressionLevel` is in 0...9.
    public init(configuration: PerMessageDeflateConfiguration, compressionLevel: Int = defaultCompressionLevel) {
        precondition((0...9).contains(compressionLevel), "compressionLevel must be in 0...9, got \(compressionLevel)")
        self.configuration = configuration
        self.compressionLevel = compressionLevel
    }

    /// Creates the extension for `role` from the parameters agreed in the handshake.
    ///
    /// - Precondition: `compressionLevel` is in 0...9.
    public convenience init(
        parameters: PerMessageDeflateParameters,
        role: Role,
        compressionLevel: Int = defaultCompressionLevel
    ) {
        self.init(configuration: parameters.configuration(for: role), compressionLevel: compressionLevel)
    }

    /// Compresses one outgoing message payload.
    ///
    /// - Returns: the compressed payload, to be sent with RSV1 on the first frame: `00` for
    ///   an empty payload. `nil` (send uncompressed) only if zlib cannot allocate its
    ///   compressor, which leaves no trace in the LZ77 window.
    public func encode(_ payload: ByteBuffer) -> ByteBuffer? {
        guard payload.readableBytes > 0 else {
            // RFC 7692 §7.2.3.6: an empty stored block, 00 00 00 ff ff, minus its tail.
            // It adds nothing to the window, so the compressor is untouched.
            var empty = allocator.buffer(capacity: 1)
            empty.writeInteger(UInt8(0))
            return empty
        }
        if deflater == nil {
            deflater = ZlibDeflater(level: Int32(compressionLevel), windowBits: configuration.sendMaxWindowBits)
        }
        guard let deflater else { return nil }
        let compressed = deflater.compress(payload, allocator: allocator)
        if configuration.sendNoContextTakeover {
            deflater.reset()
        }
        return compressed
    }

    /// Compresses one fragment of a message sent in several frames: each is deflated with
    /// a sync flush as it comes, and only the last drops the flush's `00 00 ff ff`
    /// (RFC 7692 §7.2.1 removes it from the tail end of the whole message).
    public func encodeFragment(_ payload: ByteBuffer, isFirst: Bool, isFinal: Bool) -> ByteBuffer? {
        if isFirst && isFinal { return encode(payload) }
        if deflater == nil {
            deflater = ZlibDeflater(level: Int32(compressionLevel), windowBits: configuration.sendMaxWindowBits)
        }
        guard let deflater else { return nil }
        let compressed: ByteBuffer
        if payload.readableBytes > 0 {
            compressed = deflater.compress(payload, allocator: allocator, endsMessage: isFinal)
        } else if isFinal {
            // The stream so far ends at a block boundary (a sync flush); the receiver's
            // appended 00 00 ff ff completes an empty stored block whose header bits must
            // come from here: one 00 byte, as for an empty message (RFC 7692 §7.2.3.6).
            var header = allocator.buffer(capacity: 1)
            header.writeInteger(UInt8(0))
            compressed = header
        } else {
            compressed = allocator.buffer(capacity: 0)  // adds nothing to the stream
        }
        if isFinal && configuration.sendNoContextTakeover {
            deflater.reset()
        }
        return compressed
    }

    /// Inflates one frame of a compressed message into `output`.
    ///
    /// Call it for every frame of a message whose first frame had RSV1 set, in order,
    /// with `isFinal` on the last.
    ///
    /// - Parameters:
    ///   - payload: the frame's unmasked payload (possibly empty).
    ///   - isFinal: whether this frame ends the message; then `00 00 ff ff` is appended
    ///     (RFC 7692 §7.2.2: "Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the
    ///     payload of the message") and the window is reset if the peer does not take over
    ///     context.
    ///   - output: the message so far; inflated bytes are appended.
    ///   - limit: the most readable bytes `output` may hold. Inflation stops, and throws,
    ///     before writing byte `limit + 1`; `output`'s capacity never has to exceed
    ///     `readerIndex + limit` rounded up to a power of two.
    /// - Throws: ``ProtocolViolation/Reason/invalidCompressedData`` (close code 1007) if the
    ///   data does not inflate or the message ends mid-block;
    ///   ``ProtocolViolation/Reason/inflatedMessageTooLarge(limit:)`` (1009) past `limit`.
    ///   After a throw the decompressor is reset; the connection is expected to fail.
    public func decode(
        _ payload: ByteBuffer,
        isFinal: Bool,
        into output: inout ByteBuffer,
        limit: Int
    ) throws(ProtocolViolation.Reason) {
        let inflater: ZlibInflater
        if let existing = self.inflater {
            inflater = existing
        } else {
            inflater = ZlibInflater(windowBits: 15, chunkSize: Self.inflateChunkSize)
            self.inflater = inflater
        }

        if payload.readableBytes > 0 {
            try payload.withUnsafeReadableBytes { (raw) throws(ProtocolViolation.Reason) in
                try inflater.inflate(raw, into: &output, limit: limit)
            }
        }
        guard isFinal else { return }

        try withUnsafeBytes(of: Self.flushTrailer) { (raw) throws(ProtocolViolation.Reason) in
            try inflater.inflate(raw, into: &output, limit: limit)
        }
        // With the trailer, a whole message ends exactly between blocks; anything else means
        // the payload stopped mid-block (truncated or not a permessage-deflate message).
        guard inflater.isAtBlockBoundary else {
            inflater.reset()
            throw .invalidCompressedData
        }
        if configuration.receiveNoContextTakeover {
            inflater.reset()
        }
    }

    /// `00 00 ff ff`, the empty stored block a sync flush ends with (RFC 7692 §7.2.1).
    private static let flushTrailer: (UInt8, UInt8, UInt8, UInt8) = (0x00, 0x00, 0xFF, 0xFF)
}
