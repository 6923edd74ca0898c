// The TCP reassembler frame-dump uses (WSKCapture.TCPReassembler), in two modes chosen by
// bit 7 of the first byte.
//
// Order mode (bit 7 clear): one connection. Bytes 1-4 and 5-8 are the client's and the
// server's initial sequence numbers (so streams cross 2^32 when they are near it), byte 9
// bit 0/1 adds a FIN after the client's/server's last byte, byte 10 seeds a shuffle; then
// 3-byte descriptors: bit 7 the direction, bits 0-6 a length, then a 16-bit stream offset.
// Each descriptor is a segment carrying that part of a fixed byte stream, so overlaps and
// retransmissions carry the same bytes. After both SYNs, the segments are delivered in
// four orders: as given, sorted, reversed, shuffled. What truly does not depend on the
// order, and is checked for each order and direction:
// - the bytes delivered are exactly the stream from offset 0 up to the first byte no
//   segment covers ("coverage"), with every data event at the offset where the previous
//   one ended;
// - finish() reports a gap exactly when some segment starts past the coverage: at the
//   coverage, as long as the distance to the nearest such segment;
// - the direction ends (FIN) exactly once when its FIN was sent and everything before it
//   arrived, and never otherwise.
//
// Raw mode (bit 7 set): arbitrary segments between four endpoints (8-byte records: flags,
// endpoints, sequence number, length; payload from the input), with a pending-bytes limit
// from bits 0-1 (so holes are given up on). Properties: never traps; per connection and
// direction, events are contiguous (each data or gap starts where the last ended), data
// is never empty, gaps are positive, nothing follows the end, and connections are numbered
// 1, 2, 3... in the order they open, every event naming an opened one.
import FuzzSupport
import WSKCapture

let client = TCPEndpoint(address: .v4(10, 0, 0, 1), port: 40000)
let server = TCPEndpoint(address: .v4(10, 0, 0, 2), port: 80)

func streamByte(_ position: Int, _ direction: Int) -> UInt8 {
    UInt8(truncatingIfNeeded: position &* 131 &+ position >> 8 &+ direction &* 77)
}

struct Piece {
    var direction: Int
    var offset: Int
    var length: Int
    var fin = false
}

func be32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
    (0..<4).reduce(0) { $0 << 8 | UInt32(at + $1 < bytes.count ? bytes[at + $1] : 0) }
}

