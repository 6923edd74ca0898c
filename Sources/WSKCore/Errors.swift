/// The peer's bytes broke RFC 6455 or RFC 7692.
///
/// Carries what was wrong (``reason``), the close code a conforming endpoint sends in
/// reply (``closeCode``: 1002, 1007, 1009, …) and where in the received byte stream the
/// offending byte or frame starts (``streamOffset``), so tools can point at it.
public struct ProtocolViolation: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong.
    public var reason: Reason
    /// The close code to send when failing the connection (RFC 6455 §7.4.1).
    public var closeCode: CloseCode { reason.closeCode }
    /// The offset, from the first byte the decoder was given, of the frame or byte at fault.
    public var streamOffset: Int

    /// Creates a violation.
    public init(_ reason: Reason, streamOffset: Int) {
        self.reason = reason
        self.streamOffset = streamOffset
    }

    /// One sentence: the reason, its close code and the offset.
    public var description: String {
        "\(reason) (\(reason.rfcSection); close \(closeCode)) at offset \(streamOffset)"
    }

    /// What a peer did wrong. A struct over a private enum so cases can be added
    /// without breaking callers; compare with the static members.
    public struct Reason: Error, Hashable, Sendable, CustomStringConvertible {
        enum Base: Hashable, Sendable {
            case reservedOpcode(UInt8)
            case reservedBitsSet(ReservedBits)
            case fragmentedControlFrame
            case controlFrameTooLong(Int)
            case unmaskedClientFrame
            case maskedServerFrame
            case nonMinimalLength
            case lengthHighBitSet
            case unexpectedContinuation
            case expectedContinuation(Opcode)
            case invalidUTF8
            case invalidClosePayloadLength
            case invalidCloseCode(UInt16)
            case invalidCloseReasonUTF8
            case frameTooLarge(size: UInt64, limit: Int)
            case messageTooLarge(size: UInt64, limit: Int)
            case frameAfterClose
            case compressedControlFrame
            case compressedContinuation
            case invalidCompressedData
            case inflatedMessageTooLarge(limit: Int)
        }

        let base: Base

        init(_ base: Base) { self.base = base }

        /// RSV-free opcode 0x3–0x7 or 0xB–0xF (RFC 6455 §5.2). 1002.
        public static func reservedOpcode(_ raw: UInt8) -> Reason { Reason(.reservedOpcode(raw)) }
        /// A reserved bit set that no negotiated extension defines (RFC 6455 §5.2). 1002.
        public static func reservedBitsSet(_ bits: ReservedBits) -> Reason { Reason(.reservedBitsSet(bits)) }
        /// A control frame without FIN (RFC 6455 §5.5). 1002.
        public static let fragmentedControlFrame = Reason(.fragmentedControlFrame)
        /// A control frame with a payload over 125 bytes (RFC 6455 §5.5). 1002.
        public static func controlFrameTooLong(_ length: Int) -> Reason { Reason(.controlFrameTooLong(length)) }
        /// A client frame without a mask (RFC 6455 §5.1). 1002.
        public static let unmaskedClientFrame = Reason(.unmaskedClientFrame)
        /// A server frame with a mask (RFC 6455 §5.1). 1002.
        public static let maskedServerFrame = Reason(.maskedServerFrame)
        /// A payload length not in its shortest form (RFC 6455 §5.2). 1002.
        public static let nonMinimalLength = Reason(.nonMinimalLength)
        /// A 64-bit payload length with its most significant bit set (RFC 6455 §5.2). 1002.
        public static let lengthHighBitSet = Reason(.lengthHighBitSet)
        /// A continuation frame with no message in progress (RFC 6455 §5.4). 1002.
        public static let unexpectedContinuation = Reason(.unexpectedContinuation)
        /// A new data frame while a fragmented message is still open (RFC 6455 §5.4). 1002.
        public static func expectedContinuation(got opcode: Opcode) -> Reason { Reason(.expectedContinuation(opcode)) }
        /// Text message bytes that are not UTF-8 (RFC 6455 §8.1). 1007.
        public static let invalidUTF8 = Reason(.invalidUTF8)
        /// A close payload of exactly one byte (RFC 6455 §5.5.1). 1002.
        public static let invalidClosePayloadLength = Reason(.invalidClosePayloadLength)
        /// A close code that may not appear on the wire (RFC 6455 §7.4). 1002.
        public static func invalidCloseCode(_ raw: UInt16) -> Reason { Reason(.invalidCloseCode(raw)) }
        /// A close reason that is not UTF-8 (RFC 6455 §5.5.1). 1007.
        public static let invalidCloseReasonUTF8 = Reason(.invalidCloseReasonUTF8)
        /// A frame whose payload exceeds the configured maximum. 1009.
        public static func frameTooLarge(size: UInt64, limit: Int) -> Reason { Reason(.frameTooLarge(size: size, limit: limit)) }
        /// A message whose payload exceeds the configured maximum. 1009.
        public static func messageTooLarge(size: UInt64, limit: Int) -> Reason {
            Reason(.messageTooLarge(size: size, limit: limit))
        }
        /// A frame after the peer's close frame (RFC 6455 §5.5.1). 1002.
        public static let frameAfterClose = Reason(.frameAfterClose)
        /// RSV1 ("compressed") on a control frame (RFC 7692 §6.1). 1002.
        public static let compressedControlFrame = Reason(.compressedControlFrame)
        /// RSV1 on a continuation frame (RFC 7692 §6.1). 1002.
        public static let compressedContinuation = Reason(.compressedContinuation)
        /// A compressed message that does not inflate (RFC 7692 §6.2). 1007.
        public static let invalidCompressedData = Reason(.invalidCompressedData)
        /// A compressed message that inflates past the configured maximum. 1009.
        public static func inflatedMessageTooLarge(limit: Int) -> Reason { Reason(.inflatedMessageTooLarge(limit: limit)) }

        /// The close code a conforming endpoint sends for this violation.
        public var closeCode: CloseCode {
            switch base {
            case .invalidUTF8, .invalidCloseReasonUTF8, .invalidCompressedData:
                return .invalidPayloadData
            case .frameTooLarge, .messageTooLarge, .inflatedMessageTooLarge:
                return .messageTooBig
            default:
                return .protocolError
            }
        }

        /// The RFC section that states the rule, for example `RFC 6455 §5.2`.
        public var rfcSection: String {
            switch base {
            case .reservedOpcode, .reservedBitsSet, .nonMinimalLength, .lengthHighBitSet: return "RFC 6455 §5.2"
            case .fragmentedControlFrame, .controlFrameTooLong: return "RFC 6455 §5.5"
            case .unmaskedClientFrame, .maskedServerFrame: return "RFC 6455 §5.1"
            case .unexpectedContinuation, .expectedContinuation: return "RFC 6455 §5.4"
            case .invalidUTF8: return "RFC 6455 §8.1"
            case .invalidClosePayloadLength, .invalidCloseReasonUTF8, .frameAfterClose: return "RFC 6455 §5.5.1"
            case .invalidCloseCode: return "RFC 6455 §7.4"
            case .frameTooLarge, .messageTooLarge: return "RFC 6455 §10.4"
            case .compressedControlFrame, .compressedContinuation: return "RFC 7692 §6.1"
            case .invalidCompressedData: return "RFC 7692 §6.2"
            case .inflatedMessageTooLarge: return "RFC 7692 §8.1"
            }
        }

        /// A stable machine-readable identifier, for example `reserved-opcode`.
        public var identifier: String {
            switch base {
            case .reservedOpcode: return "reserved-opcode"
            case .reservedBitsSet: return "reserved-bits-set"
            case .fragmentedControlFrame: return "fragmented-control-frame"
            case .controlFrameTooLong: return "control-frame-too-long"
            case .unmaskedClientFrame: return "unmasked-client-frame"
            case .maskedServerFrame: return "masked-server-frame"
            case .nonMinimalLength: return "non-minimal-length"
            case .lengthHighBitSet: return "length-high-bit-set"
            case .unexpectedContinuation: return "unexpected-continuation"
            case .expectedContinuation: return "expected-continuation"
            case .invalidUTF8: return "invalid-utf8"
            case .invalidClosePayloadLength: return "invalid-close-payload-length"
            case .invalidCloseCode: return "invalid-close-code"
            case .invalidCloseReasonUTF8: return "invalid-close-reason-utf8"
            case .frameTooLarge: return "frame-too-large"
            case .messageTooLarge: return "message-too-large"
            case .frameAfterClose: return "frame-after-close"
            case .compressedControlFrame: return "compressed-control-frame"
            case .compressedContinuation: return "compressed-continuation"
            case .invalidCompressedData: return "invalid-compressed-data"
            case .inflatedMessageTooLarge: return "inflated-message-too-large"
            }
        }

        /// One plain sentence fragment describing the fault.
        public var description: String {
            switch base {
            case .reservedOpcode(let raw):
                return "reserved opcode 0x\(String(raw, radix: 16, uppercase: true))"
            case .reservedBitsSet(let bits): return "reserved bit \(bits) set without a negotiated extension"
            case .fragmentedControlFrame: return "control frame without FIN (control frames must not be fragmented)"
            case .controlFrameTooLong(let length): return "control frame payload of \(length) bytes (limit 125)"
            case .unmaskedClientFrame: return "client frame is not masked"
            case .maskedServerFrame: return "server frame is masked"
            case .nonMinimalLength: return "payload length not encoded in the minimal number of bytes"
            case .lengthHighBitSet: return "64-bit payload length has its most significant bit set"
            case .unexpectedContinuation: return "continuation frame without a message in progress"
            case .expectedContinuation(let opcode): return "\(opcode) frame while a fragmented message is in progress"
            case .invalidUTF8: return "text message is not valid UTF-8"
            case .invalidClosePayloadLength: return "close payload of 1 byte"
            case .invalidCloseCode(let raw): return "close code \(raw) is not allowed on the wire"
            case .invalidCloseReasonUTF8: return "close reason is not valid UTF-8"
            case .frameTooLarge(let size, let limit): return "frame payload of \(size) bytes exceeds the limit of \(limit)"
            case .messageTooLarge(let size, let limit):
                return "message of at least \(size) bytes exceeds the limit of \(limit)"
            case .frameAfterClose: return "frame received after the close frame"
            case .compressedControlFrame: return "RSV1 (compressed) set on a control frame"
            case .compressedContinuation: return "RSV1 (compressed) set on a continuation frame"
            case .invalidCompressedData: return "compressed message does not inflate"
            case .inflatedMessageTooLarge(let limit): return "compressed message inflates past the limit of \(limit) bytes"
            }
        }
    }
}

