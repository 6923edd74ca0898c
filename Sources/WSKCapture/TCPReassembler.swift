/// Turns TCP segments, in capture order, into the two ordered byte streams of each
/// connection.
///
/// Each direction's bytes are placed by sequence number relative to the first one (the
/// SYN's sequence number plus one, or the first segment seen when the capture starts
/// mid-connection), using 32-bit wrap-around arithmetic. Out-of-order segments wait until
/// the hole before them is filled; retransmitted and overlapping bytes are delivered once
/// (the first copy wins). A hole that is never filled is reported as a ``Event/gap``
/// when ``finish()`` is called, and that direction stops there.
///
/// A connection is the pair of endpoints; a new SYN on a pair whose connection has ended
/// (FIN from both sides, or RST) starts a new connection with the next number.
public struct TCPReassembler {
    /// Which way bytes flow, relative to the endpoint that opened the connection.
    public enum Direction: Hashable, Sendable, CustomStringConvertible {
        /// From the endpoint that sent the SYN (the client).
        case clientToServer
        /// From the endpoint that answered it (the server).
        case serverToClient

        /// `client` or `server`: which side wrote the bytes.
        public var description: String { self == .clientToServer ? "client" : "server" }
    }

    /// A connection: its number (from 1, in order of first packet) and its endpoints.
    public struct Connection: Hashable, Sendable {
        /// 1, 2, 3… in order of appearance.
        public var number: Int
        /// The endpoint that sent the SYN (or, without one, the first packet seen).
        public var client: TCPEndpoint
        /// The other endpoint.
        public var server: TCPEndpoint
    }

    /// What processing a segment produced.
    public enum Event: Hashable, Sendable {
        /// The first packet of a new connection.
        case opened(Connection)
        /// In-order bytes of one direction; `offset` is their position in that direction's
        /// stream (0 is the first byte after the SYN).
        case data(connection: Int, direction: Direction, offset: Int, bytes: ArraySlice<UInt8>)
        /// The stream has a hole of `length` bytes at `offset` that no segment filled.
        case gap(connection: Int, direction: Direction, offset: Int, length: Int)
        /// FIN (after all of the direction's data) or RST.
        case ended(connection: Int, direction: Direction, reset: Bool)
    }

    struct Stream {
        /// The sequence number of the next byte to deliver.
        var nextSequence: UInt32?
        /// Bytes delivered so far: the stream offset of `nextSequence`.
        var delivered = 0
        /// Out-of-order data by stream offset, sorted.
        var pending: [(offset: Int, bytes: ArraySlice<UInt8>)] = []
        /// The stream offset of the FIN, once seen.
        var finOffset: Int?
        var ended = false
        var stopped = false
    }

    struct State {
        var connection: Connection
        var streams: [Stream] = [Stream(), Stream()]
        var reset = false
        var isOver: Bool { reset || (streams[0].ended && streams[1].ended) }
    }

    struct PairKey: Hashable {
        var a: TCPEndpoint
        var b: TCPEndpoint
        init(_ x: TCPEndpoint, _ y: TCPEndpoint) {
            // Order-independent: the same key for both directions.
            if x.description <= y.description { a = x; b = y } else { a = y; b = x }
        }
    }

    var states: [PairKey: Int] = [:]
    var connections: [State] = []

    /// The most out-of-order bytes held per direction before the hole is declared a gap:
    /// 64 MiB, which bounds memory on a capture that lost a segment.
    public var maxPendingBytes = 64 * 1024 * 1024

    /// Creates an empty reassembler.
    public init() {}

    /// The connections seen so far.
    public var allConnections: [Connection] { connections.map(\.connection) }

    /// The number of the connection a segment belongs to, once one of its segments was seen.
    public func connectionNumber(of segment: TCPSegment) -> Int? {
        states[PairKey(segment.source, segment.destination)].map { connections[$0].connection.number }
    }

