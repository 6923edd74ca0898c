// Builds capture files byte by byte for tests: TCP over IPv4/IPv6, wrapped in a link layer,
// written as classic pcap or pcapng. (The same file is in WSKCaptureTests and WSKCLITests.)

/// One TCP segment to put in a capture.
struct TestSegment {
    var source: (address: [UInt8], port: UInt16)
    var destination: (address: [UInt8], port: UInt16)
    var sequence: UInt32
    var acknowledgement: UInt32 = 0
    /// FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10.
    var flags: UInt8
    var payload: [UInt8] = []

    /// The TCP header (20 bytes, checksum left 0) and payload.
    var tcpBytes: [UInt8] {
        var bytes: [UInt8] = be16(source.port)
        bytes += be16(destination.port)
        bytes += be32(sequence)
        bytes += be32(acknowledgement)
        bytes += [5 << 4, flags]
        bytes += be16(65535)
        bytes += [0, 0, 0, 0]
        bytes += payload
        return bytes
    }

    /// An IPv4 or IPv6 packet (by address length); `extensionHeader` inserts an IPv6
    /// destination-options header.
    func ipBytes(extensionHeader: Bool = false) -> [UInt8] {
        let tcp = tcpBytes
        if source.address.count == 4 {
            var ip: [UInt8] = [0x45, 0]
            ip += be16(UInt16(20 + tcp.count))
            ip += [0, 0, 0x40, 0, 64, 6, 0, 0]
            ip += source.address
            ip += destination.address
            ip += tcp
            return ip
        }
        var body = tcp
        var next: UInt8 = 6
        if extensionHeader {
            body = [6, 0, 1, 4, 0, 0, 0, 0] + tcp  // destination options, 8 bytes, PadN
            next = 60
        }
        var ip: [UInt8] = [0x60, 0, 0, 0]
        ip += be16(UInt16(body.count))
        ip += [next, 64]
        ip += source.address
        ip += destination.address
        ip += body
        return ip
    }
}

enum TestLink {
    case ethernet, ethernetVLAN, null, loop, sll, sll2, raw

    var linkType: UInt32 {
        switch self {
        case .ethernet, .ethernetVLAN: return 1
        case .null: return 0
        case .loop: return 108
        case .sll: return 113
        case .sll2: return 276
        case .raw: return 101
        }
    }

    func wrap(_ ip: [UInt8]) -> [UInt8] {
        let isV6 = ip[0] >> 4 == 6
        let etherType: [UInt8] = isV6 ? [0x86, 0xDD] : [0x08, 0x00]
        switch self {
        case .ethernet:
            return [UInt8](repeating: 0, count: 12) + etherType + ip
        case .ethernetVLAN:
            return [UInt8](repeating: 0, count: 12) + [0x81, 0x00, 0x00, 0x05] + etherType + ip + [0, 0, 0, 0]  // + padding
        case .null:
            return (isV6 ? [30, 0, 0, 0] : [2, 0, 0, 0]) + ip  // host order (little-endian), macOS AF_INET6
        case .loop:
            return (isV6 ? [0, 0, 0, 24] : [0, 0, 0, 2]) + ip
        case .sll:
            return [0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0] + etherType + ip
        case .sll2:
            return etherType + [0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0] + ip
        case .raw:
            return ip
        }
    }
}

