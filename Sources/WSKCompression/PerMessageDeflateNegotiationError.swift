/// Why a permessage-deflate offer or response is not acceptable (RFC 7692 §7.1).
///
/// A server that finds one of these in an offer declines that offer and looks at the
/// next; a client that finds one in the server's response must fail the WebSocket
/// connection (RFC 7692 §7). A struct over a private enum so cases can be added.
public struct PerMessageDeflateNegotiationError: Error, Hashable, Sendable, CustomStringConvertible {
    enum Base: Hashable, Sendable {
        case notPerMessageDeflate(String)
        case unknownParameter(String)
        case duplicateParameter(String)
        case unexpectedValue(name: String, value: String)
        case missingValue(String)
        case invalidWindowBits(name: String, value: String)
        case clientMaxWindowBitsNotOffered
        case missingServerNoContextTakeover
        case missingServerMaxWindowBits(requested: Int)
        case serverMaxWindowBitsTooLarge(requested: Int, received: Int)
    }

    let base: Base

    init(_ base: Base) { self.base = base }

    /// The element names another extension.
    public static func notPerMessageDeflate(_ name: String) -> Self { Self(.notPerMessageDeflate(name)) }
    /// A parameter RFC 7692 does not define (§7: "MUST decline" / "MUST _Fail_").
    public static func unknownParameter(_ name: String) -> Self { Self(.unknownParameter(name)) }
    /// The same parameter twice in one element (RFC 7692 §7).
    public static func duplicateParameter(_ name: String) -> Self { Self(.duplicateParameter(name)) }
    /// A value on a parameter that has none (the two `…_no_context_takeover`).
    public static func unexpectedValue(name: String, value: String) -> Self {
        Self(.unexpectedValue(name: name, value: value))
    }
    /// A window-bits parameter without its value where one is required
    /// (`server_max_window_bits` always, `client_max_window_bits` in a response).
    public static func missingValue(_ name: String) -> Self { Self(.missingValue(name)) }
    /// A window-bits value that is not a decimal integer 8...15 without leading zeros.
    public static func invalidWindowBits(name: String, value: String) -> Self {
        Self(.invalidWindowBits(name: name, value: value))
    }
    /// The response has `client_max_window_bits` but the offer did not (RFC 7692 §7.1.2.2).
    public static let clientMaxWindowBitsNotOffered = Self(.clientMaxWindowBitsNotOffered)
    /// The client asked for `server_no_context_takeover` and the response lacks it
    /// (RFC 7692 §7.1.1.1: the server accepts it "by including" it).
    public static let missingServerNoContextTakeover = Self(.missingServerNoContextTakeover)
    /// The client asked for `server_max_window_bits` and the response lacks it
    /// (RFC 7692 §7.1.2.1).
    public static func missingServerMaxWindowBits(requested: Int) -> Self {
        Self(.missingServerMaxWindowBits(requested: requested))
    }
    /// The response's `server_max_window_bits` is larger than the client asked for
    /// (RFC 7692 §7.1.2.1: "the same or smaller value as the offer").
    public static func serverMaxWindowBitsTooLarge(requested: Int, received: Int) -> Self {
        Self(.serverMaxWindowBitsTooLarge(requested: requested, received: received))
    }

    /// One plain sentence.
    public var description: String {
        switch base {
        case .notPerMessageDeflate(let name):
            return "extension \(name) is not permessage-deflate"
        case .unknownParameter(let name):
            return "permessage-deflate has no parameter \(name)"
        case .duplicateParameter(let name):
            return "permessage-deflate parameter \(name) appears more than once"
        case .unexpectedValue(let name, let value):
            return "permessage-deflate parameter \(name) takes no value, got \(value)"
        case .missingValue(let name):
            return "permessage-deflate parameter \(name) needs a value"
        case .invalidWindowBits(let name, let value):
            return "permessage-deflate parameter \(name)=\(value) is not an integer from 8 to 15"
        case .clientMaxWindowBitsNotOffered:
            return "the response has client_max_window_bits, which the offer did not include"
        case .missingServerNoContextTakeover:
            return "the response lacks the requested server_no_context_takeover"
        case .missingServerMaxWindowBits(let requested):
            return "the response lacks the requested server_max_window_bits=\(requested)"
        case .serverMaxWindowBitsTooLarge(let requested, let received):
            return "the response's server_max_window_bits=\(received) exceeds the requested \(requested)"
        }
    }
}
