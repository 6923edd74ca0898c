import NIOCore
import NIOHTTP1

/// An upgrade request that passed the server's checks and the RFC 6455 handshake
/// validation, shown to the application before the server answers it.
public struct UpgradeRequest: Sendable {
    /// The request as received.
    public var head: HTTPRequestHead
    /// The client's address, for example `127.0.0.1:51234`.
    public var remoteAddress: String
    /// The subprotocols the client offered, in its order of preference.
    public var offeredSubprotocols: [String]
    /// Whether the client offered permessage-deflate.
    public var offersCompression: Bool
}

/// Something an application set up for a connection before its upgrade was answered (a
/// proxy's upstream connection). It reaches the session in ``SessionInfo/prepared``; when
/// the client is gone before the 101, the server calls ``abandon()`` instead.
public protocol PreparedUpgrade: AnyObject, Sendable {
    /// The client left before the upgrade completed: release what was set up. Called on
    /// the connection's event loop.
    func abandon()
}

/// The application's answer to an ``UpgradeRequest``.
public enum UpgradeDecision: Sendable {
    /// Answer 101. `subprotocol` is the one to select (it must be one the client
    /// offered), `compression` whether permessage-deflate may be negotiated (the server's
    /// options still apply), and `prepared` reaches the session.
    case accept(subprotocol: String?, compression: Bool, prepared: (any PreparedUpgrade)?)
    /// Answer with this status and reason (a proxy passing back its upstream's refusal, or
    /// 502 Bad Gateway when the upstream cannot be reached).
    case refuse(status: HTTPResponseStatus, reason: String)
}
