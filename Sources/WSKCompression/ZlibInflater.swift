import CZlib
import NIOCore
import WSKCore

/// A raw-DEFLATE decompressor over one ``ZlibStream`` that never writes past a byte limit.
/// Internal to ``PerMessageDeflate``.
///
/// Output is produced at most ``chunkSize`` bytes per zlib call, straight into the
/// caller's `ByteBuffer`, and never beyond `limit`: once the buffer holds `limit` bytes, a
/// one-byte probe on the stack tells whether the stream has more, which is the
/// ``ProtocolViolation/Reason/inflatedMessageTooLarge(limit:)`` case. A 1000:1 "inflate
/// bomb" therefore costs at most `limit` bytes of buffer (rounded up to `ByteBuffer`'s
/// power-of-two capacity), never its inflated size.
final class ZlibInflater {
    /// The most bytes asked of zlib per call, and the step by which the output grows.
    let chunkSize: Int

    private let zlib: ZlibStream
    private var stream: UnsafeMutablePointer<z_stream> { zlib.pointer }
    /// Whether the last zlib call ended a DEFLATE stream (a block with BFINAL set).
    private var endedStream = false
    /// The LZ77 window carried across a BFINAL block; allocated on first use.
    private var dictionary: [UInt8] = []

    /// Creates the decompressor.
    ///
    /// - Parameters:
    ///   - windowBits: the window to decode with, 8...15. ``PerMessageDeflate`` always uses
    ///     15: zlib.h requires the inflate window to be "greater than or equal to the
    ///     windowBits value provided to deflateInit2()", and a 32 KiB window accepts a
    ///     stream made with any smaller one.
    ///   - chunkSize: the most output bytes per zlib call, at least 1.
    /// - Precondition: zlib can allocate the stream (it fails only when out of memory,
    ///   where Swift's own allocations trap too).
    init(windowBits: Int = 15, chunkSize: Int) {
        PerMessageDeflateOptions.checkWindowBits(windowBits, name: "windowBits")
        precondition(chunkSize >= 1, "chunk size must be positive")
        self.chunkSize = chunkSize
        let zlib = ZlibStream(.inflate) { wsk_inflateInit2($0, -Int32(windowBits)) }  // negative: raw DEFLATE
        guard let zlib else { preconditionFailure("inflateInit2 failed (out of memory)") }
        self.zlib = zlib
    }

    /// Forgets the LZ77 window and any partial block, ready for a new message.
    func reset() {
        zlib.reset()
        endedStream = false
    }

    /// Whether the input so far ends exactly between DEFLATE blocks, as a complete
    /// permessage-deflate message (with `00 00 ff ff` appended) must.
    ///
    /// zlib.h: `data_type` has "128 if inflate() returned immediately after decoding an
    /// end-of-block code or decoding the complete header up to just before the first byte
    /// of the deflate stream"; after a BFINAL block zlib reports `Z_STREAM_END` instead.
    var isAtBlockBoundary: Bool {
        endedStream || stream.pointee.data_type & 128 != 0
    }

    /// Inflates all of `input`, appending to `output`.
    ///
    /// - Throws: ``ProtocolViolation/Reason/invalidCompressedData`` for a corrupt stream;
    ///   ``ProtocolViolation/Reason/inflatedMessageTooLarge(limit:)`` as soon as `output`
    ///   would have to hold more than `limit` readable bytes.
    func inflate(_ input: UnsafeRawBufferPointer, into output: inout ByteBuffer, limit: Int)
        throws(ProtocolViolation.Reason)
    {
        try zlib.feed(input) { _ throws(ProtocolViolation.Reason) in
            try drainInput(into: &output, limit: limit)
        }
    }

    /// Runs zlib until `avail_in` is used up and no output is pending.
    private func drainInput(into output: inout ByteBuffer, limit: Int) throws(ProtocolViolation.Reason) {
        while true {
            let room = limit - output.readableBytes
            var status = Z_OK
            var outputFilled = false
            if room > 0 {
                // Never offer zlib more than `room`: the buffer cannot pass the limit.
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: min(chunkSize, room)) { buffer in
                    let space = min(buffer.count, room, Int(uInt.max))
                    stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(space)
                    status = CZlib.inflate(stream, Z_SYNC_FLUSH)
                    outputFilled = stream.pointee.avail_out == 0
                    return space - Int(stream.pointee.avail_out)
                }
            } else {
                // The buffer is at the limit: one more byte means the message is too large.
                // Probe with a byte on the stack so the buffer does not grow to find out.
                var probe: UInt8 = 0
                let produced = withUnsafeMutablePointer(to: &probe) { pointer in
                    stream.pointee.next_out = pointer
                    stream.pointee.avail_out = 1
                    status = CZlib.inflate(stream, Z_SYNC_FLUSH)
                    return 1 - Int(stream.pointee.avail_out)
                }
                if produced > 0 {
                    reset()
                    throw .inflatedMessageTooLarge(limit: limit)
                }
            }

            switch status {
            case Z_OK, Z_BUF_ERROR:
                // Z_BUF_ERROR: no progress was possible (all input used, no output pending).
                endedStream = false
            case Z_STREAM_END:
                // A block with BFINAL set (RFC 7692 §7.2.3.4). The message may go on with a
                // new DEFLATE stream that still refers to the window, so carry it over.
                restartKeepingWindow()
                endedStream = true
                outputFilled = false
            default:
                // Z_DATA_ERROR (corrupt stream, distance too far back, …), Z_NEED_DICT,
                // Z_MEM_ERROR: RFC 7692 §6.2 gives no way to recover.
                reset()
                throw .invalidCompressedData
            }

            if stream.pointee.avail_in == 0 && !outputFilled { return }
            if status == Z_BUF_ERROR && !outputFilled {
                // Input left, room left, yet no progress: cannot happen with a sane zlib;
                // stop rather than spin.
                reset()
                throw .invalidCompressedData
            }
        }
    }

    /// Starts a new DEFLATE stream after `Z_STREAM_END`, with the old stream's window as its
    /// dictionary so later back-references still resolve.
    private func restartKeepingWindow() {
        if dictionary.isEmpty { dictionary = [UInt8](repeating: 0, count: 1 << 15) }
        var length: uInt = 0
        // zlib.h: "dictionary must have enough space, where 32768 bytes is always enough".
        var status = dictionary.withUnsafeMutableBufferPointer { inflateGetDictionary(stream, $0.baseAddress, &length) }
        precondition(status == Z_OK, "inflateGetDictionary failed with \(status)")
        zlib.reset()
        if length > 0 {
            // zlib.h: "For raw inflate, this function can be called at any time to set the
            // dictionary."
            status = dictionary.withUnsafeBufferPointer { inflateSetDictionary(stream, $0.baseAddress, length) }
            precondition(status == Z_OK, "inflateSetDictionary failed with \(status)")
        }
    }
}
