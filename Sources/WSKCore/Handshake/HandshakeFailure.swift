import HTTPTypes

/// The peer's opening handshake (RFC 6455 §4) is not acceptable.
///
/// Thrown by ``ServerHandshake/init(method:httpVersion:headerFields:authority:)`` when a
/// client's upgrade request breaks RFC 6455 §4.2.1, and by
/// ``ClientHandshake/validateResponse(status:headerFields:)`` when a server's response
/// breaks RFC 6455 §4.1. Either way it is the peer's fault; the caller's own mistakes are
/// ``UsageError``s.
///
/// A server replies to a rejected request with ``status`` and ``responseHeaderFields``
/// (``ServerHandshake/rejectionResponse(for:)`` builds that response):
///
/// | Status | When |
/// | --- | --- |
/// | 405 Method Not Allowed, with `Allow: GET` | the method is not `GET` |
/// | 426 Upgrade Required, with `Upgrade: websocket`, `Connection: Upgrade` and `Sec-WebSocket-Version: 13` | `Sec-WebSocket-Version` is missing or not `13` |
/// | 400 Bad Request | everything else, including HTTP/1.0 |
///
/// On HTTP/2 (an extended CONNECT, RFC 8441) a method other than `CONNECT` gets 405 with
/// `Allow: CONNECT`, a missing or unknown `:protocol` 501, and a version problem 400 with
/// `Sec-WebSocket-Version: 13` (see ``status(for:)``).
///
/// HTTP/1.0 gets 400 rather than 505 because RFC 9110 §15.6.6 reserves 505 for a major
/// version the server does not support, and this server does speak HTTP/1. The 426 carries
/// `Upgrade` because RFC 9110 §15.5.22 requires it, and `Sec-WebSocket-Version` because
/// RFC 6455 §4.2.2 does.
///
/// A struct over a private enum, so cases can be added without breaking callers; compare
/// with the static members.
public struct HandshakeFailure: Error, Hashable, Sendable, CustomStringConvertible {
    enum Base: Hashable, Sendable {
        // Either side.
        case missingUpgradeHeader
        case invalidUpgradeHeader(String)
        case missingConnectionHeader
        case invalidConnectionHeader(String)
        case malformedExtensionHeader(ExtensionHeaderParser.ParseError)
        // Found by a server in a client's request.
        case methodNotAllowed(String)
        case unsupportedHTTPVersion(major: Int, minor: Int)
        case missingHostHeader
        case duplicateHostHeader
        case missingVersionHeader
        case duplicateVersionHeader
        case unsupportedVersion(String)
        case missingKey
        case duplicateKey
        case malformedKey(String)
        case invalidKeyLength(Int)
        // Found by a server in an HTTP/2 extended CONNECT (RFC 8441).
        case notExtendedConnect(String)
        case missingProtocolPseudoHeader
        case unsupportedProtocol(String)
        case missingPseudoHeader(String)
        case connectionSpecificField(String)
        // Found by a client in a server's response.
        case unexpectedStatus(Int)
        case unexpectedExtendedConnectStatus(Int)
        case missingAcceptKey
        case acceptKeyMismatch(expected: String, got: String)
        case subprotocolNotOffered(String)
        case extensionNotOffered(String)
    }

    let base: Base

    init(_ base: Base) { self.base = base }

    // MARK: Either side

    /// No `Upgrade` header (RFC 6455 §4.1, §4.2.1). Status 400.
    public static let missingUpgradeHeader = HandshakeFailure(.missingUpgradeHeader)
    /// An `Upgrade` header without the `websocket` token; carries the header's value
    /// (RFC 6455 §4.1, §4.2.1). Status 400.
    public static func invalidUpgradeHeader(_ value: String) -> HandshakeFailure {
        HandshakeFailure(.invalidUpgradeHeader(value))
    }
    /// No `Connection` header (RFC 6455 §4.1, §4.2.1). Status 400.
    public static let missingConnectionHeader = HandshakeFailure(.missingConnectionHeader)
    /// A `Connection` header without the `Upgrade` token; carries the header's value
    /// (RFC 6455 §4.1, §4.2.1). Status 400.
    public static func invalidConnectionHeader(_ value: String) -> HandshakeFailure {
        HandshakeFailure(.invalidConnectionHeader(value))
    }
    /// A `Sec-WebSocket-Extensions` header that does not follow the RFC 6455 §9.1 grammar.
    /// Status 400.
    public static func malformedExtensionHeader(_ error: ExtensionHeaderParser.ParseError) -> HandshakeFailure {
        HandshakeFailure(.malformedExtensionHeader(error))
    }

