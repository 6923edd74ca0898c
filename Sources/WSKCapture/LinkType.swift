/// A capture's link-layer header type (the tcpdump.org `LINKTYPE_` registry).
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The registry value.
    public let rawValue: UInt32

    /// Wraps any value; unknown ones are reported, not rejected.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// 0: BSD loopback, a 4-byte address family in the capturing host's byte order.
    public static let null = LinkType(rawValue: 0)
    /// 1: Ethernet II (with optional 802.1Q/802.1ad VLAN tags).
    public static let ethernet = LinkType(rawValue: 1)
    /// 101: raw IPv4 or IPv6, no link header.
    public static let raw = LinkType(rawValue: 101)
    /// 108: OpenBSD loopback, the address family in network byte order.
    public static let loop = LinkType(rawValue: 108)
    /// 113: Linux "cooked" capture v1 (16-byte header), as from `tcpdump -i any`.
    public static let linuxSLL = LinkType(rawValue: 113)
    /// 228: raw IPv4.
    public static let ipv4 = LinkType(rawValue: 228)
    /// 229: raw IPv6.
    public static let ipv6 = LinkType(rawValue: 229)
    /// 276: Linux "cooked" capture v2 (20-byte header).
    public static let linuxSLL2 = LinkType(rawValue: 276)

    /// Whether ``LinkLayer`` can find the IP packet inside this type's frames.
    public var isSupported: Bool {
        switch rawValue {
        case 0, 1, 12, 14, 101, 108, 113, 228, 229, 276: return true
        default: return false
        }
    }

    /// `ethernet (1)`.
    public var description: String {
        let name: String
        switch rawValue {
        case 0: name = "null/loopback"
        case 1: name = "ethernet"
        case 12, 14, 101: name = "raw IP"
        case 108: name = "loop"
        case 113: name = "linux-sll"
        case 228: name = "raw IPv4"
        case 229: name = "raw IPv6"
        case 276: name = "linux-sll2"
        default: name = "unknown"
        }
        return "\(name) (\(rawValue))"
    }
}
