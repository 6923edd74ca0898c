import HTTPTypes
import Testing

@testable import WSKCore

/// Client request → server validation → server response → client validation, in memory.
@Suite("Handshake round trip")
struct HandshakeRoundTripTests {
    @Test(arguments: [0, 1, 0x5EED, UInt64.max])
    func subprotocolAndExtensionsAgree(seed: UInt64) throws {
        var generator = HandshakeSeededGenerator(seed: seed)
        let client = try ClientHandshake(
            target: .init(host: "::1", port: 9001, path: "/echo?x=1"),
            origin: "http://localhost",
            subprotocols: ["v2.chat", "chat"],
            extensions: [
                WebSocketExtensionOffer(
                    name: "permessage-deflate",
                    parameters: [.init(name: "client_max_window_bits")]
                ),
                WebSocketExtensionOffer(name: "permessage-deflate"),
            ],
            using: &generator
        )
        let request = client.request

        let server = try ServerHandshake(request: request, httpVersion: (1, 1))
        #expect(server.key == client.key)
        #expect(server.host == "[::1]:9001")
        #expect(server.origin == "http://localhost")
        #expect(server.offeredSubprotocols == ["v2.chat", "chat"])
        #expect(server.offeredExtensions == client.extensions)

        let subprotocol = server.selectSubprotocol(supported: ["chat", "v2.chat"])
        #expect(subprotocol == "v2.chat")
        let accepted = [
            WebSocketExtensionOffer(
                name: "permessage-deflate",
                parameters: [.init(name: "client_max_window_bits", value: "12")]
            )
        ]
        let response = try server.acceptResponse(subprotocol: subprotocol, extensions: accepted)

        let outcome = try client.validateResponse(response)
        #expect(outcome == HandshakeOutcome(subprotocol: "v2.chat", extensions: accepted))
    }

    /// The same, with `Host` as a header field, as an HTTP/1 parser hands it over.
    @Test func roundTripWithHostField() throws {
        var generator = HandshakeSeededGenerator(seed: 42)
        let client = try ClientHandshake(target: .init(host: "example.com", isSecure: true), using: &generator)
        var fields = client.request.headerFields
        fields.append(HTTPField(name: .hostField, value: client.target.authority))
        let server = try ServerHandshake(method: .get, httpVersion: (1, 1), headerFields: fields)
        #expect(server.host == "example.com")
        let response = try server.acceptResponse()
        #expect(try client.validateResponse(response) == HandshakeOutcome())
    }

    /// A server with no subprotocol in common answers without one, and the client accepts that.
    @Test func noCommonSubprotocol() throws {
        var generator = HandshakeSeededGenerator(seed: 7)
        let client = try ClientHandshake(target: .init(host: "example.com"), subprotocols: ["mqtt"], using: &generator)
        let server = try ServerHandshake(request: client.request, httpVersion: (1, 1))
        let subprotocol = server.selectSubprotocol(supported: ["chat"])
        #expect(subprotocol == nil)
        let response = try server.acceptResponse(subprotocol: subprotocol)
        #expect(response.headerFields[.secWebSocketProtocol] == nil)
        #expect(try client.validateResponse(response).subprotocol == nil)
    }

    /// A rejection response fails the client with the status the server chose.
    @Test func rejectionReachesClientAsUnexpectedStatus() throws {
        var generator = HandshakeSeededGenerator(seed: 8)
        let client = try ClientHandshake(target: .init(host: "example.com"), using: &generator)
        var request = client.request
        request.headerFields[.secWebSocketVersion] = "8"
        let failure = try #require(throws: HandshakeFailure.self) {
            try ServerHandshake(request: request, httpVersion: (1, 1))
        }
        #expect(failure == .unsupportedVersion("8"))
        let response = ServerHandshake.rejectionResponse(for: failure)
        #expect(throws: HandshakeFailure.unexpectedStatus(426)) { try client.validateResponse(response) }
    }
}

/// The examples in the `ClientHandshake` and `ServerHandshake` doc comments, kept compiling.
@Suite("Handshake doc examples")
struct HandshakeDocExampleTests {
    func respond(to method: HTTPRequest.Method, _ fields: HTTPFields) throws(UsageError) -> HTTPResponse {
        let handshake: ServerHandshake
        do {
            handshake = try ServerHandshake(method: method, httpVersion: (1, 1), headerFields: fields)
        } catch {
            return ServerHandshake.rejectionResponse(for: error)  // write it, then close
        }
        let subprotocol = handshake.selectSubprotocol(supported: ["chat"])
        return try handshake.acceptResponse(subprotocol: subprotocol)  // write it, then speak frames
    }

    @Test func clientAndServerExamples() throws {
        var generator = SystemRandomNumberGenerator()
        let handshake = try ClientHandshake(
            target: .init(host: "example.com", path: "/chat"),
            subprotocols: ["chat"],
            using: &generator
        )
        var requestFields = handshake.request.headerFields
        requestFields.append(HTTPField(name: .hostField, value: "example.com"))

        let response = try respond(to: .get, requestFields)
        let responseFields = response.headerFields
        #expect(response.status == .switchingProtocols)
        let outcome = try handshake.validateResponse(status: 101, headerFields: responseFields)
        #expect(outcome.subprotocol == "chat")

        #expect(try respond(to: .post, requestFields).status == .methodNotAllowed)
    }
}