func orderMode(_ bytes: [UInt8]) {
    guard bytes.count >= 11 else { return }
    let isn = [be32(bytes, 1), be32(bytes, 5)]
    let fins = bytes[9]
    var pieces: [Piece] = []
    var index = 11
    while index + 3 <= bytes.count {
        pieces.append(Piece(direction: Int(bytes[index] >> 7), offset: Int(bytes[index + 1]) << 8 | Int(bytes[index + 2]), length: Int(bytes[index] & 0x7F)))
        index += 3
    }
    // Stream lengths, coverage and the expected gaps.
    var length = [0, 0], coverage = [0, 0]
    var expectedGap: [(offset: Int, length: Int)?] = [nil, nil]
    for d in 0..<2 {
        let mine = pieces.filter { $0.direction == d && $0.length > 0 }.sorted { $0.offset < $1.offset }
        length[d] = mine.map { $0.offset + $0.length }.max() ?? 0
        for piece in mine where piece.offset <= coverage[d] { coverage[d] = max(coverage[d], piece.offset + piece.length) }
        if let next = mine.filter({ $0.offset > coverage[d] }).map(\.offset).min() { expectedGap[d] = (coverage[d], next - coverage[d]) }
        if fins >> d & 1 != 0 { pieces.append(Piece(direction: d, offset: length[d], length: 0, fin: true)) }
    }
    func segment(_ piece: Piece) -> TCPSegment {
        let from = piece.direction == 0 ? client : server
        let to = piece.direction == 0 ? server : client
        let payload = (piece.offset..<(piece.offset + piece.length)).map { streamByte($0, piece.direction) }
        return TCPSegment(source: from, destination: to, sequenceNumber: isn[piece.direction] &+ 1 &+ UInt32(piece.offset), acknowledgementNumber: 1, flags: piece.fin ? 0x11 : 0x18, payload: payload[...])
    }
    var generator = FixedGenerator(seed: UInt64(bytes[10]))
    var shuffled = pieces
    if shuffled.count > 1 {
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
    }
    let orders = [pieces, pieces.sorted { ($0.offset, $0.length) < ($1.offset, $1.length) }, pieces.reversed(), shuffled]
    for (orderIndex, order) in orders.enumerated() {
        var reassembler = TCPReassembler()
        var events = reassembler.process(TCPSegment(source: client, destination: server, sequenceNumber: isn[0], flags: 0x02, payload: []))
        events += reassembler.process(TCPSegment(source: server, destination: client, sequenceNumber: isn[1], acknowledgementNumber: isn[0] &+ 1, flags: 0x12, payload: []))
        for piece in order { events += reassembler.process(segment(piece)) }
        events += reassembler.finish()
        require(reassembler.allConnections.count == 1, "order \(orderIndex): \(reassembler.allConnections.count) connections")
        for d in 0..<2 {
            let direction: TCPReassembler.Direction = d == 0 ? .clientToServer : .serverToClient
            var delivered = 0
            var gaps: [(Int, Int)] = []
            var ends = 0
            for event in events {
                switch event {
                case .data(_, direction, let offset, let data):
                    require(offset == delivered, "order \(orderIndex), \(direction): data at \(offset), expected \(delivered)")
                    require(data.elementsEqual((offset..<(offset + data.count)).map { streamByte($0, d) }), "order \(orderIndex), \(direction): wrong bytes at \(offset)")
                    delivered += data.count
                case .gap(_, direction, let offset, let length):
                    gaps.append((offset, length))
                case .ended(_, direction, let reset):
                    require(!reset, "a reset that was never sent")
                    ends += 1
                default:
                    break
                }
            }
            require(delivered == coverage[d], "order \(orderIndex), \(direction): delivered \(delivered) bytes, coverage is \(coverage[d])")
            let gapText = gaps.map { "\($0.0)+\($0.1)" }
            if let gap = expectedGap[d] {
                require(gaps.count == 1 && gaps[0] == gap, "order \(orderIndex), \(direction): gaps \(gapText), expected \(gap)")
            } else {
                require(gaps.isEmpty, "order \(orderIndex), \(direction): gaps \(gapText) where segments cover everything")
            }
            let shouldEnd = fins >> d & 1 != 0 && coverage[d] == length[d]
            require(ends == (shouldEnd ? 1 : 0), "order \(orderIndex), \(direction): \(ends) ends, expected \(shouldEnd ? 1 : 0)")
        }
    }
}

let endpoints = [
    TCPEndpoint(address: .v4(10, 0, 0, 1), port: 40000), TCPEndpoint(address: .v4(10, 0, 0, 2), port: 80),
    TCPEndpoint(address: .v6([0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]), port: 40001),
    TCPEndpoint(address: .v4(10, 0, 0, 2), port: 443),
]
let pendingLimits = [64 * 1024 * 1024, 16, 100, 1000]

func rawMode(_ bytes: [UInt8]) {
    var reassembler = TCPReassembler()
    reassembler.maxPendingBytes = pendingLimits[Int(bytes[0] & 3)]
    var events: [TCPReassembler.Event] = []
    var index = 1
    while index + 7 <= bytes.count {
        let flags = bytes[index]
        let from = endpoints[Int(bytes[index + 1] & 3)]
        var to = endpoints[Int(bytes[index + 1] >> 2 & 3)]
        if to == from { to = endpoints[(Int(bytes[index + 1] & 3) + 1) % 4] }
        let sequence = be32(bytes, index + 2)
        let length = Int(bytes[index + 6])
        index += 7
        let end = min(bytes.count, index + length)
        events += reassembler.process(TCPSegment(source: from, destination: to, sequenceNumber: sequence, acknowledgementNumber: 0, flags: flags, payload: bytes[index..<end]))
        index = end
    }
    events += reassembler.finish()
    checkReassemblyEvents(events, connections: reassembler.allConnections.count)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)
    guard let selector = bytes.first else { return 0 }
    if selector & 0x80 == 0 { orderMode(bytes) } else { rawMode(bytes) }
    return 0
}

@_cdecl("FuzzTCPReassembler_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
