import WSKCapture

/// Checks what holds for any sequence of `TCPReassembler` events, whatever the segments:
/// per connection and direction, each data or gap event starts where the previous one
/// ended, data is never empty, gaps are positive, nothing follows the end and the end
/// comes once; connections are numbered 1, 2, 3... as they open, and every event names an
/// opened one.
public func checkReassemblyEvents(_ events: [TCPReassembler.Event], connections: Int) {
    struct Key: Hashable {
        var connection: Int
        var direction: TCPReassembler.Direction
    }
    var position: [Key: Int] = [:]
    var ended: Set<Key> = []
    var opened = 0
    for event in events {
        switch event {
        case .opened(let connection):
            opened += 1
            require(connection.number == opened, "connection numbered \(connection.number), expected \(opened)")
        case .data(let connection, let direction, let offset, let data):
            let key = Key(connection: connection, direction: direction)
            require(connection >= 1 && connection <= opened, "data for connection \(connection) before it opened")
            require(!ended.contains(key), "data after the end of \(connection) \(direction)")
            require(!data.isEmpty, "an empty data event")
            if let expected = position[key] { require(offset == expected, "data at \(offset), expected \(expected)") }
            position[key] = offset + data.count
        case .gap(let connection, let direction, let offset, let length):
            let key = Key(connection: connection, direction: direction)
            require(length > 0, "a gap of \(length) bytes")
            if let expected = position[key] { require(offset == expected, "gap at \(offset), expected \(expected)") }
            position[key] = offset + length
        case .ended(let connection, let direction, _):
            let key = Key(connection: connection, direction: direction)
            require(connection >= 1 && connection <= opened, "end for connection \(connection) before it opened")
            require(ended.insert(key).inserted, "\(connection) \(direction) ended twice")
        }
    }
    require(connections == opened, "\(connections) connections but \(opened) opened events")
}
