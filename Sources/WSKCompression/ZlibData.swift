import CZlib

/// Whole buffers in zlib format (RFC 1950: a deflate stream with a zlib header and an
/// Adler-32 trailer), for file formats that use it (HdrHistogram's compressed encoding in
/// `wsk bench --json`). WebSocket messages use ``PerMessageDeflate`` instead.
public enum ZlibData {
    /// The data did not inflate, or would inflate past the limit.
    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    /// `bytes` compressed at the default level.
    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = out.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &length, source.baseAddress, uLong(source.count), Z_DEFAULT_COMPRESSION)
            }
        }
        precondition(status == Z_OK, "compress2 failed with \(status)")
        return Array(out.prefix(Int(length)))
    }

    /// `bytes` inflated, refusing to produce more than `limit` bytes.
    public static func decompress(_ bytes: [UInt8], limit: Int) throws(Error) -> [UInt8] {
        guard let zlib = ZlibStream(.inflate, initialize: { wsk_inflateInit2($0, 15) }) else {
            throw Error(description: "out of memory")
        }
        let stream = zlib.pointer
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        bytes.withUnsafeBufferPointer { source in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.pointee.avail_in = uInt(source.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { buffer -> Int in
                    stream.pointee.next_out = buffer.baseAddress
                    stream.pointee.avail_out = uInt(buffer.count)
                    status = inflate(stream, Z_NO_FLUSH)
                    return buffer.count - Int(stream.pointee.avail_out)
                }
                out += chunk.prefix(produced)
            } while status == Z_OK && out.count <= limit && (stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0)
        }
        guard out.count <= limit else { throw Error(description: "inflates to more than \(limit) bytes") }
        guard status == Z_STREAM_END else { throw Error(description: "not complete zlib data") }
        return out
    }
}
