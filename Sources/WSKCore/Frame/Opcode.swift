/// A frame opcode: the low four bits of a frame's first byte (RFC 6455 §5.2).
///
/// All sixteen values are representable, including the reserved ones (0x3–0x7 and
/// 0xB–0xF), so that tools such as `frame-dump` can show exactly what a peer sent.
public struct Opcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The opcode's four-bit value, `0...15`.
    public let rawValue: UInt8

    /// Creates an opcode from its four-bit value; `nil` when `rawValue > 15`.
    @inlinable
    public init?(rawValue: UInt8) {
        guard rawValue <= 0x0F else { return nil }
        self.rawValue = rawValue
    }

    @inlinable
    init(uncheckedRawValue: UInt8) {
        self.rawValue = uncheckedRawValue
    }

    /// 0x0: continues a fragmented message.
    public static let continuation = Opcode(uncheckedRawValue: 0x0)
    /// 0x1: the first frame of a text (UTF-8) message.
    public static let text = Opcode(uncheckedRawValue: 0x1)
    /// 0x2: the first frame of a binary message.
    public static let binary = Opcode(uncheckedRawValue: 0x2)
    /// 0x8: a close frame.
    public static let close = Opcode(uncheckedRawValue: 0x8)
    /// 0x9: a ping.
    public static let ping = Opcode(uncheckedRawValue: 0x9)
    /// 0xA: a pong.
    public static let pong = Opcode(uncheckedRawValue: 0xA)

    /// Whether this is a control opcode (the high bit of the nibble is set, RFC 6455 §5.5).
    @inlinable
    public var isControl: Bool { rawValue & 0x08 != 0 }

    /// Whether this is a data opcode, including continuation and the reserved
    /// non-control values (RFC 6455 §5.6).
    @inlinable
    public var isData: Bool { rawValue & 0x08 == 0 }

    /// Whether RFC 6455 reserves this opcode for future use (0x3–0x7, 0xB–0xF, §5.2).
    @inlinable
    public var isReserved: Bool {
        switch rawValue {
        case 0x0, 0x1, 0x2, 0x8, 0x9, 0xA: return false
        default: return true
        }
    }

    /// A short lowercase name: `text`, `binary`, `continuation`, `close`, `ping`, `pong`,
    /// or `reserved-0x3` for reserved values.
    public var name: String {
        switch rawValue {
        case 0x0: return "continuation"
        case 0x1: return "text"
        case 0x2: return "binary"
        case 0x8: return "close"
        case 0x9: return "ping"
        case 0xA: return "pong"
        default:
            let hex = String(rawValue, radix: 16, uppercase: true)
            return "reserved-0x\(hex)"
        }
    }

    /// The same as ``name``.
    public var description: String { name }
}
