import NIOCore
@testable import WSKCore

/// A ``Connection`` with the buffer its I/O layer would write to the peer: automatic
/// replies land in ``output`` as events are read, after whatever was sent before them.
@dynamicMemberLookup
struct Endpoint {
    var connection: Connection
    var output = ByteBuffer()

    init(
        role: Role,
        configuration: WebSocketConfiguration = .init(),
        extensions: [any WebSocketExtension] = [],
        autoReplyPolicy: AutoReplyPolicy = .automatic,
        randomNumberGenerator: some RandomNumberGenerator
    ) {
        connection = Connection(
            role: role,
            configuration: configuration,
            extensions: extensions,
            autoReplyPolicy: autoReplyPolicy,
            randomNumberGenerator: randomNumberGenerator
        )
    }

    subscript<Value>(dynamicMember keyPath: KeyPath<Connection, Value>) -> Value {
        connection[keyPath: keyPath]
    }

    mutating func receive(_ bytes: inout ByteBuffer) { connection.receive(&bytes) }
    mutating func receiveEndOfStream() { connection.receiveEndOfStream() }
    mutating func nextEvent() -> ConnectionEvent? { connection.nextEvent(replyingInto: &output) }

    /// What was written to the peer since the last call, or `nil` for nothing.
    mutating func takeOutput() -> ByteBuffer? {
        defer { output.clear() }
        return output.readableBytes > 0 ? output : nil
    }

    mutating func send(_ message: OutboundMessage, into out: inout ByteBuffer) throws(UsageError) {
        try connection.send(message, into: &out)
    }

    mutating func sendMessage(opcode: Opcode, payload: ByteBuffer, fragmentSize: Int? = nil, into out: inout ByteBuffer) throws(UsageError) {
        try connection.sendMessage(opcode: opcode, payload: payload, fragmentSize: fragmentSize, into: &out)
    }

    mutating func sendFragment(opcode: Opcode, payload: ByteBuffer, isFinal: Bool, into out: inout ByteBuffer) throws(UsageError) {
        try connection.sendFragment(opcode: opcode, payload: payload, isFinal: isFinal, into: &out)
    }
}
