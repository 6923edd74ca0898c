import CZlib

/// The one `z_stream` of a ``ZlibDeflater`` or ``ZlibInflater``: its allocation, reset,
/// input feeding and release, written once for both.
///
/// The `z_stream` lives at a fixed heap address for its whole life: zlib keeps a pointer
/// back to it and rejects a moved stream.
final class ZlibStream {
    /// Which half of zlib the stream belongs to; picks the `…Reset` and `…End` calls.
    enum Kind {
        case deflate, inflate
    }

    let kind: Kind
    /// The stream, valid for the life of this object.
    let pointer: UnsafeMutablePointer<z_stream>

    /// Allocates a zeroed stream and sets it up with `initialize` (a `deflateInit2` or
    /// `inflateInit2` call returning zlib's status), or returns `nil`, with the memory
    /// freed, if that fails (out of memory).
    ///
    /// - Precondition: `initialize` does not return `Z_STREAM_ERROR`, zlib's answer to
    ///   parameters it rejects.
    init?(_ kind: Kind, initialize: (UnsafeMutablePointer<z_stream>) -> Int32) {
        let pointer = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        pointer.initialize(to: z_stream())
        let status = initialize(pointer)
        guard status == Z_OK else {
            precondition(status != Z_STREAM_ERROR, "\(kind)Init2 rejected its parameters")
            pointer.deinitialize(count: 1)
            pointer.deallocate()
            return nil
        }
        self.kind = kind
        self.pointer = pointer
    }

    deinit {
        switch kind {
        case .deflate: deflateEnd(pointer)
        case .inflate: inflateEnd(pointer)
        }
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }

    /// Forgets the LZ77 window and any partial state, keeping the memory.
    func reset() {
        let status = kind == .deflate ? deflateReset(pointer) : inflateReset(pointer)
        precondition(status == Z_OK, "\(kind)Reset failed on a valid stream")
    }

    /// Points the stream's input at all of `input`, a piece at a time, calling `body` to
    /// consume each piece; clears the stream's buffer pointers afterwards.
    ///
    /// - Parameter body: runs zlib on the piece; its argument says whether it is the last.
    func feed<E: Error>(_ input: UnsafeRawBufferPointer, _ body: (_ isLast: Bool) throws(E) -> Void) throws(E) {
        defer {
            pointer.pointee.next_in = nil
            pointer.pointee.avail_in = 0
            pointer.pointee.next_out = nil
        }
        var offset = 0
        while offset < input.count {
            // avail_in is 32 bits: feed at most 1 GiB per step.
            let chunk = min(input.count - offset, 1 << 30)
            pointer.pointee.next_in = UnsafeMutablePointer(
                mutating: input.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self)
            )
            pointer.pointee.avail_in = uInt(chunk)
            offset += chunk
            try body(offset == input.count)
        }
    }
}
