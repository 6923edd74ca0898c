import NIOCore
import WSKCore

/// What `frame-dump` reports, one value per output line; ``FrameFormatter`` renders each
/// as text or as a JSON object.
enum DumpRecord {
    /// A remark that is not a protocol violation (auto-detected role, end of stream).
    case note(Note)
    /// An opening handshake found in a capture.
    case handshake(HandshakeRecord)
    /// One frame.
    case frame(FrameRecord)
    /// A data message whose last fragment arrived (fragmented or compressed messages).
    case message(MessageRecord)
    /// A violation not tied to one frame (a fatal framing error, a handshake fault).
    case violation(ViolationRecord)
    /// Totals, for `--count` and `--quiet`.
    case summary(DumpSummary)
}

/// Where a record happened: the connection (captures only), who wrote the bytes, and the
/// offset in that writer's byte stream.
struct StreamPosition {
    var connection: Int?
    var writer: Role
    var offset: Int
    /// Captures: when the packet that completed it was captured (ns since the epoch).
    var time: Int64? = nil
}

struct Note {
    var position: StreamPosition?
    /// A stable identifier, for example `role-detected` or `truncated-frame`.
    var kind: String
    var message: String
    /// Whether it says the input could not be decoded in full (a frame cut short, a
    /// connection without a handshake, encrypted or cut packets): shown by --quiet too,
    /// and it fails --strict.
    var isProblem = false
    /// Whether the text form says "at offset N" (not for a note about a whole connection).
    var showsOffset = true
}

struct ViolationRecord {
    var position: StreamPosition
    var identifier: String
    var rfcSection: String
    var closeCode: CloseCode
    var message: String
}

extension ViolationRecord {
    init(_ violation: ProtocolViolation, connection: Int?, writer: Role, baseOffset: Int) {
        self.init(
            position: StreamPosition(connection: connection, writer: writer, offset: baseOffset + violation.streamOffset),
            identifier: violation.reason.identifier,
            rfcSection: violation.reason.rfcSection,
            closeCode: violation.closeCode,
            message: violation.reason.description
        )
    }
}

struct FrameRecord {
    var position: StreamPosition
    var frame: Frame
    var headerLength: Int
    /// Whether the payload is (part of) an uncompressed text message, shown as text.
    var isText: Bool
    var violations: [ViolationRecord]
}

struct MessageRecord {
    var position: StreamPosition
    var opcode: Opcode
    var frameCount: Int
    /// The payload size on the wire (compressed size for compressed messages).
    var length: Int
    var isCompressed: Bool
    /// The inflated size, for compressed messages that inflated.
    var inflatedLength: Int?
    /// The message payload (inflated), possibly cut to the preview length.
    var preview: ByteBuffer
    var violations: [ViolationRecord]
}

struct HandshakeRecord {
    var connection: Int
    var client: String
    var server: String
    var request: HTTPHeadSummary
    var response: HTTPHeadSummary?
    var subprotocol: String?
    var extensions: String?
    /// The agreed permessage-deflate parameters, if negotiated.
    var deflate: String?
    var violations: [ViolationRecord]
}

struct HTTPHeadSummary {
    var startLine: String
    var fields: [(name: String, value: String)]
}

/// Totals over the whole input.
public struct DumpSummary: Sendable {
    /// Frames decoded.
    public var frames = 0
    /// Frames by opcode (index = raw opcode).
    public var framesByOpcode = [Int](repeating: 0, count: 16)
    /// Data messages completed.
    public var messages = 0
    /// Payload bytes in all frames.
    public var payloadBytes = 0
    /// Input bytes (raw) or captured TCP payload bytes (pcap).
    public var inputBytes = 0
    /// Violations found (including handshake faults).
    public var violations = 0
    /// WebSocket connections found (captures).
    public var connections = 0
    /// Streams that ended inside a frame.
    public var incompleteFrames = 0
    /// What could not be decoded in full (frames cut short, connections without a
    /// handshake, encrypted or cut packets, a capture file cut short).
    public var problems = 0
    /// Frames, messages and payload bytes written by the client (index 0) and the server (1).
    public var byDirection = [DirectionTotals(), DirectionTotals()]

    /// One direction's totals.
    public struct DirectionTotals: Sendable {
        public var frames = 0
        public var messages = 0
        public var payloadBytes = 0
    }

    public init() {}
}