    // MARK: Found by a server

    /// A request method other than `GET`; carries the method (RFC 6455 §4.1). Status 405.
    public static func methodNotAllowed(_ method: String) -> HandshakeFailure {
        HandshakeFailure(.methodNotAllowed(method))
    }
    /// An HTTP version below 1.1 (RFC 6455 §4.1). Status 400.
    public static func unsupportedHTTPVersion(major: Int, minor: Int) -> HandshakeFailure {
        HandshakeFailure(.unsupportedHTTPVersion(major: major, minor: minor))
    }
    /// No `Host` header (RFC 6455 §4.1, RFC 9112 §3.2). Status 400.
    public static let missingHostHeader = HandshakeFailure(.missingHostHeader)
    /// More than one `Host` header (RFC 9112 §3.2). Status 400.
    public static let duplicateHostHeader = HandshakeFailure(.duplicateHostHeader)
    /// No `Sec-WebSocket-Version` header (RFC 6455 §4.2.1). Status 426.
    public static let missingVersionHeader = HandshakeFailure(.missingVersionHeader)
    /// More than one `Sec-WebSocket-Version` header (RFC 6455 §11.3.5). Status 400.
    public static let duplicateVersionHeader = HandshakeFailure(.duplicateVersionHeader)
    /// A `Sec-WebSocket-Version` other than `13`; carries the value (RFC 6455 §4.2.2).
    /// Status 426.
    public static func unsupportedVersion(_ value: String) -> HandshakeFailure {
        HandshakeFailure(.unsupportedVersion(value))
    }
    /// No `Sec-WebSocket-Key` header (RFC 6455 §4.2.1). Status 400.
    public static let missingKey = HandshakeFailure(.missingKey)
    /// More than one `Sec-WebSocket-Key` header (RFC 6455 §11.3.1). Status 400.
    public static let duplicateKey = HandshakeFailure(.duplicateKey)
    /// A `Sec-WebSocket-Key` that is not base64; carries the value (RFC 6455 §4.2.1).
    /// Status 400.
    public static func malformedKey(_ value: String) -> HandshakeFailure {
        HandshakeFailure(.malformedKey(value))
    }
    /// A base64 `Sec-WebSocket-Key` that does not decode to 16 bytes; carries the decoded
    /// length (RFC 6455 §4.2.1). Status 400.
    public static func invalidKeyLength(_ byteCount: Int) -> HandshakeFailure {
        HandshakeFailure(.invalidKeyLength(byteCount))
    }

    // MARK: Found by a server in an HTTP/2 extended CONNECT (RFC 8441)

    /// A WebSocket stream request whose method is not `CONNECT`; carries the method
    /// (RFC 8441 §4). Status 405, with `Allow: CONNECT`.
    public static func notExtendedConnect(_ method: String) -> HandshakeFailure {
        HandshakeFailure(.notExtendedConnect(method))
    }
    /// A `CONNECT` without `:protocol`: a tunnel request, which a WebSocket server does not
    /// serve (RFC 8441 §4). Status 501.
    public static let missingProtocolPseudoHeader = HandshakeFailure(.missingProtocolPseudoHeader)
    /// A `:protocol` other than `websocket`; carries it (RFC 8441 §4). Status 501.
    public static func unsupportedProtocol(_ name: String) -> HandshakeFailure {
        HandshakeFailure(.unsupportedProtocol(name))
    }
    /// A required pseudo-header (`:scheme`, `:path`, `:authority`) is missing; carries its
    /// name (RFC 8441 §4). Status 400.
    public static func missingPseudoHeader(_ name: String) -> HandshakeFailure {
        HandshakeFailure(.missingPseudoHeader(name))
    }
    /// A connection-specific header field (`Connection`, `Upgrade`, …) in an HTTP/2
    /// request; carries its name (RFC 9113 §8.2.2: the request is malformed). Status 400.
    public static func connectionSpecificField(_ name: String) -> HandshakeFailure {
        HandshakeFailure(.connectionSpecificField(name))
    }

    // MARK: Found by a client