/// The caller asked the core for something the protocol forbids. A programming or user
/// error on this side, never the peer's fault.
public struct UsageError: Error, Hashable, Sendable, CustomStringConvertible {
    enum Base: Hashable, Sendable {
        case sendAfterClose
        case controlPayloadTooLong(Int)
        case reasonWithoutCode
        case closeCodeNotSendable(UInt16)
        case maskingKeyRequired
        case maskingKeyForbidden
        case messageInProgress
        case noMessageInProgress
        case invalidOpcode(UInt8)
        // Opening handshake (RFC 6455 §4).
        case invalidHost(String)
        case invalidPort(Int)
        case invalidRequestTarget(String)
        case invalidSubprotocol(String)
        case duplicateSubprotocol(String)
        case reservedHeaderField(String)
        case unofferedSubprotocol(String)
        case unofferedExtension(String)
    }

    let base: Base

    init(_ base: Base) { self.base = base }

    /// Data or a close after this endpoint already sent its close frame (RFC 6455 §5.5.1).
    public static let sendAfterClose = UsageError(.sendAfterClose)
    /// A control payload over 125 bytes (RFC 6455 §5.5).
    public static func controlPayloadTooLong(_ length: Int) -> UsageError { UsageError(.controlPayloadTooLong(length)) }
    /// A close reason without a close code (RFC 6455 §5.5.1).
    public static let reasonWithoutCode = UsageError(.reasonWithoutCode)
    /// A close code that must not be sent (1005, 1006, 1015, out-of-range values).
    public static func closeCodeNotSendable(_ code: CloseCode) -> UsageError { UsageError(.closeCodeNotSendable(code.rawValue)) }
    /// A client frame needs a masking key (RFC 6455 §5.3).
    public static let maskingKeyRequired = UsageError(.maskingKeyRequired)
    /// A server must not mask (RFC 6455 §5.1).
    public static let maskingKeyForbidden = UsageError(.maskingKeyForbidden)
    /// A new message was started while a fragmented one is still being sent.
    public static let messageInProgress = UsageError(.messageInProgress)
    /// A continuation was sent with no fragmented message in progress.
    public static let noMessageInProgress = UsageError(.noMessageInProgress)
    /// An opcode above 15.
    public static func invalidOpcode(_ raw: UInt8) -> UsageError { UsageError(.invalidOpcode(raw)) }
    /// A handshake host that is empty or holds characters a URI host cannot (RFC 3986 §3.2.2).
    public static func invalidHost(_ host: String) -> UsageError { UsageError(.invalidHost(host)) }
    /// A handshake port outside 1...65535.
    public static func invalidPort(_ port: Int) -> UsageError { UsageError(.invalidPort(port)) }
    /// A request target that does not start with `/`, has a fragment or has bytes that
    /// cannot appear in a request line (RFC 6455 §3, RFC 9112 §3.2).
    public static func invalidRequestTarget(_ target: String) -> UsageError {
        UsageError(.invalidRequestTarget(target))
    }
    /// A subprotocol name that is not an HTTP token (RFC 6455 §4.1).
    public static func invalidSubprotocol(_ name: String) -> UsageError { UsageError(.invalidSubprotocol(name)) }
    /// A subprotocol offered twice (RFC 6455 §4.1: offered names "MUST all be unique").
    public static func duplicateSubprotocol(_ name: String) -> UsageError { UsageError(.duplicateSubprotocol(name)) }
    /// An additional header field that the handshake sets itself, such as `Sec-WebSocket-Key`.
    public static func reservedHeaderField(_ name: String) -> UsageError { UsageError(.reservedHeaderField(name)) }
    /// A server selecting a subprotocol the client did not offer (RFC 6455 §4.2.2).
    public static func unofferedSubprotocol(_ name: String) -> UsageError { UsageError(.unofferedSubprotocol(name)) }
    /// A server accepting an extension the client did not offer (RFC 6455 §9.1).
    public static func unofferedExtension(_ name: String) -> UsageError { UsageError(.unofferedExtension(name)) }

