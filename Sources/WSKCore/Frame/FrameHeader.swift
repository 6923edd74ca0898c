/// A parsed frame header (RFC 6455 §5.2), before any rule is checked.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-------+-+-------------+-------------------------------+
/// |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
/// |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
/// |N|V|V|V|       |S|             |   (if payload len==126/127)   |
/// | |1|2|3|       |K|             |                               |
/// ```
public struct FrameHeader: Hashable, Sendable {
    /// FIN.
    public var isFinal: Bool
    /// RSV1–RSV3.
    public var reservedBits: ReservedBits
    /// The opcode.
    public var opcode: Opcode
    /// The masking key, if the MASK bit was set.
    public var maskingKey: MaskingKey?
    /// The payload length as sent (up to 2⁶⁴−1; see ``hasLengthHighBit``).
    public var payloadLength: UInt64
    /// The header's size on the wire: 2 to 14 bytes.
    public var encodedLength: Int
    /// Whether the length was not encoded in the minimal number of bytes.
    public var hasNonMinimalLength: Bool
    /// Whether a 64-bit length had its most significant bit set (RFC 6455 §5.2: "the
    /// most significant bit MUST be 0").
    public var hasLengthHighBit: Bool

    /// The outcome of trying to parse a header from the start of some bytes.
    public enum ParseResult: Hashable, Sendable {
        /// More bytes are needed: at least this many in total.
        case needMore(Int)
        /// A complete header.
        case header(FrameHeader)
    }

    /// Parses a header from the start of `bytes`, reading at most 14 bytes.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> ParseResult {
        let count = bytes.count
        guard count >= 2 else { return .needMore(2) }
        let b0 = bytes[0]
        let b1 = bytes[1]
        let masked = b1 & 0x80 != 0
        let length7 = b1 & 0x7F
        let lengthBytes = length7 == 126 ? 2 : (length7 == 127 ? 8 : 0)
        let headerLength = 2 + lengthBytes + (masked ? 4 : 0)
        guard count >= headerLength else { return .needMore(headerLength) }
        var length: UInt64
        var nonMinimal = false
        var highBit = false
        switch lengthBytes {
        case 2:
            length = UInt64(bytes[2]) << 8 | UInt64(bytes[3])
            nonMinimal = length < 126
        case 8:
            length = 0
            for index in 2..<10 { length = length << 8 | UInt64(bytes[index]) }
            highBit = length >> 63 != 0
            nonMinimal = length <= 0xFFFF
        default:
            length = UInt64(length7)
        }
        var maskingKey: MaskingKey? = nil
        if masked {
            let at = 2 + lengthBytes
            maskingKey = MaskingKey(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3])
        }
        return .header(
            FrameHeader(
                isFinal: b0 & 0x80 != 0,
                reservedBits: ReservedBits(rawValue: b0),
                opcode: Opcode(uncheckedRawValue: b0 & 0x0F),
                maskingKey: maskingKey,
                payloadLength: length,
                encodedLength: headerLength,
                hasNonMinimalLength: nonMinimal,
                hasLengthHighBit: highBit
            )
        )
    }
}
