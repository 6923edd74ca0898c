import HTTPTypes
import Testing

@testable import WSKCore

@Suite("ClientHandshake")
struct ClientHandshakeTests {
    static let seededKey = "tKnwA5398Ql1hL8bFnQyVQ=="

    func makeHandshake(
        target: ClientHandshake.Target = .init(host: "example.com", path: "/chat"),
        origin: String? = nil,
        subprotocols: [String] = [],
        extensions: [WebSocketExtensionOffer] = [],
        additionalHeaderFields: HTTPFields = [:],
        seed: UInt64 = 0x5EED
    ) throws -> ClientHandshake {
        var generator = HandshakeSeededGenerator(seed: seed)
        return try ClientHandshake(
            target: target,
            origin: origin,
            subprotocols: subprotocols,
            extensions: extensions,
            additionalHeaderFields: additionalHeaderFields,
            using: &generator
        )
    }

    /// A response that `handshake` accepts, to break one field at a time.
    func validResponseFields(for handshake: ClientHandshake) -> HTTPFields {
        [.upgrade: "websocket", .connection: "Upgrade", .secWebSocketAccept: handshake.expectedAcceptKey]
    }

    // MARK: Request

    @Test func keyIsReproducibleFromSeededGenerator() throws {
        let handshake = try makeHandshake()
        #expect(handshake.key == Self.seededKey)
        #expect(Base64.decode(handshake.key)?.count == 16)
        #expect(handshake.expectedAcceptKey == "9b4A+OzDeBQI0aMqc6HmdUHQC6E=")
    }

    @Test func keyIsFreshForEachHandshake() {
        var generator = HandshakeSeededGenerator(seed: 0x5EED)
        let first = ClientHandshake.makeKey(using: &generator)
        let second = ClientHandshake.makeKey(using: &generator)
        #expect(first == Self.seededKey)
        #expect(second == "s0OzlkbKW12NUiJ9bJvScA==")
    }

