import HTTPTypes
import Testing

@testable import WSKCore

/// The second handshake shape: WebSockets on an HTTP/2 stream by extended CONNECT
/// (RFC 8441 §4-5), server and client side.
@Suite("Extended CONNECT (RFC 8441)")
struct ExtendedConnectTests {
    /// RFC 8441 §5.1's example request, with a permessage-deflate offer added.
    func request(_ change: (inout HTTPRequest) -> Void = { _ in }) -> HTTPRequest {
        var request = HTTPRequest(method: .connect, scheme: "https", authority: "server.example.com", path: "/chat", headerFields: [
            .secWebSocketProtocol: "chat, superchat",
            .secWebSocketExtensions: "permessage-deflate; client_max_window_bits",
            .secWebSocketVersion: "13",
            .origin: "http://www.example.com",
        ])
        request.extendedConnectProtocol = "websocket"
        change(&request)
        return request
    }

    func failure(_ request: HTTPRequest) -> HandshakeFailure? {
        do {
            _ = try ServerHandshake(extendedConnect: request)
            return nil
        } catch {
            return error
        }
    }

    @Test func acceptsRFC8441Example() throws {
        let handshake = try ServerHandshake(extendedConnect: request())
        #expect(handshake.shape == .extendedConnect)
        #expect(handshake.host == "server.example.com")
        #expect(handshake.origin == "http://www.example.com")
        #expect(handshake.offeredSubprotocols == ["chat", "superchat"])
        #expect(handshake.offeredExtensions.map(\.name) == ["permessage-deflate"])
        #expect(handshake.key.isEmpty)
    }

    /// RFC 8441 §5: a 2xx with only the negotiation fields; no 101, Upgrade, Connection or
    /// Sec-WebSocket-Accept.
    @Test func acceptsWith200AndNoConnectionFields() throws {
        let handshake = try ServerHandshake(extendedConnect: request())
        let response = try handshake.acceptResponse(
            subprotocol: "chat", extensions: [WebSocketExtensionOffer(name: "permessage-deflate")],
            additionalHeaderFields: [.server: "wsk"])
        #expect(response.status == .ok)
        #expect(handshakePairs(response.headerFields) == ["Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Extensions: permessage-deflate", "Server: wsk"])
        // The same rules as an upgrade for what may be selected.
        #expect(throws: UsageError.unofferedSubprotocol("mqtt")) { try handshake.acceptResponse(subprotocol: "mqtt") }
    }

    @Test func refusesWhatIsNotAWebSocketStream() {
        #expect(failure(request { $0.method = .get }) == .notExtendedConnect("GET"))
        #expect(failure(request { $0.extendedConnectProtocol = nil }) == .missingProtocolPseudoHeader)
        #expect(failure(request { $0.extendedConnectProtocol = "connect-udp" }) == .unsupportedProtocol("connect-udp"))
        // Upgrade tokens compare case-insensitively.
        #expect(failure(request { $0.extendedConnectProtocol = "WebSocket" }) == nil)
        #expect(failure(request { $0.path = nil }) == .missingPseudoHeader(":path"))
        #expect(failure(request { $0.scheme = nil }) == .missingPseudoHeader(":scheme"))
        #expect(failure(request { $0.authority = nil }) == .missingPseudoHeader(":authority"))
        #expect(failure(request { $0.authority = nil; $0.headerFields[.hostField] = "h.example" }) == nil)
        #expect(failure(request { $0.headerFields[.connection] = "Upgrade" }) == .connectionSpecificField("connection"))
        #expect(failure(request { $0.headerFields[.upgrade] = "websocket" }) == .connectionSpecificField("upgrade"))
        #expect(failure(request { $0.headerFields[.secWebSocketVersion] = nil }) == .missingVersionHeader)
        #expect(failure(request { $0.headerFields[.secWebSocketVersion] = "8" }) == .unsupportedVersion("8"))
        // RFC 8441 §5 drops the key; one that is sent is ignored, even a malformed one.
        #expect(failure(request { $0.headerFields[.secWebSocketKey] = "not base64!" }) == nil)
    }

