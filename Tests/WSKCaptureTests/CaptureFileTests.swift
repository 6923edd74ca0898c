import Testing

@testable import WSKCapture

@Suite struct CaptureFileTests {
    let segment = TestSegment(
        source: ([10, 0, 0, 1], 40000),
        destination: ([10, 0, 0, 2], 80),
        sequence: 7,
        flags: 0x18,
        payload: Array("hi".utf8)
    )

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func classicPcapInBothByteOrdersAndResolutions(bigEndian: Bool, nanoseconds: Bool) throws {
        let frame = TestLink.ethernet.wrap(segment.ipBytes())
        let file = pcapFile([frame, frame], linkType: 1, bigEndian: bigEndian, nanoseconds: nanoseconds)
        #expect(CaptureFile.format(of: file) == .pcap)
        let packets = try CaptureFile.packets(in: file)
        #expect(packets.count == 2)
        #expect(packets[0].linkType == .ethernet)
        #expect(Array(packets[1].data) == frame)
        #expect(packets[1].number == 2)
        let fraction: Int64 = nanoseconds ? 1 : 1000
        #expect(packets[1].timestampNanoseconds == 1_700_000_000 * 1_000_000_000 + fraction)
    }

    @Test func truncatedPcapKeepsTheCompletePackets() throws {
        let frame = TestLink.raw.wrap(segment.ipBytes())
        let file = pcapFile([frame, frame], linkType: 101)
        let packets = try CaptureFile.packets(in: Array(file.dropLast(3)))
        #expect(packets.count == 1)
    }

    @Test func pcapngWithTwoInterfacesAndASimplePacket() throws {
        let v6 = TestSegment(
            source: ([0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1], 40000),
            destination: ([UInt8](repeating: 0, count: 15) + [1], 443),
            sequence: 1,
            flags: 0x10
        )
        let file = pcapngFile(
            interfaces: [276, 1],
            frames: [
                (0, TestLink.sll2.wrap(segment.ipBytes()), false),
                (1, TestLink.ethernet.wrap(v6.ipBytes()), false),
                (0, TestLink.sll2.wrap(segment.ipBytes()), true),
            ]
        )
        #expect(CaptureFile.format(of: file) == .pcapng)
        let packets = try CaptureFile.packets(in: file)
        #expect(packets.map(\.linkType) == [.linuxSLL2, .ethernet, .linuxSLL2])
        #expect(packets[1].timestampNanoseconds == 1)  // if_tsresol 9: units are nanoseconds
        let tcp = packets.compactMap(PacketDecoder.tcpSegment(in:))
        #expect(tcp.count == 3)
        #expect(tcp[1].source.description == "[2001:db8::1]:40000")
        #expect(tcp[1].destination.description == "[::1]:443")
    }

    @Test func aTimestampTooLargeForNanosecondsIsMarkedInvalidNotATrap() throws {
        // Found by a fuzzer (issue 14): an Enhanced Packet Block whose 64-bit timestamp at the
        // default microsecond resolution exceeds Int64.max nanoseconds crashed frame-dump
        // (SIGILL). The packet is kept, its timestamp marked invalid.
        let crash: [UInt8] = [
            0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0x00, 0x00, 0x00, 0x4d, 0x3c, 0x2b, 0x1a, 0x01, 0x00, 0x00, 0x00,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1c, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
            0x14, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
            0x06, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00,
        ]
        let packets = try CaptureFile.packets(in: crash)
        #expect(packets.count == 1)
        #expect(packets.first?.timestampNanoseconds == nil)
        // A representable one still converts: 2³² µs units.
        #expect(CaptureFile.nanoseconds(1 << 32, unit: 1000) == 4_294_967_296_000)
        #expect(CaptureFile.nanoseconds(.max, unit: 1) == nil)
        #expect(CaptureFile.nanoseconds(1, unit: .infinity) == nil)
    }

    /// Interface options are read within their block only. An Interface Description Block
    /// without options whose trailing length field reads as option 9 (`if_tsresol`) took
    /// its resolution from the next block's first byte (here a Simple Packet Block's 3:
    /// milliseconds), so a later packet's timestamp was 1000 times too large. Found while
    /// reading the parser for the fuzz targets.
    @Test func interfaceOptionsAreReadWithinTheirBlock() throws {
        var file = le32(0x0A0D_0D0A) + le32(28) + le32(0x1A2B_3C4D) + le16(1) + le16(0) + [UInt8](repeating: 0xFF, count: 8) + le32(28)
        file += le32(1) + le32(20) + le16(1) + le16(0) + le32(0) + le32(9)  // IDB, no options; trailer 9
        file += le32(3) + le32(16) + le32(0) + le32(16)  // Simple Packet Block, empty
        file += le32(6) + le32(32) + le32(0) + le32(0) + le32(1) + le32(0) + le32(0) + le32(32)  // EPB, timestamp 1
        let packets = try CaptureFile.packets(in: file)
        #expect(packets.count == 2)
        #expect(packets.last?.timestampNanoseconds == 1000)  // the default unit, microseconds
    }

    @Test func unknownMagicIsAnError() {
        #expect(throws: CaptureError.self) { try CaptureFile.packets(in: Array("GET / HTTP/1.1".utf8)) }
    }

    @Test(arguments: [TestLink.ethernet, .ethernetVLAN, .null, .loop, .sll, .sll2, .raw])
    func everyLinkTypeYieldsTheSegment(link: TestLink) throws {
        for ip in [segment.ipBytes(), v6Segment.ipBytes(), v6Segment.ipBytes(extensionHeader: true)] {
            let packet = CapturedPacket(number: 1, linkType: LinkType(rawValue: link.linkType), timestampNanoseconds: 0, data: link.wrap(ip)[...])
            let tcp = try #require(PacketDecoder.tcpSegment(in: packet))
            #expect(tcp.payload.elementsEqual("hi".utf8))
            #expect(tcp.sequenceNumber == 7)
        }
    }

    var v6Segment: TestSegment {
        var copy = segment
        copy.source.address = [UInt8](repeating: 0, count: 15) + [1]
        copy.destination.address = [UInt8](repeating: 0, count: 15) + [2]
        return copy
    }

    @Test func ethernetPaddingIsRemovedUsingTheIPLength() throws {
        let frame = TestLink.ethernetVLAN.wrap(segment.ipBytes())  // has 4 padding bytes
        let packet = CapturedPacket(number: 1, linkType: .ethernet, timestampNanoseconds: 0, data: frame[...])
        #expect(Array(try #require(PacketDecoder.tcpSegment(in: packet)).payload) == Array("hi".utf8))
    }

    @Test func fragmentsAndOtherProtocolsAreSkipped() {
        var ip = segment.ipBytes()
        ip[6] = 0x20  // more fragments
        #expect(PacketDecoder.tcpSegment(inIP: ip[...]) == nil)
        ip = segment.ipBytes()
        ip[9] = 17  // UDP
        #expect(PacketDecoder.tcpSegment(inIP: ip[...]) == nil)
        #expect(PacketDecoder.tcpSegment(inIP: [0x45, 0][...]) == nil)
    }

    @Test func ipv6AddressesPrintInRFC5952Form() {
        #expect(IPAddress.v6([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]).description == "2001:db8::1:0:0:1")
        #expect(IPAddress.v6([UInt8](repeating: 0, count: 16)).description == "::")
        #expect(IPAddress.v4(127, 0, 0, 1).description == "127.0.0.1")
    }
}