    @Test func minimalRequest() throws {
        let request = try makeHandshake().request
        #expect(request.method == .get)
        #expect(request.scheme == "http")
        #expect(request.authority == "example.com")
        #expect(request.path == "/chat")
        #expect(
            handshakePairs(request.headerFields) == [
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Key: \(Self.seededKey)",
                "Sec-WebSocket-Version: 13",
            ]
        )
    }

    @Test func fullRequest() throws {
        let request = try makeHandshake(
            target: .init(host: "example.com", port: 8443, path: "/chat?room=1", isSecure: true),
            origin: "https://example.com",
            subprotocols: ["chat", "superchat"],
            extensions: [
                WebSocketExtensionOffer(
                    name: "permessage-deflate",
                    parameters: [.init(name: "client_max_window_bits")]
                ),
                WebSocketExtensionOffer(name: "x-test"),
            ],
            additionalHeaderFields: [.authorization: "Bearer t0ken"]
        ).request
        #expect(request.scheme == "https")
        #expect(request.authority == "example.com:8443")
        #expect(request.path == "/chat?room=1")
        #expect(
            handshakePairs(request.headerFields) == [
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Key: \(Self.seededKey)",
                "Sec-WebSocket-Version: 13",
                "Origin: https://example.com",
                "Sec-WebSocket-Protocol: chat, superchat",
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-test",
                "Authorization: Bearer t0ken",
            ]
        )
    }

    /// RFC 6455 §4.1: the Host header carries the port only when it is not the default.
    @Test(arguments: [
        (ClientHandshake.Target(host: "example.com"), "example.com"),
        (ClientHandshake.Target(host: "example.com", port: 80), "example.com"),
        (ClientHandshake.Target(host: "example.com", port: 443), "example.com:443"),
        (ClientHandshake.Target(host: "example.com", isSecure: true), "example.com"),
        (ClientHandshake.Target(host: "example.com", port: 443, isSecure: true), "example.com"),
        (ClientHandshake.Target(host: "example.com", port: 80, isSecure: true), "example.com:80"),
        (ClientHandshake.Target(host: "127.0.0.1", port: 9001), "127.0.0.1:9001"),
        (ClientHandshake.Target(host: "::1"), "[::1]"),
        (ClientHandshake.Target(host: "::1", port: 8080), "[::1]:8080"),
        (ClientHandshake.Target(host: "[2001:db8::1]", port: 8080), "[2001:db8::1]:8080"),
    ])
    func authority(target: ClientHandshake.Target, expected: String) throws {
        #expect(target.authority == expected)
        #expect(try makeHandshake(target: target).request.authority == expected)
    }

    @Test func effectivePort() {
        #expect(ClientHandshake.Target(host: "a").effectivePort == 80)
        #expect(ClientHandshake.Target(host: "a", isSecure: true).effectivePort == 443)
        #expect(ClientHandshake.Target(host: "a", port: 9001, isSecure: true).effectivePort == 9001)
    }

    @Test(arguments: ["", "exa mple.com", "example.com/chat", "user@example.com", "[::1", "[]", "exa\u{7F}mple"])
    func rejectsInvalidHost(host: String) {
        #expect(throws: UsageError.invalidHost(host)) {
            try makeHandshake(target: .init(host: host))
        }
    }

    @Test(arguments: [0, -1, 65536])
    func rejectsInvalidPort(port: Int) {
        #expect(throws: UsageError.invalidPort(port)) {
            try makeHandshake(target: .init(host: "example.com", port: port))
        }
    }

    @Test(arguments: ["", "chat", "/chat#top", "/a b", "/a\r\nX-Evil: 1"])
    func rejectsInvalidRequestTarget(path: String) {
        #expect(throws: UsageError.invalidRequestTarget(path)) {
            try makeHandshake(target: .init(host: "example.com", path: path))
        }
    }

    @Test(arguments: ["", "two words", "a,b", "caf\u{E9}", "semi;colon"])
    func rejectsSubprotocolThatIsNotAToken(name: String) {
        #expect(throws: UsageError.invalidSubprotocol(name)) {
            try makeHandshake(subprotocols: ["chat", name])
        }
    }

    @Test func rejectsDuplicateSubprotocol() {
        #expect(throws: UsageError.duplicateSubprotocol("chat")) {
            try makeHandshake(subprotocols: ["chat", "superchat", "chat"])
        }
    }

    @Test(arguments: [
        HTTPField.Name.secWebSocketKey, .secWebSocketVersion, .secWebSocketProtocol, .secWebSocketExtensions,
        .upgrade, .connection, .hostField,
    ])
    func rejectsAdditionalFieldTheHandshakeSets(name: HTTPField.Name) {
        #expect(throws: UsageError.reservedHeaderField(name.rawName)) {
            try makeHandshake(additionalHeaderFields: [name: "x"])
        }
    }

    @Test func originMayBeAnAdditionalFieldOnlyWithoutOriginParameter() throws {
        let request = try makeHandshake(additionalHeaderFields: [.origin: "https://a.example"]).request
        #expect(request.headerFields[.origin] == "https://a.example")
        #expect(throws: UsageError.reservedHeaderField("Origin")) {
            try makeHandshake(origin: "https://b.example", additionalHeaderFields: [.origin: "https://a.example"])
        }
    }

    // MARK: Response

    @Test func acceptsMinimalResponse() throws {
        let handshake = try makeHandshake()
        let outcome = try handshake.validateResponse(status: 101, headerFields: validResponseFields(for: handshake))
        #expect(outcome == HandshakeOutcome(subprotocol: nil, extensions: []))
    }

    @Test func acceptsHTTPResponse() throws {
        let handshake = try makeHandshake()
        let response = HTTPResponse(status: .switchingProtocols, headerFields: validResponseFields(for: handshake))
        #expect(try handshake.validateResponse(response) == HandshakeOutcome())
    }

    @Test(arguments: [200, 301, 401, 400, 426, 500])
    func rejectsStatusOtherThan101(status: Int) throws {
        let handshake = try makeHandshake()
        #expect(throws: HandshakeFailure.unexpectedStatus(status)) {
            try handshake.validateResponse(status: status, headerFields: validResponseFields(for: handshake))
        }
    }

    @Test func rejectsMissingUpgrade() throws {
        let handshake = try makeHandshake()
        var fields = validResponseFields(for: handshake)
        fields[.upgrade] = nil
        #expect(throws: HandshakeFailure.missingUpgradeHeader) {
            try handshake.validateResponse(status: 101, headerFields: fields)
        }
    }

    @Test func rejectsUpgradeWithoutWebSocket() throws {
        let handshake = try makeHandshake()
        var fields = validResponseFields(for: handshake)
        fields[.upgrade] = "h2c"
        #expect(throws: HandshakeFailure.invalidUpgradeHeader("h2c")) {
            try handshake.validateResponse(status: 101, headerFields: fields)
        }
    }

    @Test(arguments: ["WebSocket", "WEBSOCKET", "websocket"])
    func upgradeIsCaseInsensitive(value: String) throws {
        let handshake = try makeHandshake()
        var fields = validResponseFields(for: handshake)
        fields[.upgrade] = value
        _ = try handshake.validateResponse(status: 101, headerFields: fields)
    }

    @Test func rejectsMissingConnection() throws {
        let handshake = try makeHandshake()
        var fields = validResponseFields(for: handshake)
        fields[.connection] = nil
        #expect(throws: HandshakeFailure.missingConnectionHeader) {
            try handshake.validateResponse(status: 101, headerFields: fields)
        }
    }

    @Test func rejectsConnectionWithoutUpgradeToken() throws {
        let handshake = try makeHandshake()
        var fields = validResponseFields(for: handshake)
        fields[.connection] = "keep-alive, upgraded"
        #expect(throws: HandshakeFailure.invalidConnectionHeader("keep-alive, upgraded")) {
            try handshake.validateResponse(status: 101, headerFields: fields)
        }
    }

    @Test(arguments: [["keep-alive, Upgrade"], ["UPGRADE"], ["keep-alive", "upgrade"], [" , upgrade ,"]])
    func connectionTokenIsCaseInsensitiveInLists(values: [String]) throws {
        let handshake = try makeHandshake()
        var fields = validResponseFields(for: handshake)
        fields[values: .connection] = values
        _ = try handshake.validateResponse(status: 101, headerFields: fields)
    }

    @Test func rejectsMissingAcceptKey() throws {
        let handshake = try makeHandshake()
        var fields = validResponseFields(for: handshake)
        fields[.secWebSocketAccept] = nil
        #expect(throws: HandshakeFailure.missingAcceptKey) {
            try handshake.validateResponse(status: 101, headerFields: fields)
        }
    }

    @Test func rejectsWrongAcceptKey() throws {
        let handshake = try makeHandshake()
        var fields = validResponseFields(for: handshake)
        fields[.secWebSocketAccept] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        #expect(
            throws: HandshakeFailure.acceptKeyMismatch(
                expected: "9b4A+OzDeBQI0aMqc6HmdUHQC6E=",
                got: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
            )
        ) {
            try handshake.validateResponse(status: 101, headerFields: fields)
        }
    }

    /// The accept check compares exactly: base64 is case-sensitive.
    @Test func rejectsAcceptKeyInOtherCase() throws {
        let handshake = try makeHandshake()
        var fields = validResponseFields(for: handshake)
        fields[.secWebSocketAccept] = "9B4A+OZDEBQI0AMQC6HMDUHQC6E="
        #expect(
            throws: HandshakeFailure.acceptKeyMismatch(
                expected: "9b4A+OzDeBQI0aMqc6HmdUHQC6E=",
                got: "9B4A+OZDEBQI0AMQC6HMDUHQC6E="
            )
        ) {
            try handshake.validateResponse(status: 101, headerFields: fields)
        }
    }

    @Test func returnsSelectedSubprotocol() throws {
        let handshake = try makeHandshake(subprotocols: ["chat", "superchat"])
        var fields = validResponseFields(for: handshake)
        fields[.secWebSocketProtocol] = "superchat"
        let outcome = try handshake.validateResponse(status: 101, headerFields: fields)
        #expect(outcome.subprotocol == "superchat")
    }

    @Test func rejectsSubprotocolNotOffered() throws {
        let handshake = try makeHandshake(subprotocols: ["chat"])
        var fields = validResponseFields(for: handshake)
        fields[.secWebSocketProtocol] = "mqtt"
        #expect(throws: HandshakeFailure.subprotocolNotOffered("mqtt")) {
            try handshake.validateResponse(status: 101, headerFields: fields)
        }
    }

    /// A server must not select a subprotocol when the client offered none.
    @Test func rejectsSubprotocolWhenNoneOffered() throws {
        let handshake = try makeHandshake()
        var fields = validResponseFields(for: handshake)
        fields[.secWebSocketProtocol] = "chat"
        #expect(throws: HandshakeFailure.subprotocolNotOffered("chat")) {
            try handshake.validateResponse(status: 101, headerFields: fields)
        }
    }

    @Test func rejectsSeveralSubprotocols() throws {
        let handshake = try makeHandshake(subprotocols: ["chat", "superchat"])
        var fields = validResponseFields(for: handshake)
        fields[values: .secWebSocketProtocol] = ["chat", "superchat"]
        #expect(throws: HandshakeFailure.subprotocolNotOffered("chat, superchat")) {
            try handshake.validateResponse(status: 101, headerFields: fields)
        }
    }

    /// Subprotocol names compare exactly, as browsers compare them.
    @Test func subprotocolComparisonIsCaseSensitive() throws {
        let handshake = try makeHandshake(subprotocols: ["chat"])
        var fields = validResponseFields(for: handshake)
        fields[.secWebSocketProtocol] = "Chat"
        #expect(throws: HandshakeFailure.subprotocolNotOffered("Chat")) {
            try handshake.validateResponse(status: 101, headerFields: fields)
        }
    }

    @Test func returnsAcceptedExtensionsWithServerParameters() throws {
        let handshake = try makeHandshake(extensions: [
            WebSocketExtensionOffer(name: "permessage-deflate", parameters: [.init(name: "client_max_window_bits")]),
            WebSocketExtensionOffer(name: "x-test"),
        ])
        var fields = validResponseFields(for: handshake)
        fields[.secWebSocketExtensions] = "permessage-deflate; server_no_context_takeover; client_max_window_bits=10"
        let outcome = try handshake.validateResponse(status: 101, headerFields: fields)
        #expect(
            outcome.extensions == [
                WebSocketExtensionOffer(
                    name: "permessage-deflate",
                    parameters: [
                        .init(name: "server_no_context_takeover"), .init(name: "client_max_window_bits", value: "10"),
                    ]
                )
            ]
        )
    }

    @Test func rejectsExtensionNotOffered() throws {
        let handshake = try makeHandshake(extensions: [WebSocketExtensionOffer(name: "permessage-deflate")])
        var fields = validResponseFields(for: handshake)
        fields[values: .secWebSocketExtensions] = ["permessage-deflate", "x-unknown; a=1"]
        #expect(throws: HandshakeFailure.extensionNotOffered("x-unknown")) {
            try handshake.validateResponse(status: 101, headerFields: fields)
        }
    }

    @Test func rejectsExtensionWhenNoneOffered() throws {
        let handshake = try makeHandshake()
        var fields = validResponseFields(for: handshake)
        fields[.secWebSocketExtensions] = "permessage-deflate"
        #expect(throws: HandshakeFailure.extensionNotOffered("permessage-deflate")) {
            try handshake.validateResponse(status: 101, headerFields: fields)
        }
    }

    @Test func rejectsMalformedExtensionHeader() throws {
        let handshake = try makeHandshake(extensions: [WebSocketExtensionOffer(name: "permessage-deflate")])
        var fields = validResponseFields(for: handshake)
        fields[.secWebSocketExtensions] = "permessage-deflate; =1"
        let parseError = ExtensionHeaderParser.ParseError(message: "expected parameter name", offset: 20)
        #expect(throws: HandshakeFailure.malformedExtensionHeader(parseError)) {
            try handshake.validateResponse(status: 101, headerFields: fields)
        }
    }
}