    /// The statuses the issue names: 501 for a protocol not spoken, 405 with Allow: CONNECT,
    /// and a version problem as 400 with the version (a 426 would need Upgrade, which
    /// HTTP/2 forbids).
    @Test func rejectionsFitHTTP2() {
        let unsupported = ServerHandshake.rejectionResponse(for: .unsupportedProtocol("x"), shape: .extendedConnect)
        #expect(unsupported.status == .notImplemented)
        #expect(ServerHandshake.rejectionResponse(for: .missingProtocolPseudoHeader, shape: .extendedConnect).status == .notImplemented)
        let method = ServerHandshake.rejectionResponse(for: .notExtendedConnect("GET"), shape: .extendedConnect)
        #expect(method.status == .methodNotAllowed)
        #expect(handshakePairs(method.headerFields) == ["Allow: CONNECT"])
        let version = ServerHandshake.rejectionResponse(for: .unsupportedVersion("8"), shape: .extendedConnect)
        #expect(version.status == .badRequest)
        #expect(handshakePairs(version.headerFields) == ["Sec-WebSocket-Version: 13"])
        // HTTP/1.1 keeps its 426.
        #expect(ServerHandshake.rejectionResponse(for: .unsupportedVersion("8"), shape: .upgrade).status == .upgradeRequired)
    }

    @Test func clientBuildsTheExtendedConnectAndChecksTheAnswer() throws {
        var generator = HandshakeSeededGenerator(seed: 1)
        let client = try ClientHandshake(
            target: .init(host: "example.com", port: 8443, path: "/chat?x=1", isSecure: true),
            origin: "https://example.com",
            subprotocols: ["chat"],
            extensions: [WebSocketExtensionOffer(name: "permessage-deflate")],
            additionalHeaderFields: [.authorization: "Bearer t"],
            using: &generator
        )
        let request = client.extendedConnectRequest
        #expect(request.method == .connect)
        #expect(request.extendedConnectProtocol == "websocket")
        #expect(request.scheme == "https" && request.authority == "example.com:8443" && request.path == "/chat?x=1")
        #expect(handshakePairs(request.headerFields) == [
            "Sec-WebSocket-Version: 13", "Origin: https://example.com", "Sec-WebSocket-Protocol: chat",
            "Sec-WebSocket-Extensions: permessage-deflate", "Authorization: Bearer t",
        ])
        // What the client sends, the server accepts; what the server answers, the client accepts.
        let server = try ServerHandshake(extendedConnect: request)
        let response = try server.acceptResponse(subprotocol: "chat", extensions: [WebSocketExtensionOffer(name: "permessage-deflate")])
        let outcome = try client.validateResponse(status: response.status.code, headerFields: response.headerFields, shape: .extendedConnect)
        #expect(outcome.subprotocol == "chat")
        #expect(outcome.extensions.map(\.name) == ["permessage-deflate"])
        // A 101 is no answer to a CONNECT, nor is a 4xx; the negotiation checks still apply.
        #expect(throws: HandshakeFailure.unexpectedExtendedConnectStatus(101)) {
            try client.validateResponse(status: 101, headerFields: [:], shape: .extendedConnect)
        }
        #expect(throws: HandshakeFailure.unexpectedExtendedConnectStatus(404)) {
            try client.validateResponse(status: 404, headerFields: [:], shape: .extendedConnect)
        }
        #expect(throws: HandshakeFailure.subprotocolNotOffered("mqtt")) {
            try client.validateResponse(status: 200, headerFields: [.secWebSocketProtocol: "mqtt"], shape: .extendedConnect)
        }
        #expect(HandshakeFailure.unexpectedExtendedConnectStatus(404).identifier == "unexpected-status")
    }
}
