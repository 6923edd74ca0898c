/// The three reserved bits of a frame's first byte (RFC 6455 §5.2).
///
/// The raw values are the bit positions in the first byte, so `firstByte & 0x70`
/// converts directly. An extension negotiated in the handshake may give them a meaning
/// (permessage-deflate uses RSV1, RFC 7692 §6); otherwise they must be zero.
public struct ReservedBits: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The bits, positioned as in the frame's first byte (`0x40`, `0x20`, `0x10`).
    public let rawValue: UInt8

    /// Creates the set from first-byte bit positions; bits outside `0x70` are dropped.
    @inlinable
    public init(rawValue: UInt8) {
        self.rawValue = rawValue & 0x70
    }

    /// RSV1, `0x40`: "compressed" under permessage-deflate.
    public static let rsv1 = ReservedBits(rawValue: 0x40)
    /// RSV2, `0x20`.
    public static let rsv2 = ReservedBits(rawValue: 0x20)
    /// RSV3, `0x10`.
    public static let rsv3 = ReservedBits(rawValue: 0x10)
    /// All three bits.
    public static let all: ReservedBits = [.rsv1, .rsv2, .rsv3]

    /// `RSV1+RSV3`-style list, or `none`.
    public var description: String {
        var names: [String] = []
        if contains(.rsv1) { names.append("RSV1") }
        if contains(.rsv2) { names.append("RSV2") }
        if contains(.rsv3) { names.append("RSV3") }
        return names.isEmpty ? "none" : names.joined(separator: "+")
    }
}
