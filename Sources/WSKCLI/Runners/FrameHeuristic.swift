/// Recognising WebSocket frames and TLS records in bytes that did not start with a
/// handshake (tshark's heuristic dissector does the same for WebSocket).
enum FrameHeuristic {
    /// A TLS record header: handshake, alert, change-cipher-spec or application data,
    /// version 3.x (SSL 3.0 to TLS 1.3).
    static func looksLikeTLS(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 5 else { return false }
        let start = bytes.startIndex
        return (20...23).contains(bytes[start]) && bytes[start + 1] == 3 && bytes[start + 2] <= 4
    }

    /// The total length of a frame whose header starts at `offset`, when the header is
    /// plausible: a known opcode, RSV bits clear (or RSV1 on a first data frame, for
    /// permessage-deflate), the mask bit as given, control frames final and short, lengths
    /// minimally encoded.
    static func frameLength(at offset: Int, in bytes: ArraySlice<UInt8>, masked: Bool) -> Int? {
        let start = bytes.startIndex + offset
        guard bytes.endIndex - start >= 2 else { return nil }
        let first = bytes[start], second = bytes[start + 1]
        let opcode = first & 0x0F
        guard [0, 1, 2, 8, 9, 10].contains(opcode), (second & 0x80 != 0) == masked else { return nil }
        let rsv = first & 0x70
        guard rsv == 0 || (rsv == 0x40 && (opcode == 1 || opcode == 2)) else { return nil }
        var length = Int(second & 0x7F)
        var header = 2
        if opcode >= 8 && (first & 0x80 == 0 || length > 125) { return nil }
        if length == 126 {
            guard bytes.endIndex - start >= 4 else { return nil }
            length = Int(bytes[start + 2]) << 8 | Int(bytes[start + 3])
            guard length >= 126 else { return nil }
            header = 4
        } else if length == 127 {
            guard bytes.endIndex - start >= 10, bytes[start + 2] == 0, bytes[start + 3] == 0, bytes[start + 4] == 0 else { return nil }
            length = 0
            for index in 2..<10 { length = length << 8 | Int(bytes[start + index]) }
            guard length > 0xFFFF else { return nil }
            header = 10
        }
        return header + (masked ? 4 : 0) + length
    }

    /// The first offset (within the first 64 KiB) where a plausible frame starts that
    /// ends exactly at the end of the bytes or is followed by another plausible frame.
    static func firstPlausibleFrame(in bytes: ArraySlice<UInt8>, masked: Bool) -> Int? {
        let count = bytes.count
        for offset in 0..<min(count, 64 * 1024) {
            guard let length = frameLength(at: offset, in: bytes, masked: masked) else { continue }
            let next = offset + length
            if next == count || (next < count && frameLength(at: next, in: bytes, masked: masked) != nil) {
                return offset
            }
        }
        return nil
    }
}