    /// One plain sentence.
    public var description: String {
        switch base {
        case .sendAfterClose: return "cannot send after the close frame was sent"
        case .controlPayloadTooLong(let n): return "control frame payload of \(n) bytes exceeds 125 bytes"
        case .reasonWithoutCode: return "a close reason needs a close code"
        case .closeCodeNotSendable(let raw): return "close code \(raw) may not be sent in a close frame"
        case .maskingKeyRequired: return "a client must mask every frame it sends"
        case .maskingKeyForbidden: return "a server must not mask frames"
        case .messageInProgress: return "a fragmented message is still being sent"
        case .noMessageInProgress: return "no fragmented message is being sent"
        case .invalidOpcode(let raw): return "opcode \(raw) does not fit in four bits"
        case .invalidHost(let host): return "\"\(host)\" is not a valid host"
        case .invalidPort(let port): return "port \(port) is outside 1...65535"
        case .invalidRequestTarget(let target):
            return "\"\(target)\" is not a valid request target (it must start with / and have no fragment)"
        case .invalidSubprotocol(let name): return "subprotocol \"\(name)\" is not an HTTP token"
        case .duplicateSubprotocol(let name): return "subprotocol \"\(name)\" is offered more than once"
        case .reservedHeaderField(let name):
            return "the \(name) header is set by the handshake and cannot be overridden"
        case .unofferedSubprotocol(let name):
            return "cannot select subprotocol \"\(name)\", which the client did not offer"
        case .unofferedExtension(let name): return "cannot accept extension \(name), which the client did not offer"
        }
    }
}