    /// Adds one segment; returns what it produced, in order.
    public mutating func process(_ segment: TCPSegment) -> [Event] {
        var events: [Event] = []
        let key = PairKey(segment.source, segment.destination)
        var index = states[key]
        if let existing = index, connections[existing].isOver, segment.isSYN, !segment.isACK {
            index = nil  // port reuse after the old connection ended
        }
        if index == nil {
            // The client is whoever sends a bare SYN; a SYN-ACK comes from the server. With
            // neither (capture started mid-connection), the first sender is taken as client.
            let fromServer = segment.isSYN && segment.isACK
            let connection = Connection(
                number: connections.count + 1,
                client: fromServer ? segment.destination : segment.source,
                server: fromServer ? segment.source : segment.destination
            )
            connections.append(State(connection: connection))
            index = connections.count - 1
            states[key] = index
            events.append(.opened(connection))
        }
        let i = index!
        let connection = connections[i].connection
        let direction: Direction = segment.source == connection.client ? .clientToServer : .serverToClient
        let d = direction == .clientToServer ? 0 : 1
        var stream = connections[i].streams[d]
        defer { connections[i].streams[d] = stream }

        if segment.isRST {
            connections[i].reset = true
            if !stream.ended {
                stream.ended = true
                events.append(.ended(connection: connection.number, direction: direction, reset: true))
            }
            return events
        }
        if stream.stopped || stream.ended { return events }

        var sequence = segment.sequenceNumber
        if segment.isSYN {
            sequence &+= 1  // the SYN occupies one sequence number
            if stream.nextSequence == nil { stream.nextSequence = sequence }
        }
        if stream.nextSequence == nil {
            stream.nextSequence = sequence
        }
        let expected = stream.nextSequence!
        // Signed distance from the next expected byte, modulo 2³².
        let offset = stream.delivered + Int(Int32(bitPattern: sequence &- expected))
        let payload = segment.payload

        if !payload.isEmpty {
            insert(payload, at: offset, into: &stream, connection: connection.number, direction: direction, events: &events)
        }
        if segment.isFIN {
            stream.finOffset = offset + payload.count
        }
        if let fin = stream.finOffset, fin <= stream.delivered, stream.pending.isEmpty {
            stream.ended = true
            events.append(.ended(connection: connection.number, direction: direction, reset: false))
        }
        return events
    }

    mutating func insert(
        _ payload: ArraySlice<UInt8>,
        at offset: Int,
        into stream: inout Stream,
        connection: Int,
        direction: Direction,
        events: inout [Event]
    ) {
        let end = offset + payload.count
        if end <= stream.delivered { return }  // a retransmission of delivered bytes
        if offset > stream.delivered {
            // Out of order: keep it, sorted by offset (retransmissions overlap, kept once later).
            let position = stream.pending.firstIndex { $0.offset > offset } ?? stream.pending.endIndex
            stream.pending.insert((offset, payload), at: position)
            let held = stream.pending.reduce(0) { $0 + $1.bytes.count }
            if held > maxPendingBytes {
                // Give up on the hole: report it and carry on after it.
                let first = stream.pending[0].offset
                events.append(.gap(connection: connection, direction: direction, offset: stream.delivered, length: first - stream.delivered))
                stream.nextSequence = stream.nextSequence! &+ UInt32(truncatingIfNeeded: first - stream.delivered)
                stream.delivered = first
                drain(&stream, connection: connection, direction: direction, events: &events)
            }
            return
        }
        // offset <= delivered < end: deliver the new part.
        let fresh = payload.dropFirst(stream.delivered - offset)
        events.append(.data(connection: connection, direction: direction, offset: stream.delivered, bytes: fresh))
        stream.delivered += fresh.count
        stream.nextSequence = stream.nextSequence! &+ UInt32(truncatingIfNeeded: fresh.count)
        drain(&stream, connection: connection, direction: direction, events: &events)
    }

    mutating func drain(_ stream: inout Stream, connection: Int, direction: Direction, events: inout [Event]) {
        while let first = stream.pending.first, first.offset <= stream.delivered {
            stream.pending.removeFirst()
            let end = first.offset + first.bytes.count
            guard end > stream.delivered else { continue }
            let fresh = first.bytes.dropFirst(stream.delivered - first.offset)
            events.append(.data(connection: connection, direction: direction, offset: stream.delivered, bytes: fresh))
            stream.delivered += fresh.count
            stream.nextSequence = stream.nextSequence! &+ UInt32(truncatingIfNeeded: fresh.count)
        }
    }

    /// Reports the holes left at the end of the capture (each direction stops at its first).
    public mutating func finish() -> [Event] {
        var events: [Event] = []
        for i in connections.indices {
            for d in 0..<2 {
                let stream = connections[i].streams[d]
                guard let first = stream.pending.first, !stream.stopped else { continue }
                events.append(
                    .gap(
                        connection: connections[i].connection.number,
                        direction: d == 0 ? .clientToServer : .serverToClient,
                        offset: stream.delivered,
                        length: first.offset - stream.delivered
                    )
                )
                connections[i].streams[d].stopped = true
            }
        }
        return events
    }
}
