import HTTPTypes
import NIOCore
import NIOHTTP1
import WSKCompression
import WSKCore

/// What the two ways into a server session share: an HTTP/1.1 upgrade
/// (``ServerUpgradeHandler``) and an HTTP/2 extended CONNECT (``HTTP2ServerStreamHandler``).
/// The checks before the handshake, the extension negotiation and the session itself are
/// the same whichever HTTP version carried the request.
struct ServerAdmission {
    let configuration: WebSocketServerConfiguration
    let application: WebSocketServerApplication
    let registry: SessionRegistry

    /// The checks before the handshake, in order: the application's inspection, then
    /// (Azion's edge firewall) the origin and the required headers. A refusal's status and
    /// reason, or `nil` to go on.
    func precheck(_ head: HTTPRequestHead) -> (status: HTTPResponseStatus, reason: String)? {
        if let refusal = configuration.inspectRequest?(head) {
            return refusal
        }
        if !configuration.allowedOrigins.isEmpty {
            let origin = head.headers.first(name: "origin") ?? ""
            if !configuration.allowedOrigins.contains(where: { $0.lowercased() == origin.lowercased() }) {
                return (.forbidden, "origin \(origin.isEmpty ? "(none)" : origin) not allowed")
            }
        }
        for required in configuration.requiredHeaders where !head.headers[required.name].contains(required.value) {
            return (.unauthorized, "missing or wrong \(required.name) header")
        }
        return nil
    }

    /// The request as the application's ``WebSocketServerConfiguration/prepareUpgrade`` sees it.
    func upgradeRequest(_ handshake: ServerHandshake, head: HTTPRequestHead, remoteAddress: String) -> UpgradeRequest {
        UpgradeRequest(
            head: head,
            remoteAddress: remoteAddress,
            offeredSubprotocols: handshake.offeredSubprotocols,
            offersCompression: handshake.offeredExtensions.contains { $0.name.lowercased() == PerMessageDeflateNegotiator.extensionName }
        )
    }

    /// The application's answer to ``WebSocketServerConfiguration/prepareUpgrade``: its
    /// decision, or a 500 when it failed; `nil` when the client left meanwhile (what was
    /// prepared is abandoned).
    static func decision(_ result: Result<UpgradeDecision, Error>, channelIsActive: Bool) -> UpgradeDecision? {
        let decision: UpgradeDecision
        switch result {
        case .success(let answer): decision = answer
        case .failure(let error): decision = .refuse(status: .internalServerError, reason: "\(error)")
        }
        guard channelIsActive else {
            if case .accept(_, _, let prepared) = decision { prepared?.abandon() }
            return nil
        }
        return decision
    }

    /// What accepting a request gives: the subprotocol (`chosen` by the application, or
    /// selected from ``WebSocketServerConfiguration/subprotocols``), the extensions agreed
    /// and to run, and the response (101 or 200, by the handshake's shape).
    struct Acceptance {
        var subprotocol: String?
        var accepted: [WebSocketExtensionOffer]
        var running: [any WebSocketExtension]
        var response: HTTPResponse
    }

    func accept(_ handshake: ServerHandshake, subprotocol chosen: String??, compression: Bool) throws(UsageError) -> Acceptance {
        let subprotocol = chosen ?? handshake.selectSubprotocol(supported: configuration.subprotocols)
        let (accepted, running) = negotiateExtensions(handshake, allowed: compression)
        let response = try handshake.acceptResponse(subprotocol: subprotocol, extensions: accepted)
        return Acceptance(subprotocol: subprotocol, accepted: accepted, running: running, response: response)
    }

    /// permessage-deflate, when the server's options and the client's offers agree (and
    /// `allowed`): the response's extension elements and the extensions to run.
    func negotiateExtensions(_ handshake: ServerHandshake, allowed: Bool) -> (accepted: [WebSocketExtensionOffer], running: [any WebSocketExtension]) {
        guard allowed, let options = configuration.compression else { return ([], []) }
        let offers = handshake.offeredExtensions.filter { $0.name.lowercased() == PerMessageDeflateNegotiator.extensionName }
        guard let agreement = PerMessageDeflateNegotiator(options: options).respond(to: offers) else { return ([], []) }
        return (
            [agreement.response],
            [PerMessageDeflate(parameters: agreement.parameters, role: .server, compressionLevel: configuration.compressionLevel)]
        )
    }

    /// The session for an accepted request, registered and holding its writes until the
    /// response is out (what the application sends when it sees the session open, a
    /// proxy relaying what its upstream already said, follows the response).
    func makeSession(info: SessionInfo, extensions: [any WebSocketExtension], eventLoop: EventLoop, reserved: Bool) -> WebSocketSession {
        let connection = Connection(
            role: .server,
            configuration: configuration.limits,
            extensions: extensions,
            autoReplyPolicy: configuration.autoReplyPolicy,
            randomNumberGenerator: SystemRandomNumberGenerator()
        )
        let session = WebSocketSession(
            connection: connection,
            info: info,
            eventLoop: eventLoop,
            options: configuration.sessionOptions,
            delegate: application
        )
        // Registered (and seen open by the application) before the response goes out: a
        // client may act on it at once, and broadcasts or topics must already include
        // this session by then.
        session.registry = registry
        session.phase = .holdingWrites
        registry.add(session, reserved: reserved)
        return session
    }
}
