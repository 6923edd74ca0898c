/// A TCP segment with the addresses of the IP packet that carried it.
public struct TCPSegment: Hashable, Sendable {
    /// Where it came from.
    public var source: TCPEndpoint
    /// Where it went.
    public var destination: TCPEndpoint
    /// The sequence number of the first payload byte (or of the SYN/FIN).
    public var sequenceNumber: UInt32
    /// The acknowledgement number (meaningful when ``isACK``).
    public var acknowledgementNumber: UInt32
    /// The flag bits (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10).
    public var flags: UInt8
    /// The segment's payload.
    public var payload: ArraySlice<UInt8>

    /// Creates a segment.
    public init(
        source: TCPEndpoint,
        destination: TCPEndpoint,
        sequenceNumber: UInt32,
        acknowledgementNumber: UInt32 = 0,
        flags: UInt8,
        payload: ArraySlice<UInt8>
    ) {
        self.source = source
        self.destination = destination
        self.sequenceNumber = sequenceNumber
        self.acknowledgementNumber = acknowledgementNumber
        self.flags = flags
        self.payload = payload
    }

    /// FIN.
    public var isFIN: Bool { flags & 0x01 != 0 }
    /// SYN.
    public var isSYN: Bool { flags & 0x02 != 0 }
    /// RST.
    public var isRST: Bool { flags & 0x04 != 0 }
    /// ACK.
    public var isACK: Bool { flags & 0x10 != 0 }
}

/// Finds the TCP segment inside a captured frame: link layer (``LinkType``), then IPv4 or
/// IPv6 (skipping IPv6 extension headers), then TCP.
///
/// Returns `nil` for anything else: other protocols, IP fragments (not reassembled),
/// truncated headers. Ethernet padding is removed using the IP length fields.
public enum PacketDecoder {
    /// The TCP segment in `packet`, or `nil`.
    public static func tcpSegment(in packet: CapturedPacket) -> TCPSegment? {
        guard let ip = ipPacket(in: packet.data, linkType: packet.linkType) else { return nil }
        return tcpSegment(inIP: ip)
    }

    /// The bytes from the IP header on, or `nil` if the link type is unknown or the frame is
    /// not IP.
    public static func ipPacket(in data: ArraySlice<UInt8>, linkType: LinkType) -> ArraySlice<UInt8>? {
        switch linkType.rawValue {
        case 0, 108:
            // BSD NULL / OpenBSD LOOP: a 4-byte address family in host or network order
            // (AF_INET6 differs between systems), so dispatch on the IP version nibble.
            return data.count > 4 ? data.dropFirst(4) : nil
        case 1:
            var offset = 12
            guard var etherType = data.beU16(offset) else { return nil }
            // 802.1Q / 802.1ad VLAN tags: 4 bytes each.
            while etherType == 0x8100 || etherType == 0x88A8 {
                offset += 4
                guard let next = data.beU16(offset) else { return nil }
                etherType = next
            }
            guard etherType == 0x0800 || etherType == 0x86DD else { return nil }
            return data.dropFirst(offset + 2)
        case 12, 14, 101, 228, 229:
            return data
        case 113:
            // Linux cooked v1: packet type, ARPHRD, address length, 8-byte address, protocol.
            guard let proto = data.beU16(14), proto == 0x0800 || proto == 0x86DD else { return nil }
            return data.dropFirst(16)
        case 276:
            // Linux cooked v2: protocol first, then reserved, ifindex, ARPHRD, type, addr.
            guard let proto = data.beU16(0), proto == 0x0800 || proto == 0x86DD else { return nil }
            return data.dropFirst(20)
        default:
            return nil
        }
    }

    /// The TCP segment in an IP packet, or `nil`.
    public static func tcpSegment(inIP ip: ArraySlice<UInt8>) -> TCPSegment? {
        guard let first = ip.byte(0) else { return nil }
        let source: IPAddress
        let destination: IPAddress
        var tcp: ArraySlice<UInt8>
        switch first >> 4 {
        case 4:
            let headerLength = Int(first & 0x0F) * 4
            guard headerLength >= 20, let total = ip.beU16(2).map(Int.init), total >= headerLength,
                ip.count >= headerLength, ip.byte(9) == 6, let fragment = ip.beU16(6)
            else { return nil }
            // More-fragments set or a non-zero offset: a fragment, which is not reassembled.
            guard fragment & 0x3FFF == 0 else { return nil }
            let s = ip.startIndex
            source = .v4(ip[s + 12], ip[s + 13], ip[s + 14], ip[s + 15])
            destination = .v4(ip[s + 16], ip[s + 17], ip[s + 18], ip[s + 19])
            // A total length of 0 appears with TCP segmentation offload; then trust the capture.
            let end = total == 0 ? ip.endIndex : min(ip.endIndex, s + total)
            tcp = ip[(s + headerLength)..<end]
        case 6:
            guard ip.count >= 40, let payloadLength = ip.beU16(4).map(Int.init), var next = ip.byte(6) else {
                return nil
            }
            let s = ip.startIndex
            source = .v6(Array(ip[(s + 8)..<(s + 24)]))
            destination = .v6(Array(ip[(s + 24)..<(s + 40)]))
            let end = payloadLength == 0 ? ip.endIndex : min(ip.endIndex, s + 40 + payloadLength)
            var rest = ip[(s + 40)..<end]
            // Extension headers: hop-by-hop (0), routing (43), destination options (60),
            // fragment (44), authentication (51).
            while next != 6 {
                guard let nextHeader = rest.byte(0), let lengthField = rest.byte(1) else { return nil }
                let length: Int
                switch next {
                case 0, 43, 60: length = (Int(lengthField) + 1) * 8
                case 44:
                    guard let offsetAndFlags = rest.beU16(2), offsetAndFlags & 0xFFF9 == 0 else { return nil }
                    length = 8
                case 51: length = (Int(lengthField) + 2) * 4
                default: return nil
                }
                guard rest.count >= length else { return nil }
                rest = rest.dropFirst(length)
                next = nextHeader
            }
            tcp = rest
        default:
            return nil
        }
        guard let sourcePort = tcp.beU16(0), let destinationPort = tcp.beU16(2), let sequence = tcp.beU32(4),
            let acknowledgement = tcp.beU32(8), let offsetByte = tcp.byte(12), let flags = tcp.byte(13)
        else { return nil }
        let dataOffset = Int(offsetByte >> 4) * 4
        guard dataOffset >= 20, tcp.count >= dataOffset else { return nil }
        return TCPSegment(
            source: TCPEndpoint(address: source, port: sourcePort),
            destination: TCPEndpoint(address: destination, port: destinationPort),
            sequenceNumber: sequence,
            acknowledgementNumber: acknowledgement,
            flags: flags,
            payload: tcp.dropFirst(dataOffset)
        )
    }
}
