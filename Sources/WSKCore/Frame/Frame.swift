import NIOCore

/// One WebSocket frame as it appears on the wire, with its payload unmasked
/// (RFC 6455 §5.2).
public struct Frame: Hashable, Sendable, CustomStringConvertible {
    /// FIN: whether this is the last frame of its message.
    public var isFinal: Bool
    /// RSV1–RSV3.
    public var reservedBits: ReservedBits
    /// The opcode.
    public var opcode: Opcode
    /// The masking key the frame carried (decoded frames) or will carry (frames to encode).
    public var maskingKey: MaskingKey?
    /// The application data, unmasked.
    public var payload: ByteBuffer

    /// Creates a frame.
    public init(
        isFinal: Bool = true,
        reservedBits: ReservedBits = [],
        opcode: Opcode,
        maskingKey: MaskingKey? = nil,
        payload: ByteBuffer
    ) {
        self.isFinal = isFinal
        self.reservedBits = reservedBits
        self.opcode = opcode
        self.maskingKey = maskingKey
        self.payload = payload
    }

    /// `text fin=1 rsv=none mask=37fa213d len=5`.
    public var description: String {
        let mask = maskingKey.map { "mask=\($0)" } ?? "unmasked"
        return "\(opcode) fin=\(isFinal ? 1 : 0) rsv=\(reservedBits) \(mask) len=\(payload.readableBytes)"
    }
}

/// A decoded frame together with where it started in the received stream.
public struct DecodedFrame: Hashable, Sendable {
    /// The frame, payload unmasked.
    public var frame: Frame
    /// The stream offset of the frame's first header byte.
    public var streamOffset: Int
    /// The length of the frame's header (2 to 14 bytes).
    public var headerLength: Int
    /// For a close frame with a valid payload: the payload parsed, once (RFC 6455 §5.5.1).
    public var close: CloseFrame? = nil

    /// Creates a decoded frame.
    public init(frame: Frame, streamOffset: Int, headerLength: Int, close: CloseFrame? = nil) {
        self.frame = frame
        self.streamOffset = streamOffset
        self.headerLength = headerLength
        self.close = close
    }
}
