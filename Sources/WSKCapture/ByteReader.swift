/// Bounds-checked reads of big- or little-endian integers from a byte array.
///
/// Every read returns `nil` instead of trapping when the bytes run out: capture files come
/// from outside and may be truncated anywhere.
struct ByteReader {
    let bytes: [UInt8]
    var bigEndian: Bool

    init(_ bytes: [UInt8], bigEndian: Bool = true) {
        self.bytes = bytes
        self.bigEndian = bigEndian
    }

    func u8(at offset: Int) -> UInt8? {
        guard offset >= 0, offset < bytes.count else { return nil }
        return bytes[offset]
    }

    func u16(at offset: Int) -> UInt16? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        let a = UInt16(bytes[offset]), b = UInt16(bytes[offset + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    func u32(at offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        if bigEndian {
            for i in 0..<4 { value = value << 8 | UInt32(bytes[offset + i]) }
        } else {
            for i in (0..<4).reversed() { value = value << 8 | UInt32(bytes[offset + i]) }
        }
        return value
    }
}

extension ArraySlice where Element == UInt8 {
    /// Big-endian `UInt16` at `offset` from the slice's start, or `nil` past the end.
    func beU16(_ offset: Int) -> UInt16? {
        let at = startIndex + offset
        guard offset >= 0, at + 2 <= endIndex else { return nil }
        return UInt16(self[at]) << 8 | UInt16(self[at + 1])
    }

    /// Big-endian `UInt32` at `offset` from the slice's start, or `nil` past the end.
    func beU32(_ offset: Int) -> UInt32? {
        let at = startIndex + offset
        guard offset >= 0, at + 4 <= endIndex else { return nil }
        return UInt32(self[at]) << 24 | UInt32(self[at + 1]) << 16 | UInt32(self[at + 2]) << 8 | UInt32(self[at + 3])
    }

    /// The byte at `offset` from the slice's start, or `nil` past the end.
    func byte(_ offset: Int) -> UInt8? {
        let at = startIndex + offset
        guard offset >= 0, at < endIndex else { return nil }
        return self[at]
    }
}
