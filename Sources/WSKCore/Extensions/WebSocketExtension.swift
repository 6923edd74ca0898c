import NIOCore

/// A negotiated per-message extension that transforms message payloads, such as
/// permessage-deflate (RFC 7692).
///
/// The ``Connection`` calls it for every data message whose first frame carries one of
/// the extension's ``reservedBits``. Implementations keep per-connection state (an LZ77
/// window), so this is a class-bound protocol; one instance serves one connection.
public protocol WebSocketExtension: AnyObject {
    /// The extension's registered name, for example `permessage-deflate`.
    var name: String { get }

    /// The reserved bits the extension gives a meaning to (RFC 6455 §5.2).
    /// permessage-deflate claims ``ReservedBits/rsv1``.
    var reservedBits: ReservedBits { get }

    /// Decodes one received frame payload of a transformed message, appending the result
    /// to `output`.
    ///
    /// - Parameters:
    ///   - payload: the frame's unmasked payload.
    ///   - isFinal: whether this is the message's last frame.
    ///   - output: the message assembled so far; the decoded bytes are appended.
    ///   - limit: the most bytes `output` may hold; going past it must stop decoding and
    ///     throw ``ProtocolViolation/Reason/inflatedMessageTooLarge(limit:)`` before memory
    ///     grows beyond the limit.
    /// - Throws: the violation that fails the connection.
    func decode(
        _ payload: ByteBuffer,
        isFinal: Bool,
        into output: inout ByteBuffer,
        limit: Int
    ) throws(ProtocolViolation.Reason)

    /// Encodes an outgoing message payload.
    ///
    /// - Returns: the transformed payload, to be sent with ``reservedBits`` on the first
    ///   frame, or `nil` to send this message untransformed.
    func encode(_ payload: ByteBuffer) -> ByteBuffer?

    /// Encodes one fragment of an outgoing message the caller splits itself: the first
    /// (`isFirst`) decides whether the message is transformed (`nil`: send it untransformed,
    /// and later fragments are not asked); the last has `isFinal`.
    func encodeFragment(_ payload: ByteBuffer, isFirst: Bool, isFinal: Bool) -> ByteBuffer?
}

extension WebSocketExtension {
    /// By default only a message sent in one frame is transformed.
    public func encodeFragment(_ payload: ByteBuffer, isFirst: Bool, isFinal: Bool) -> ByteBuffer? {
        isFirst && isFinal ? encode(payload) : nil
    }
}
