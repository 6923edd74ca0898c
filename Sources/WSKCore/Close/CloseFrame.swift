import NIOCore

/// The content of a close frame: an optional status code and a UTF-8 reason
/// (RFC 6455 §5.5.1).
///
/// An empty payload means no code (`code == nil`), which a receiver reports as
/// ``CloseCode/noStatusReceived``. A reason is only allowed together with a code.
public struct CloseFrame: Hashable, Sendable, CustomStringConvertible {
    /// The status code, or `nil` for an empty close payload.
    public var code: CloseCode?
    /// The reason text; empty when none was given.
    public var reason: String

    /// Creates a close frame value.
    public init(code: CloseCode?, reason: String = "") {
        self.code = code
        self.reason = reason
    }

    /// The code to report locally: ``code`` or ``CloseCode/noStatusReceived``.
    public var effectiveCode: CloseCode { code ?? .noStatusReceived }

    /// `1000 (normal closure) "bye"`, or `no status code`.
    public var description: String {
        guard let code else { return "no status code" }
        return reason.isEmpty ? code.description : "\(code) \"\(reason)\""
    }

    /// The close frame an endpoint sends in reply to this one (RFC 6455 §5.5.1: "it
    /// typically echos the status code it received"). An empty close is answered with
    /// an empty close; the reason is not echoed.
    public var response: CloseFrame {
        CloseFrame(code: code, reason: "")
    }

    /// Parses a received close payload.
    ///
    /// - Returns: the frame, or the reason it is invalid: a 1-byte payload or a code
    ///   that may not appear on the wire (1002), or a reason that is not UTF-8 (1007).
    public static func parse(payload: ByteBuffer) -> Result<CloseFrame, ProtocolViolation.Reason> {
        // RFC 6455 §5.5.1: "If there is a body, the first two bytes of the body MUST be a
        // 2-byte unsigned integer (in network byte order) representing a status code".
        switch payload.readableBytes {
        case 0:
            return .success(CloseFrame(code: nil))
        case 1:
            return .failure(.invalidClosePayloadLength)
        default:
            var payload = payload
            let raw = payload.readInteger(as: UInt16.self)!
            let code = CloseCode(raw)
            guard code.mayAppearOnWire else { return .failure(.invalidCloseCode(raw)) }
            // RFC 6455 §5.5.1: the reason's data "is not guaranteed to be human readable"
            // but MUST be UTF-8; §8.1 makes invalid UTF-8 a failure (1007).
            var validator = UTF8Validator()
            let valid = payload.withUnsafeReadableBytes { validator.validate($0) } && validator.isComplete
            guard valid else { return .failure(.invalidCloseReasonUTF8) }
            let reason = payload.readString(length: payload.readableBytes) ?? ""
            return .success(CloseFrame(code: code, reason: reason))
        }
    }

    /// Writes the close payload (code, then reason) into `buffer`.
    ///
    /// - Throws: ``UsageError`` when the code is local-only or out of range, a reason is
    ///   given without a code, or the payload would exceed 125 bytes (RFC 6455 §5.5).
    public func writePayload(into buffer: inout ByteBuffer) throws(UsageError) {
        guard let code else {
            if !reason.isEmpty { throw UsageError.reasonWithoutCode }
            return
        }
        guard code.mayAppearOnWire else { throw UsageError.closeCodeNotSendable(code) }
        let reasonLength = reason.utf8.count
        guard reasonLength <= 123 else { throw UsageError.controlPayloadTooLong(2 + reasonLength) }
        buffer.writeInteger(code.rawValue)
        buffer.writeString(reason)
    }
}
