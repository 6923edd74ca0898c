import CZlib
import NIOCore

/// A raw-DEFLATE compressor over one ``ZlibStream``, flushed with `Z_SYNC_FLUSH` after
/// each message. Internal to ``PerMessageDeflate``.
final class ZlibDeflater {
    /// zlib's default `memLevel` (hash chains of 2¹⁶ entries, about 256 KiB per stream with
    /// a 15-bit window); a balance of speed, ratio and memory that zlib itself picks.
    static let memoryLevel: Int32 = 8

    private let zlib: ZlibStream
    private var stream: UnsafeMutablePointer<z_stream> { zlib.pointer }

    /// Creates the compressor, or returns `nil` if zlib cannot (out of memory).
    ///
    /// - Parameters:
    ///   - level: zlib compression level, -1 (default) or 0...9.
    ///   - windowBits: the agreed window, 8...15. zlib rejects a raw 256-byte window
    ///     (zlib.h: "For raw deflate …, a request for a 256-byte window is rejected as
    ///     invalid"), so 8 is served by a 9-bit window with the `Z_RLE` strategy, whose
    ///     matches are all at distance one (zlib.h: "Z_RLE to limit match distances to
    ///     one"): every back-reference then lies inside any window, 256 bytes included.
    init?(level: Int32, windowBits: Int) {
        PerMessageDeflateOptions.checkWindowBits(windowBits, name: "windowBits")
        precondition(level == Z_DEFAULT_COMPRESSION || (0...9).contains(level), "compression level must be -1 or 0...9")
        let zlibWindowBits = -Int32(max(windowBits, 9))  // negative: raw DEFLATE, no zlib header
        let strategy = windowBits == 8 ? Z_RLE : Z_DEFAULT_STRATEGY
        let zlib = ZlibStream(.deflate) { wsk_deflateInit2WithStrategy($0, level, zlibWindowBits, Self.memoryLevel, strategy) }
        guard let zlib else { return nil }
        self.zlib = zlib
    }

    /// Forgets the LZ77 window, for `…_no_context_takeover` (RFC 7692 §7.1.1).
    func reset() {
        zlib.reset()
    }

    /// Compresses `input` and ends with a sync flush, returning the bytes with the flush's
    /// trailing `00 00 ff ff` removed (RFC 7692 §7.2.1) when `endsMessage`; a fragment
    /// before the last keeps it, so the next one continues the stream at a byte boundary.
    ///
    /// - Precondition: `input` is not empty. A sync flush with no new input makes zlib
    ///   return `Z_BUF_ERROR` and emit nothing, so the caller handles the empty message.
    func compress(_ input: ByteBuffer, allocator: ByteBufferAllocator, endsMessage: Bool = true) -> ByteBuffer {
        precondition(input.readableBytes > 0, "compress needs at least one byte")
        let count = input.readableBytes
        // deflateBound is the worst case for Z_FINISH; a sync flush adds an empty stored
        // block (5 bytes) and may need a few more bits. Large messages start smaller (text
        // usually shrinks to well under a quarter) and grow by doubling.
        let bound = Int(deflateBound(stream, uLong(count))) + 16
        var output = allocator.buffer(capacity: min(bound, max(4096, count / 4)))

        input.withUnsafeReadableBytes { raw in
            zlib.feed(raw) { isLast in
                let flush = isLast ? Z_SYNC_FLUSH : Z_NO_FLUSH
                var outputFilled = false
                repeat {
                    output.writeWithUnsafeMutableBytes(minimumWritableBytes: 64) { buffer in
                        let room = min(buffer.count, Int(uInt.max))
                        stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                        stream.pointee.avail_out = uInt(room)
                        let status = deflate(stream, flush)
                        // Z_BUF_ERROR only means "no progress possible", which the loop
                        // condition already handles; anything else is a programming error.
                        precondition(status == Z_OK || status == Z_BUF_ERROR, "deflate failed with \(status)")
                        outputFilled = stream.pointee.avail_out == 0
                        return room - Int(stream.pointee.avail_out)
                    }
                    // zlib.h: "If deflate returns with avail_out == 0, this function must be
                    // called again with the same value of the flush parameter".
                } while stream.pointee.avail_in > 0 || outputFilled
            }
        }

        // RFC 7692 §7.2.1: "Remove 4 octets (that are 0x00 0x00 0xff 0xff) from the tail end."
        // A completed Z_SYNC_FLUSH always ends with that empty stored block.
        precondition(
            output.readableBytes >= 4 && output.getInteger(at: output.writerIndex - 4, as: UInt32.self) == 0x0000_FFFF,
            "Z_SYNC_FLUSH output does not end with 00 00 ff ff"
        )
        if endsMessage { output.moveWriterIndex(to: output.writerIndex - 4) }
        return output
    }
}
