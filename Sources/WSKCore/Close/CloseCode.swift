/// A close status code (RFC 6455 §7.4).
///
/// Any `UInt16` is representable so that received values can be shown and judged;
/// ``category`` and ``mayAppearOnWire`` say what the protocol allows.
public struct CloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric code.
    public let rawValue: UInt16

    /// Wraps any code, valid or not.
    @inlinable
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// Wraps any code, valid or not.
    @inlinable
    public init(_ rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// 1000: the purpose of the connection has been fulfilled.
    public static let normalClosure = CloseCode(1000)
    /// 1001: the endpoint is going away (server shutdown, page navigation).
    public static let goingAway = CloseCode(1001)
    /// 1002: the peer broke the protocol.
    public static let protocolError = CloseCode(1002)
    /// 1003: the endpoint cannot accept this type of data.
    public static let unsupportedData = CloseCode(1003)
    /// 1005: local only; the close frame carried no status code.
    public static let noStatusReceived = CloseCode(1005)
    /// 1006: local only; the connection ended without a close frame.
    public static let abnormalClosure = CloseCode(1006)
    /// 1007: a message's data was inconsistent with its type (for example invalid UTF-8).
    public static let invalidPayloadData = CloseCode(1007)
    /// 1008: a message violated the endpoint's policy.
    public static let policyViolation = CloseCode(1008)
    /// 1009: a message or frame was too big to process.
    public static let messageTooBig = CloseCode(1009)
    /// 1010: the client expected the server to negotiate an extension.
    public static let mandatoryExtension = CloseCode(1010)
    /// 1011: the server hit an unexpected condition.
    public static let internalError = CloseCode(1011)
    /// 1012: the service is restarting (IANA registry).
    public static let serviceRestart = CloseCode(1012)
    /// 1013: try again later (IANA registry).
    public static let tryAgainLater = CloseCode(1013)
    /// 1014: the gateway received an invalid response (IANA registry).
    public static let badGateway = CloseCode(1014)
    /// 1015: local only; the TLS handshake failed.
    public static let tlsHandshakeFailed = CloseCode(1015)

    /// How RFC 6455 §7.4 classifies a code.
    public enum Category: Sendable, Hashable {
        /// 1000–1015: defined by RFC 6455 or the IANA registry.
        case defined
        /// 1016–2999: reserved for future protocol revisions.
        case reservedForProtocol
        /// 3000–3999: registered with IANA by libraries and frameworks.
        case registered
        /// 4000–4999: private use by applications.
        case privateUse
        /// 0–999 and 5000 and above: never used.
        case invalid
    }

    /// The range the code falls in (RFC 6455 §7.4.2).
    public var category: Category {
        switch rawValue {
        case 1000...1015: return .defined
        case 1016...2999: return .reservedForProtocol
        case 3000...3999: return .registered
        case 4000...4999: return .privateUse
        default: return .invalid
        }
    }

    /// Whether the code is meant for local reporting only and must never be sent
    /// in a close frame: 1005, 1006 and 1015 (RFC 6455 §7.4.1).
    public var isLocalOnly: Bool {
        rawValue == 1005 || rawValue == 1006 || rawValue == 1015
    }

    /// Whether an endpoint may send this code in a close frame, and so whether a
    /// received close frame carrying it is valid.
    ///
    /// Valid: 1000–1003, 1007–1014 and 3000–4999. Invalid: 0–999, 1004 (reserved),
    /// 1005, 1006, 1015 (local only), 1016–2999 (unassigned) and 5000 and above.
    public var mayAppearOnWire: Bool {
        switch rawValue {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }

    /// The registered name in words, or `nil` for codes without one.
    public var name: String? {
        switch rawValue {
        case 1000: return "normal closure"
        case 1001: return "going away"
        case 1002: return "protocol error"
        case 1003: return "unsupported data"
        case 1004: return "reserved"
        case 1005: return "no status received"
        case 1006: return "abnormal closure"
        case 1007: return "invalid payload data"
        case 1008: return "policy violation"
        case 1009: return "message too big"
        case 1010: return "mandatory extension"
        case 1011: return "internal error"
        case 1012: return "service restart"
        case 1013: return "try again later"
        case 1014: return "bad gateway"
        case 1015: return "TLS handshake failed"
        default:
            switch category {
            case .registered: return "registered"
            case .privateUse: return "private use"
            case .reservedForProtocol: return "reserved"
            case .invalid, .defined: return nil
            }
        }
    }

    /// `1000 (normal closure)`, or just the number when the code has no name.
    public var description: String {
        if let name { return "\(rawValue) (\(name))" }
        return "\(rawValue)"
    }
}