func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
func be32(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
func le16(_ value: UInt16) -> [UInt8] { be16(value).reversed() }
func le32(_ value: UInt32) -> [UInt8] { be32(value).reversed() }

/// A classic pcap file (little-endian, microseconds unless `nanoseconds`, or big-endian).
/// `snapLength` keeps only that many bytes of each packet (its original length recorded).
func pcapFile(_ frames: [[UInt8]], linkType: UInt32, bigEndian: Bool = false, nanoseconds: Bool = false, snapLength: Int? = nil) -> [UInt8] {
    func u32(_ value: UInt32) -> [UInt8] { bigEndian ? be32(value) : le32(value) }
    func u16(_ value: UInt16) -> [UInt8] { bigEndian ? be16(value) : le16(value) }
    var file: [UInt8] = u32(nanoseconds ? 0xA1B2_3C4D : 0xA1B2_C3D4)
    file += u16(2)
    file += u16(4)
    file += u32(0)
    file += u32(0)
    file += u32(262144)
    file += u32(linkType)
    for (i, frame) in frames.enumerated() {
        file += u32(1_700_000_000)
        file += u32(UInt32(i))
        let kept = snapLength.map { Array(frame.prefix($0)) } ?? frame
        file += u32(UInt32(kept.count))
        file += u32(UInt32(frame.count))
        file += kept
    }
    return file
}

/// A pcapng file (little-endian) with one interface per link type; each frame names its
/// interface. Uses Enhanced Packet Blocks, and a Simple Packet Block for `simple` frames.
func pcapngFile(interfaces: [UInt32], frames: [(interface: Int, bytes: [UInt8], simple: Bool)]) -> [UInt8] {
    func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
        var padded = body
        while padded.count % 4 != 0 { padded.append(0) }
        let length = UInt32(12 + padded.count)
        var out = le32(type)
        out += le32(length)
        out += padded
        out += le32(length)
        return out
    }
    var header = le32(0x1A2B_3C4D)
    header += le16(1)
    header += le16(0)
    header += [UInt8](repeating: 0xFF, count: 8)
    var file = block(0x0A0D_0D0A, header)
    for linkType in interfaces {
        // if_tsresol = 9 (nanoseconds), then end of options.
        var body = le16(UInt16(linkType))
        body += le16(0)
        body += le32(0)
        body += le16(9)
        body += le16(1)
        body += [9, 0, 0, 0]
        body += le32(0)
        file += block(1, body)
    }
    for (i, frame) in frames.enumerated() {
        if frame.simple {
            file += block(3, le32(UInt32(frame.bytes.count)) + frame.bytes)
        } else {
            var body = le32(UInt32(frame.interface))
            body += le32(0)
            body += le32(UInt32(i))
            body += le32(UInt32(frame.bytes.count))
            body += le32(UInt32(frame.bytes.count))
            body += frame.bytes
            file += block(6, body)
        }
    }
    return file
}

/// A client/server conversation as TCP segments: handshake, then data, in order.
struct Conversation {
    var client: (address: [UInt8], port: UInt16) = ([127, 0, 0, 1], 40000)
    var server: (address: [UInt8], port: UInt16) = ([127, 0, 0, 1], 8080)
    var clientSequence: UInt32 = 1000
    var serverSequence: UInt32 = 5000

    /// SYN, SYN-ACK, ACK.
    mutating func open() -> [TestSegment] {
        let syn = TestSegment(source: client, destination: server, sequence: clientSequence, flags: 0x02)
        let synAck = TestSegment(source: server, destination: client, sequence: serverSequence, acknowledgement: clientSequence &+ 1, flags: 0x12)
        clientSequence &+= 1
        serverSequence &+= 1
        let ack = TestSegment(source: client, destination: server, sequence: clientSequence, acknowledgement: serverSequence, flags: 0x10)
        return [syn, synAck, ack]
    }

    /// One data segment from the client (or server), advancing its sequence number.
    mutating func send(_ bytes: [UInt8], fromClient: Bool) -> TestSegment {
        if fromClient {
            defer { clientSequence &+= UInt32(bytes.count) }
            return TestSegment(source: client, destination: server, sequence: clientSequence, acknowledgement: serverSequence, flags: 0x18, payload: bytes)
        }
        defer { serverSequence &+= UInt32(bytes.count) }
        return TestSegment(source: server, destination: client, sequence: serverSequence, acknowledgement: clientSequence, flags: 0x18, payload: bytes)
    }
}
