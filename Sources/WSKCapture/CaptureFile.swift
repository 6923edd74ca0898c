/// Reads the packets of a classic pcap or a pcapng file.
///
/// - pcap: both byte orders, microsecond (`a1b2c3d4`) and nanosecond (`a1b23c4d`) magic.
/// - pcapng: Section Header, Interface Description (with `if_tsresol`), Enhanced Packet,
///   Simple Packet and the obsolete Packet block; each section has its own byte order and
///   interfaces, and each interface its own link type. Other blocks are skipped.
///
/// A file truncated in the middle of a record yields the packets before it.
public enum CaptureFile {
    /// The container format.
    public enum Format: Hashable, Sendable {
        /// Classic libpcap.
        case pcap
        /// pcapng.
        case pcapng
    }

    /// Detects the format from the first four bytes, or `nil` if it is neither.
    public static func format(of bytes: [UInt8]) -> Format? {
        guard bytes.count >= 4 else { return nil }
        let magic = ByteReader(bytes).u32(at: 0)!
        switch magic {
        case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1: return .pcap
        case 0x0A0D_0D0A: return .pcapng
        default: return nil
        }
    }

    /// Parses every packet in the file.
    ///
    /// - Throws: ``CaptureError`` if the file is neither pcap nor pcapng, or its header is damaged.
    /// `units` × `unit` nanoseconds as an Int64, or `nil` when that does not fit (a 64-bit
    /// pcapng timestamp at a coarse resolution can exceed 2⁶³ ns; it is marked invalid, never
    /// converted with a trap).
    static func nanoseconds(_ units: UInt64, unit: Double) -> Int64? {
        let value = Double(units) * unit
        guard value.isFinite, value >= 0, value < 9.2e18 else { return nil }
        return Int64(value)
    }

    public static func packets(in bytes: [UInt8]) throws(CaptureError) -> [CapturedPacket] {
        try contents(of: bytes).packets
    }

    /// What a capture file holds: its packets, and where it ends in the middle of a record
    /// (a capture copied while still being written, or cut short), if it does.
    public struct Contents: Sendable {
        /// The packets of the complete records.
        public var packets: [CapturedPacket]
        /// The file offset of the record the file ends inside, or `nil` when it ends
        /// after a whole record.
        public var truncatedAt: Int?
    }

    /// Reads every packet of a pcap or pcapng file, noting a last record cut short.
    public static func contents(of bytes: [UInt8]) throws(CaptureError) -> Contents {
        switch format(of: bytes) {
        case .pcap: return try pcapContents(bytes)
        case .pcapng: return try pcapngContents(bytes)
        case nil: throw CaptureError("not a pcap or pcapng file (unknown magic number)")
        }
    }

    static func pcapContents(_ bytes: [UInt8]) throws(CaptureError) -> Contents {
        guard bytes.count >= 24 else { throw CaptureError("pcap file header is truncated") }
        let big = ByteReader(bytes).u32(at: 0)!
        let bigEndian = big == 0xA1B2_C3D4 || big == 0xA1B2_3C4D
        let nanoseconds = big == 0xA1B2_3C4D || big == 0x4D3C_B2A1
        let reader = ByteReader(bytes, bigEndian: bigEndian)
        // The link type's upper 16 bits may carry FCS information (pcap spec §4).
        let linkType = LinkType(rawValue: reader.u32(at: 20)! & 0xFFFF)
        var packets: [CapturedPacket] = []
        var offset = 24
        while let seconds = reader.u32(at: offset), let fraction = reader.u32(at: offset + 4),
            let captured = reader.u32(at: offset + 8)
        {
            let start = offset + 16
            let end = start + Int(captured)
            guard end <= bytes.count else { break }
            let original = reader.u32(at: offset + 12).map(Int.init)
            let nanos = Int64(seconds) * 1_000_000_000 + Int64(fraction) * (nanoseconds ? 1 : 1000)
            packets.append(
                CapturedPacket(
                    number: packets.count + 1,
                    linkType: linkType,
                    timestampNanoseconds: nanos,
                    data: bytes[start..<end],
                    originalLength: original
                )
            )
            offset = end
        }
        return Contents(packets: packets, truncatedAt: offset < bytes.count ? offset : nil)
    }

