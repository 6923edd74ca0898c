import WSKNIO

/// Where `wsk proxy` relays to.
enum ProxyTarget: Sendable, CustomStringConvertible {
    case webSocket(WebSocketURL)
    case tcp(host: String, port: Int)
    case program(String, binary: Bool)

    var description: String {
        switch self {
        case .webSocket(let url): return url.description
        case .tcp(let host, let port): return "tcp://\(host):\(port)"
        case .program(let command, _): return "program '\(command)'"
        }
    }

    var isWebSocket: Bool {
        if case .webSocket = self { return true }
        return false
    }

    /// Whether this is the address a proxy listening with `listen` is bound to (a proxy
    /// pointed at itself).
    func isAddress(of listen: ListenOptions) -> Bool {
        let (host, port): (String, Int)
        switch self {
        case .webSocket(let url): (host, port) = (url.host, url.effectivePort)
        case .tcp(let targetHost, let targetPort): (host, port) = (targetHost, targetPort)
        case .program: return false
        }
        guard listen.port != 0, port == listen.port else { return false }
        let loopback: Set<String> = ["127.0.0.1", "localhost", "::1"]
        let listenHost = listen.host.lowercased()
        let wildcard = listenHost == "0.0.0.0" || listenHost == "::"
        return host.lowercased() == listenHost || (loopback.contains(host.lowercased()) && (wildcard || loopback.contains(listenHost)))
    }

    /// Parses `ws://…`, `wss://…` or `tcp://HOST:PORT`.
    static func parse(_ text: String) throws -> ProxyTarget {
        if text.lowercased().hasPrefix("tcp://") {
            guard let endpoint = try? HostPort(parsing: text.dropFirst(6)), let port = endpoint.port else {
                throw CLIError.failure("expected tcp://HOST:PORT, got '\(text)'")
            }
            return .tcp(host: endpoint.host, port: port)
        }
        do {
            return .webSocket(try WebSocketURL(parsing: text))
        } catch {
            throw CLIError.failure("\(error) (or tcp://HOST:PORT)")
        }
    }
}

/// What `wsk proxy` sends upstream besides the handshake.
struct ProxyForwarding: Sendable {
    /// Client request headers passed on as they are (`--forward-header`).
    var forwardedHeaders: [String] = []
    /// Headers added to every upstream request (`-H`).
    var addedHeaders: [(name: String, value: String)] = []
    /// This proxy's `Via` marker (loop detection).
    var viaMarker: String
}

/// A client's relay, made when its upgrade request arrived and the upstream was dialled;
/// it reaches the client's session through ``SessionInfo/prepared``.
final class PendingRelay: PreparedUpgrade, @unchecked Sendable {
    let relay: Relay
    let client: SessionEndpoint
    /// What the log's `upstream` line says about the upstream (its extensions, a pid).
    var detail = ""

    init(relay: Relay, client: SessionEndpoint) {
        self.relay = relay
        self.client = client
    }

    func abandon() {
        relay.connectFailed(.client)
    }
}