    /// A response status other than 101 Switching Protocols (RFC 6455 §4.1). The caller
    /// may still act on it, for example follow a redirect or authenticate.
    public static func unexpectedStatus(_ code: Int) -> HandshakeFailure {
        HandshakeFailure(.unexpectedStatus(code))
    }
    /// An HTTP/2 extended CONNECT answered with a status outside 2xx (RFC 8441 §5).
    public static func unexpectedExtendedConnectStatus(_ code: Int) -> HandshakeFailure {
        HandshakeFailure(.unexpectedExtendedConnectStatus(code))
    }
    /// No `Sec-WebSocket-Accept` header (RFC 6455 §4.1).
    public static let missingAcceptKey = HandshakeFailure(.missingAcceptKey)
    /// A `Sec-WebSocket-Accept` that does not match the key this client sent
    /// (RFC 6455 §4.1).
    public static func acceptKeyMismatch(expected: String, got: String) -> HandshakeFailure {
        HandshakeFailure(.acceptKeyMismatch(expected: expected, got: got))
    }
    /// A `Sec-WebSocket-Protocol` the client did not offer, including any subprotocol when
    /// none was offered, or a list of several (RFC 6455 §4.1).
    public static func subprotocolNotOffered(_ value: String) -> HandshakeFailure {
        HandshakeFailure(.subprotocolNotOffered(value))
    }
    /// An extension in `Sec-WebSocket-Extensions` that the client did not offer; carries
    /// its name (RFC 6455 §4.1).
    public static func extensionNotOffered(_ name: String) -> HandshakeFailure {
        HandshakeFailure(.extensionNotOffered(name))
    }

    // MARK: Properties

    /// The status a server replies with when it rejects a request for this reason, or
    /// `nil` for failures only a client can find in a response.
    ///
    /// Failures either side can find (a missing `Upgrade` header) carry the server's
    /// status whichever side found them; a client has no one to reply to and ignores it.
    public var status: HTTPResponse.Status? {
        switch base {
        case .methodNotAllowed, .notExtendedConnect:
            return .methodNotAllowed
        case .missingVersionHeader, .unsupportedVersion:
            return .upgradeRequired
        case .missingProtocolPseudoHeader, .unsupportedProtocol:
            return .notImplemented
        case .unexpectedStatus, .unexpectedExtendedConnectStatus, .missingAcceptKey, .acceptKeyMismatch, .subprotocolNotOffered,
            .extensionNotOffered:
            return nil
        default:
            return .badRequest
        }
    }

    /// The header fields a server's rejection response must carry for this failure: the
    /// supported version and protocol for 426, `Allow: GET` for 405, none otherwise.
    public var responseHeaderFields: HTTPFields {
        switch base {
        case .missingVersionHeader, .unsupportedVersion:
            // RFC 6455 §4.2.2: "send an appropriate HTTP error code (such as 426 Upgrade
            // Required) and a |Sec-WebSocket-Version| header field indicating the
            // version(s) the server is capable of understanding."
            // RFC 9110 §15.5.22: "The server MUST send an Upgrade header field in a 426
            // response"; §7.8: a sender of Upgrade "MUST also send an 'Upgrade' connection
            // option in the Connection header field".
            return [
                .upgrade: "websocket",
                .connection: "Upgrade",
                .secWebSocketVersion: ServerHandshake.supportedVersion,
            ]
        case .methodNotAllowed:
            // RFC 9110 §15.5.6: "The origin server MUST generate an Allow header field in a
            // 405 response containing a list of the target resource's currently supported
            // methods."
            return [.allow: "GET"]
        case .notExtendedConnect:
            return [.allow: "CONNECT"]
        default:
            return [:]
        }
    }

    /// The status a server replies with for this failure on a request of `shape`: as
    /// ``status``, except that an extended CONNECT with a missing or wrong
    /// `Sec-WebSocket-Version` gets 400, not 426 (a 426 must carry `Upgrade`, RFC 9110
    /// §15.5.22, and HTTP/2 forbids that field, RFC 9113 §8.2.2).
    public func status(for shape: HandshakeShape) -> HTTPResponse.Status? {
        if shape == .extendedConnect, status == .upgradeRequired { return .badRequest }
        return status
    }

    /// The header fields of the rejection for `shape`: as ``responseHeaderFields``, without
    /// `Upgrade` and `Connection` on HTTP/2 (the 400 for a version keeps
    /// `Sec-WebSocket-Version: 13`, RFC 6455 §4.2.2).
    public func responseHeaderFields(for shape: HandshakeShape) -> HTTPFields {
        guard shape == .extendedConnect else { return responseHeaderFields }
        var fields = responseHeaderFields
        fields[.upgrade] = nil
        fields[.connection] = nil
        return fields
    }

