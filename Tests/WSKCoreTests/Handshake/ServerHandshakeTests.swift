import HTTPTypes
import Testing

@testable import WSKCore

@Suite("ServerHandshake")
struct ServerHandshakeTests {
    func validate(
        _ fields: HTTPFields = .validUpgradeRequest,
        method: HTTPRequest.Method = .get,
        version: (major: Int, minor: Int) = (1, 1),
        authority: String? = nil
    ) throws(HandshakeFailure) -> ServerHandshake {
        try ServerHandshake(method: method, httpVersion: version, headerFields: fields, authority: authority)
    }

    func fields(_ change: (inout HTTPFields) -> Void) -> HTTPFields {
        var fields = HTTPFields.validUpgradeRequest
        change(&fields)
        return fields
    }

    // MARK: Valid requests

    /// RFC 6455 §1.3's example request.
    @Test func parsesRFC6455Example() throws {
        let handshake = try validate()
        #expect(handshake.key == "dGhlIHNhbXBsZSBub25jZQ==")
        #expect(handshake.host == "server.example.com")
        #expect(handshake.origin == "http://example.com")
        #expect(handshake.offeredSubprotocols == ["chat", "superchat"])
        #expect(handshake.offeredExtensions == [])
        #expect(handshake.acceptKey == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func authorityTakesPrecedenceOverHostField() throws {
        #expect(try validate(authority: "example.org:8080").host == "example.org:8080")
        let withoutHost = fields { $0[.hostField] = nil }
        #expect(try validate(withoutHost, authority: "example.org").host == "example.org")
    }

    @Test func validatesHTTPRequest() throws {
        var request = HTTPRequest(method: .get, scheme: nil, authority: "example.org", path: "/chat")
        request.headerFields = fields { $0[.hostField] = nil }
        let handshake = try ServerHandshake(request: request, httpVersion: (1, 1))
        #expect(handshake.host == "example.org")
    }

    @Test func originIsOptional() throws {
        #expect(try validate(fields { $0[.origin] = nil }).origin == nil)
    }

    @Test(arguments: [(1, 1), (1, 2), (2, 0)])
    func acceptsHTTP11OrLater(major: Int, minor: Int) throws {
        _ = try validate(version: (major, minor))
    }

    // MARK: Method and version

    @Test(arguments: [HTTPRequest.Method.post, .head, .put, .connect, .options])
    func rejectsMethodOtherThanGet(method: HTTPRequest.Method) {
        #expect(throws: HandshakeFailure.methodNotAllowed(method.rawValue)) { try validate(method: method) }
    }

    @Test func methodNotAllowedRepliesWith405AndAllow() {
        let failure = HandshakeFailure.methodNotAllowed("POST")
        #expect(failure.status == .methodNotAllowed)
        #expect(handshakePairs(failure.responseHeaderFields) == ["Allow: GET"])
    }