    struct Interface {
        var linkType: LinkType
        var snapLength: Int
        /// Nanoseconds per timestamp unit (`if_tsresol`; default microseconds).
        var unitNanoseconds: Double = 1000
    }

    static func pcapngContents(_ bytes: [UInt8]) throws(CaptureError) -> Contents {
        var packets: [CapturedPacket] = []
        var reader = ByteReader(bytes)
        var interfaces: [Interface] = []
        var offset = 0
        while offset + 12 <= bytes.count {
            let rawType = ByteReader(bytes).u32(at: offset)!
            if rawType == 0x0A0D_0D0A {
                // Section Header Block: the byte-order magic sets this section's endianness.
                guard let magic = ByteReader(bytes).u32(at: offset + 8) else { break }
                switch magic {
                case 0x1A2B_3C4D: reader.bigEndian = true
                case 0x4D3C_2B1A: reader.bigEndian = false
                default: throw CaptureError("pcapng section header has a bad byte-order magic")
                }
                interfaces = []
            }
            guard let type = reader.u32(at: offset), let length = reader.u32(at: offset + 4).map(Int.init),
                length >= 12, length % 4 == 0, offset + length <= bytes.count
            else { break }
            let body = offset + 8
            let bodyEnd = offset + length - 4
            switch type {
            case 0x0000_0001:  // Interface Description Block
                let linkType = LinkType(rawValue: UInt32(reader.u16(at: body) ?? 0))
                var interface = Interface(linkType: linkType, snapLength: Int(reader.u32(at: body + 4) ?? 0))
                // Options: code (2), length (2), value padded to 4; only within the block
                // body (the bytes after it are the length trailer and the next block).
                var option = body + 8
                while option + 4 <= bodyEnd, let code = reader.u16(at: option),
                    let optionLength = reader.u16(at: option + 2), code != 0
                {
                    if code == 9, option + 5 <= bodyEnd, let resolution = reader.u8(at: option + 4) {
                        // if_tsresol: high bit set means a power of 2, else a power of 10.
                        let exponent = Double(resolution & 0x7F)
                        let perSecond =
                            resolution & 0x80 != 0
                            ? pow2(exponent) : pow10(exponent)
                        interface.unitNanoseconds = 1e9 / perSecond
                    }
                    option += 4 + (Int(optionLength) + 3) / 4 * 4
                    if option >= bodyEnd { break }
                }
                interfaces.append(interface)
            case 0x0000_0006, 0x0000_0002:  // Enhanced Packet Block, obsolete Packet Block
                let isEnhanced = type == 6
                let interfaceID =
                    isEnhanced ? Int(reader.u32(at: body) ?? 0) : Int(reader.u16(at: body) ?? 0)
                guard interfaceID < interfaces.count,
                    let high = reader.u32(at: body + 4), let low = reader.u32(at: body + 8),
                    let captured = reader.u32(at: body + 12).map(Int.init)
                else { break }
                let start = body + 20
                guard start + captured <= bodyEnd else { break }
                let interface = interfaces[interfaceID]
                let units = UInt64(high) << 32 | UInt64(low)
                let original = reader.u32(at: body + 16).map(Int.init)
                packets.append(
                    CapturedPacket(
                        number: packets.count + 1,
                        linkType: interface.linkType,
                        timestampNanoseconds: Self.nanoseconds(units, unit: interface.unitNanoseconds),
                        data: bytes[start..<(start + captured)],
                        originalLength: original
                    )
                )
            case 0x0000_0003:  // Simple Packet Block: interface 0, no timestamp
                guard let interface = interfaces.first, let original = reader.u32(at: body).map(Int.init) else { break }
                var captured = min(original, bodyEnd - (body + 4))
                if interface.snapLength > 0 { captured = min(captured, interface.snapLength) }
                let start = body + 4
                packets.append(
                    CapturedPacket(
                        number: packets.count + 1,
                        linkType: interface.linkType,
                        timestampNanoseconds: 0,
                        data: bytes[start..<(start + max(0, captured))],
                        originalLength: original
                    )
                )
            default:
                break
            }
            offset += length
        }
        return Contents(packets: packets, truncatedAt: offset < bytes.count ? offset : nil)
    }

    static func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(exponent) { value *= 2 }
        return value
    }

    static func pow10(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(exponent) { value *= 10 }
        return value
    }
}
