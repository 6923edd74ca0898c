// A capture file, through what `wsk frame-dump --pcap` does with it: CaptureFile (pcap
// and pcapng, every link type of LinkType.swift), PacketDecoder (link layer, IPv4/IPv6,
// TCP), TCPReassembler, the HTTP heads of each connection, the handshake checks and the
// frames of both directions (FrameDecoder in inspect mode, permessage-deflate when the
// response agreed to it), as WSKCLI's CaptureConnection and StreamDump do.
// Properties beyond "never traps":
// - packets are numbered 1, 2, 3...; every packet's bytes lie within the file, after the
//   file header, in file order without overlapping; timestamps are never negative;
// - the file cut short (at a point the last byte picks) yields the first packets of the
//   whole file, unchanged: a truncated capture loses only what is past the cut;
// - the IP packet and the TCP payload found in a packet lie within the packet's bytes;
// - the reassembler's events are consistent (see FuzzSupport's checkReassemblyEvents);
// - each direction's frame decoder never reads more bytes than it was given.
import FuzzSupport
import HTTPTypes
import NIOCore
import WSKCapture
import WSKCompression
import WSKCore

func checkPackets(_ packets: [CapturedPacket], in file: [UInt8]) {
    var previousEnd = 0
    for (index, packet) in packets.enumerated() {
        require(packet.number == index + 1, "packet \(index + 1) numbered \(packet.number)")
        require(packet.data.startIndex >= 24 && packet.data.endIndex <= file.count, "packet \(packet.number) at \(packet.data.startIndex)..<\(packet.data.endIndex), outside the \(file.count)-byte file")
        require(packet.data.startIndex >= previousEnd, "packet \(packet.number) overlaps the packet before it")
        previousEnd = packet.data.endIndex
        if let time = packet.timestampNanoseconds { require(time >= 0, "negative timestamp \(time)") }
    }
}

struct Side {
    var bytes: [UInt8] = []
    var decoder: FrameDecoder? = nil
    var buffer = ByteBuffer()
    var fed = 0
}

/// One connection, as CaptureConnection follows it.
struct Conversation {
    var sides = [Side(), Side()]  // 0: client's bytes, 1: server's
    var request: HTTPHead?
    var response: HTTPHead?
    var ignored = false

    mutating func receive(_ data: ArraySlice<UInt8>, fromClient: Bool) {
        guard !ignored else { return }
        let i = fromClient ? 0 : 1
        if sides[i].decoder != nil {
            feed(data, side: i)
            return
        }
        sides[i].bytes += data
        advance()
    }

    mutating func feed(_ data: ArraySlice<UInt8>, side i: Int) {
        sides[i].buffer.writeBytes(data)
        sides[i].fed += data.count
        var decoder = sides[i].decoder!
        defer { sides[i].decoder = decoder }
        while true {
            do {
                guard let frame = try decoder.nextFrame(from: &sides[i].buffer) else { break }
                _ = try? decoder.messages.frameCompleted(frame)
                _ = decoder.takeViolations()
            } catch {
                _ = decoder.takeViolations()
                sides[i].buffer.clear()
                break
            }
        }
        require(decoder.streamOffset <= sides[i].fed, "the frame decoder read \(decoder.streamOffset) of \(sides[i].fed) bytes")
    }

    mutating func advance() {
        if request == nil {
            switch HTTPHead.parse(sides[0].bytes[...]) {
            case .needMore: return
            case .notHTTP: ignored = true; return
            case .head(let head):
                guard head.isWebSocketUpgrade else { ignored = true; return }
                request = head
            }
        }
        if response == nil {
            switch HTTPHead.parse(sides[1].bytes[...]) {
            case .needMore: return
            case .notHTTP: ignored = true; return
            case .head(let head): response = head
            }
        }
        let request = request!, response = response!
        // The request through the server-side validation, the accept key, the extensions.
        var fields = HTTPFields()
        for field in request.fields {
            if let name = HTTPField.Name(field.name) { fields.append(HTTPField(name: name, value: field.value)) }
        }
        let method = HTTPRequest.Method(request.method ?? "GET") ?? .get
        let key = try? ServerHandshake(method: method, httpVersion: request.version ?? (1, 1), headerFields: fields).key
        if let key { _ = AcceptKey.compute(forKey: key) == response.values("Sec-WebSocket-Accept").first }
        guard response.status == 101 else { ignored = true; return }
        var deflate: PerMessageDeflateParameters? = nil
        if let elements = try? ExtensionHeaderParser.parse(response.values("Sec-WebSocket-Extensions")) {
            deflate = try? PerMessageDeflateNegotiator().acceptResponse(elements)
        }
        for i in 0..<2 {
            let writer: Role = i == 0 ? .client : .server
            var decoder = FrameDecoder(role: writer == .client ? .server : .client, configuration: .init(), mode: .inspect)
            if deflate != nil { decoder.allowedReservedBits = .rsv1 }
            decoder.messages.messageExtension = deflate.map { PerMessageDeflate(parameters: $0, role: writer == .client ? .server : .client) }
            decoder.messages.assemblesMessages = false
            sides[i].decoder = decoder
            let head = i == 0 ? request.length : response.length
            let pending = sides[i].bytes.dropFirst(head)
            sides[i].bytes = []
            if !pending.isEmpty { feed(pending, side: i) }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let file = inputBytes(data, size)
    _ = CaptureFile.format(of: file)
    guard let packets = try? CaptureFile.packets(in: file) else { return 0 }
    checkPackets(packets, in: file)

    // Truncation: the packets of a prefix are the first packets of the whole file.
    if let last = file.last, file.count > 24 {
        let cut = 24 + Int(last) * (file.count - 24) / 255
        if let truncated = try? CaptureFile.packets(in: Array(file[..<cut])) {
            require(truncated.count <= packets.count, "the file cut at \(cut) has more packets (\(truncated.count)) than the whole (\(packets.count))")
            for (a, b) in zip(truncated, packets) {
                require(a == b, "packet \(a.number) differs when the file is cut at \(cut): \(a.linkType) \(a.timestampNanoseconds as Any) \(a.data.startIndex)..<\(a.data.endIndex) vs \(b.linkType) \(b.timestampNanoseconds as Any) \(b.data.startIndex)..<\(b.data.endIndex)")
            }
        } else {
            require(false, "the file cut at \(cut) throws, the whole file does not")
        }
    }

    var reassembler = TCPReassembler()
    var events: [TCPReassembler.Event] = []
    for packet in packets {
        _ = packet.linkType.isSupported
        _ = packet.linkType.description
        if let ip = PacketDecoder.ipPacket(in: packet.data, linkType: packet.linkType) {
            require(ip.startIndex >= packet.data.startIndex && ip.endIndex <= packet.data.endIndex, "the IP packet lies outside packet \(packet.number)")
        }
        guard let segment = PacketDecoder.tcpSegment(in: packet) else { continue }
        require(segment.payload.startIndex >= packet.data.startIndex && segment.payload.endIndex <= packet.data.endIndex, "the TCP payload lies outside packet \(packet.number)")
        _ = (segment.source.description, segment.destination.description)
        events += reassembler.process(segment)
    }
    events += reassembler.finish()
    checkReassemblyEvents(events, connections: reassembler.allConnections.count)

    var conversations: [Int: Conversation] = [:]
    for event in events {
        switch event {
        case .opened(let connection):
            conversations[connection.number] = Conversation()
        case .data(let connection, let direction, _, let bytes):
            conversations[connection]?.receive(bytes, fromClient: direction == .clientToServer)
        default:
            break
        }
    }
    return 0
}

@_cdecl("FuzzCaptureFile_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