    /// A stable machine-readable identifier, for example `missing-key`.
    public var identifier: String {
        switch base {
        case .missingUpgradeHeader: return "missing-upgrade-header"
        case .invalidUpgradeHeader: return "invalid-upgrade-header"
        case .missingConnectionHeader: return "missing-connection-header"
        case .invalidConnectionHeader: return "invalid-connection-header"
        case .malformedExtensionHeader: return "malformed-extension-header"
        case .methodNotAllowed: return "method-not-allowed"
        case .unsupportedHTTPVersion: return "unsupported-http-version"
        case .missingHostHeader: return "missing-host-header"
        case .duplicateHostHeader: return "duplicate-host-header"
        case .missingVersionHeader: return "missing-version-header"
        case .duplicateVersionHeader: return "duplicate-version-header"
        case .unsupportedVersion: return "unsupported-version"
        case .missingKey: return "missing-key"
        case .duplicateKey: return "duplicate-key"
        case .malformedKey: return "malformed-key"
        case .invalidKeyLength: return "invalid-key-length"
        case .notExtendedConnect: return "not-extended-connect"
        case .missingProtocolPseudoHeader: return "missing-protocol-pseudo-header"
        case .unsupportedProtocol: return "unsupported-protocol"
        case .missingPseudoHeader: return "missing-pseudo-header"
        case .connectionSpecificField: return "connection-specific-field"
        case .unexpectedStatus, .unexpectedExtendedConnectStatus: return "unexpected-status"
        case .missingAcceptKey: return "missing-accept-key"
        case .acceptKeyMismatch: return "accept-key-mismatch"
        case .subprotocolNotOffered: return "subprotocol-not-offered"
        case .extensionNotOffered: return "extension-not-offered"
        }
    }

    /// One plain sentence naming what was wrong.
    public var description: String {
        switch base {
        case .missingUpgradeHeader:
            return "the Upgrade header is missing"
        case .invalidUpgradeHeader(let value):
            return "the Upgrade header \"\(value)\" does not contain the token websocket"
        case .missingConnectionHeader:
            return "the Connection header is missing"
        case .invalidConnectionHeader(let value):
            return "the Connection header \"\(value)\" does not contain the token Upgrade"
        case .malformedExtensionHeader(let error):
            return "the Sec-WebSocket-Extensions header is malformed: \(error)"
        case .methodNotAllowed(let method):
            return "the request method is \(method), but a WebSocket upgrade must use GET"
        case .unsupportedHTTPVersion(let major, let minor):
            return "the request uses HTTP/\(major).\(minor), but a WebSocket upgrade needs HTTP/1.1 or later"
        case .missingHostHeader:
            return "the Host header is missing"
        case .duplicateHostHeader:
            return "the Host header appears more than once"
        case .missingVersionHeader:
            return "the Sec-WebSocket-Version header is missing"
        case .duplicateVersionHeader:
            return "the Sec-WebSocket-Version header appears more than once"
        case .unsupportedVersion(let value):
            return "the Sec-WebSocket-Version \"\(value)\" is not supported (only 13 is)"
        case .missingKey:
            return "the Sec-WebSocket-Key header is missing"
        case .duplicateKey:
            return "the Sec-WebSocket-Key header appears more than once"
        case .malformedKey(let value):
            return "the Sec-WebSocket-Key \"\(value)\" is not valid base64"
        case .invalidKeyLength(let count):
            return "the Sec-WebSocket-Key decodes to \(count) bytes instead of 16"
        case .notExtendedConnect(let method):
            return "the request method is \(method), but a WebSocket over HTTP/2 must use CONNECT with :protocol websocket"
        case .missingProtocolPseudoHeader:
            return "the CONNECT request has no :protocol (a tunnel request); this server speaks only :protocol websocket"
        case .unsupportedProtocol(let name):
            return "the :protocol \"\(name)\" is not supported (only websocket is)"
        case .missingPseudoHeader(let name):
            return "the \(name) pseudo-header is missing"
        case .connectionSpecificField(let name):
            return "the request carries the connection-specific field \(name), which HTTP/2 forbids"
        case .unexpectedStatus(let code):
            return "the server answered with status \(code) instead of 101 Switching Protocols"
        case .unexpectedExtendedConnectStatus(let code):
            return "the server answered the HTTP/2 extended CONNECT with status \(code) instead of 200"
        case .missingAcceptKey:
            return "the Sec-WebSocket-Accept header is missing"
        case .acceptKeyMismatch(let expected, let got):
            return "the Sec-WebSocket-Accept \"\(got)\" does not match the expected \"\(expected)\""
        case .subprotocolNotOffered(let value):
            return "the server selected the subprotocol \"\(value)\", which the client did not offer"
        case .extensionNotOffered(let name):
            return "the server accepted the extension \(name), which the client did not offer"
        }
    }
}