    @Test(arguments: [(1, 0), (0, 9)])
    func rejectsHTTPBelow11(major: Int, minor: Int) {
        #expect(throws: HandshakeFailure.unsupportedHTTPVersion(major: major, minor: minor)) {
            try validate(version: (major, minor))
        }
        #expect(HandshakeFailure.unsupportedHTTPVersion(major: major, minor: minor).status == .badRequest)
    }

    // MARK: Host

    @Test func rejectsMissingHost() {
        #expect(throws: HandshakeFailure.missingHostHeader) { try validate(fields { $0[.hostField] = nil }) }
    }

    @Test func rejectsEmptyHost() {
        #expect(throws: HandshakeFailure.missingHostHeader) { try validate(fields { $0[.hostField] = "" }) }
    }

    @Test func rejectsDuplicateHost() {
        #expect(throws: HandshakeFailure.duplicateHostHeader) {
            try validate(fields { $0[values: .hostField] = ["a.example", "b.example"] })
        }
    }

    // MARK: Upgrade and Connection

    @Test func rejectsMissingUpgrade() {
        #expect(throws: HandshakeFailure.missingUpgradeHeader) { try validate(fields { $0[.upgrade] = nil }) }
    }

    @Test func rejectsUpgradeWithoutWebSocket() {
        #expect(throws: HandshakeFailure.invalidUpgradeHeader("h2c")) {
            try validate(fields { $0[.upgrade] = "h2c" })
        }
    }

    @Test(arguments: [["WebSocket"], ["WEBSOCKET"], ["h2c, websocket"], ["h2c", "WebSocket"]])
    func upgradeTokenIsCaseInsensitiveInLists(values: [String]) throws {
        _ = try validate(fields { $0[values: .upgrade] = values })
    }

    @Test func rejectsMissingConnection() {
        #expect(throws: HandshakeFailure.missingConnectionHeader) {
            try validate(fields { $0[.connection] = nil })
        }
    }

    @Test func rejectsConnectionWithoutUpgradeToken() {
        #expect(throws: HandshakeFailure.invalidConnectionHeader("keep-alive, close")) {
            try validate(fields { $0[.connection] = "keep-alive, close" })
        }
    }

    /// Several lines are one list, and the token is found anywhere in it.
    @Test(arguments: [["keep-alive, Upgrade"], ["keep-alive,upgrade"], ["UPGRADE"], ["keep-alive", "Upgrade"]])
    func connectionTokenIsCaseInsensitiveInLists(values: [String]) throws {
        _ = try validate(fields { $0[values: .connection] = values })
    }

    @Test func rejectsConnectionTokenAsSubstring() {
        #expect(throws: HandshakeFailure.invalidConnectionHeader("upgrade-insecure")) {
            try validate(fields { $0[.connection] = "upgrade-insecure" })
        }
    }

    // MARK: Version (426)

    @Test func rejectsMissingVersionWith426() throws {
        #expect(throws: HandshakeFailure.missingVersionHeader) {
            try validate(fields { $0[.secWebSocketVersion] = nil })
        }
        let response = ServerHandshake.rejectionResponse(for: .missingVersionHeader)
        #expect(response.status == .upgradeRequired)
        #expect(response.headerFields[.secWebSocketVersion] == "13")
    }

    @Test(arguments: ["8", "7", "12", "14", "13, 8", "thirteen"])
    func rejectsUnsupportedVersionWith426(version: String) {
        #expect(throws: HandshakeFailure.unsupportedVersion(version)) {
            try validate(fields { $0[.secWebSocketVersion] = version })
        }
        #expect(HandshakeFailure.unsupportedVersion(version).status == .upgradeRequired)
    }

    @Test func upgradeRequiredResponseHeaders() {
        let response = ServerHandshake.rejectionResponse(for: .unsupportedVersion("8"))
        #expect(response.status.code == 426)
        #expect(
            handshakePairs(response.headerFields) == [
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Version: 13",
            ]
        )
    }

    @Test func rejectsDuplicateVersion() {
        #expect(throws: HandshakeFailure.duplicateVersionHeader) {
            try validate(fields { $0[values: .secWebSocketVersion] = ["13", "13"] })
        }
        #expect(HandshakeFailure.duplicateVersionHeader.status == .badRequest)
    }

    /// Version is checked before the key, so an old client gets 426 rather than 400.
    @Test func checksVersionBeforeKey() {
        #expect(throws: HandshakeFailure.unsupportedVersion("8")) {
            try validate(
                fields {
                    $0[.secWebSocketVersion] = "8"
                    $0[.secWebSocketKey] = nil
                }
            )
        }
    }

    // MARK: Key (400)

    @Test func rejectsMissingKey() {
        #expect(throws: HandshakeFailure.missingKey) { try validate(fields { $0[.secWebSocketKey] = nil }) }
        #expect(HandshakeFailure.missingKey.status == .badRequest)
    }

    @Test func rejectsDuplicatedKey() {
        #expect(throws: HandshakeFailure.duplicateKey) {
            try validate(
                fields { $0[values: .secWebSocketKey] = ["dGhlIHNhbXBsZSBub25jZQ==", "AQIDBAUGBwgJCgsMDQ4PEC=="] })
        }
    }

    @Test(arguments: [
        "not base64 at all",
        "dGhlIHNhbXBsZSBub25jZQ",  // padding missing
        "dGhlIHNhbXBsZSBub25jZQ=",  // padding short
        "dGhlIHNhbXBsZSBub25jZQ-=",  // URL-safe alphabet
        "dGhlIHNhbXBsZSBub25jZQ==, dGhlIHNhbXBsZSBub25jZQ==",  // two keys on one line
    ])
    func rejectsKeyThatIsNotBase64(key: String) {
        #expect(throws: HandshakeFailure.malformedKey(key)) {
            try validate(fields { $0[.secWebSocketKey] = key })
        }
    }

    @Test(arguments: [
        ("AAAAAAAAAAAAAAAAAAAA", 15),
        ("AAAAAAAAAAAAAAAAAAAAAAA=", 17),
        ("", 0),
        ("Zm9v", 3),
    ])
    func rejectsKeyThatIsNot16Bytes(key: String, count: Int) {
        #expect(throws: HandshakeFailure.invalidKeyLength(count)) {
            try validate(fields { $0[.secWebSocketKey] = key })
        }
    }

    /// NIO's test key has non-zero pad bits; it is still base64 of 16 bytes.
    @Test func acceptsKeyWithNonZeroPadBits() throws {
        let handshake = try validate(fields { $0[.secWebSocketKey] = "AQIDBAUGBwgJCgsMDQ4PEC==" })
        #expect(handshake.acceptKey == "OfS0wDaT5NoxF2gqm7Zj2YtetzM=")
    }

    // MARK: Subprotocols and extensions

    @Test func collectsSubprotocolsFromEveryLine() throws {
        let handshake = try validate(
            fields { $0[values: .secWebSocketProtocol] = ["chat, superchat", " v2.chat ,", ", mqtt"] }
        )
        #expect(handshake.offeredSubprotocols == ["chat", "superchat", "v2.chat", "mqtt"])
    }

    @Test func noSubprotocolsOffered() throws {
        #expect(try validate(fields { $0[.secWebSocketProtocol] = nil }).offeredSubprotocols == [])
    }

    @Test func parsesExtensionOffersFromEveryLine() throws {
        let handshake = try validate(
            fields {
                $0[values: .secWebSocketExtensions] = [
                    "permessage-deflate; client_max_window_bits, permessage-deflate",
                    "x-test; mode=\"fast\"",
                ]
            }
        )
        #expect(
            handshake.offeredExtensions == [
                WebSocketExtensionOffer(
                    name: "permessage-deflate", parameters: [.init(name: "client_max_window_bits")]),
                WebSocketExtensionOffer(name: "permessage-deflate"),
                WebSocketExtensionOffer(name: "x-test", parameters: [.init(name: "mode", value: "fast")]),
            ]
        )
    }

    @Test func rejectsMalformedExtensionOffer() {
        let parseError = ExtensionHeaderParser.ParseError(message: "expected ',' or ';'", offset: 19)
        #expect(throws: HandshakeFailure.malformedExtensionHeader(parseError)) {
            try validate(fields { $0[.secWebSocketExtensions] = "permessage-deflate x" })
        }
        #expect(HandshakeFailure.malformedExtensionHeader(parseError).status == .badRequest)
    }

    @Test func selectsFirstClientOfferedSubprotocolTheServerSupports() {
        #expect(
            ServerHandshake.selectSubprotocol(offered: ["chat", "superchat"], supported: ["superchat", "chat"])
                == "chat"
        )
        #expect(ServerHandshake.selectSubprotocol(offered: ["mqtt", "chat"], supported: ["chat"]) == "chat")
        #expect(ServerHandshake.selectSubprotocol(offered: ["mqtt"], supported: ["chat"]) == nil)
        #expect(ServerHandshake.selectSubprotocol(offered: [], supported: ["chat"]) == nil)
    }

    @Test func selectsFromOfferedSubprotocols() throws {
        #expect(try validate().selectSubprotocol(supported: ["superchat"]) == "superchat")
    }

    // MARK: Responses

    /// RFC 6455 §1.3's example response.
    @Test func acceptResponseForRFC6455Example() throws {
        let response = try validate().acceptResponse(subprotocol: "chat")
        #expect(response.status == .switchingProtocols)
        #expect(
            handshakePairs(response.headerFields) == [
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
                "Sec-WebSocket-Protocol: chat",
            ]
        )
    }

    @Test func acceptResponseWithExtensionsAndAdditionalFields() throws {
        let handshake = try validate(
            fields {
                $0[.secWebSocketProtocol] = nil
                $0[.secWebSocketExtensions] = "permessage-deflate; client_max_window_bits"
            }
        )
        let response = try handshake.acceptResponse(
            extensions: [
                WebSocketExtensionOffer(
                    name: "permessage-deflate", parameters: [.init(name: "server_no_context_takeover")])
            ],
            additionalHeaderFields: [.setCookie: "id=1"]
        )
        #expect(
            handshakePairs(response.headerFields) == [
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
                "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover",
                "Set-Cookie: id=1",
            ]
        )
    }

    @Test func acceptResponseRejectsSubprotocolNotOffered() throws {
        let handshake = try validate()
        #expect(throws: UsageError.unofferedSubprotocol("mqtt")) { try handshake.acceptResponse(subprotocol: "mqtt") }
    }

    @Test func acceptResponseRejectsSubprotocolWhenNoneOffered() throws {
        let handshake = try validate(fields { $0[.secWebSocketProtocol] = nil })
        #expect(throws: UsageError.unofferedSubprotocol("chat")) { try handshake.acceptResponse(subprotocol: "chat") }
    }

    @Test func acceptResponseRejectsExtensionNotOffered() throws {
        let handshake = try validate()
        #expect(throws: UsageError.unofferedExtension("permessage-deflate")) {
            try handshake.acceptResponse(extensions: [WebSocketExtensionOffer(name: "permessage-deflate")])
        }
    }

    @Test func acceptResponseRejectsHandshakeFieldInAdditionalFields() throws {
        let handshake = try validate()
        #expect(throws: UsageError.reservedHeaderField("Sec-WebSocket-Accept")) {
            try handshake.acceptResponse(additionalHeaderFields: [.secWebSocketAccept: "x"])
        }
    }

    @Test func badRequestRejectionHasNoExtraFields() {
        let response = ServerHandshake.rejectionResponse(for: .missingKey)
        #expect(response.status == .badRequest)
        #expect(response.headerFields.isEmpty)
    }

    @Test func methodNotAllowedRejection() {
        let response = ServerHandshake.rejectionResponse(for: .methodNotAllowed("POST"))
        #expect(response.status == .methodNotAllowed)
        #expect(response.headerFields[.allow] == "GET")
    }
}
