import NIOConcurrencyHelpers
import NIOCore

/// The open sessions of a server, across event loops: for broadcast, topics, the
/// connection limit and graceful shutdown. Sessions add themselves on upgrade and are
/// removed when they close; the lock is taken per connection, not per message.
public final class SessionRegistry: Sendable {
    let sessions = NIOLockedValueBox<[ObjectIdentifier: WebSocketSession]>([:])

    /// Creates an empty registry.
    public init() {}

    /// The number of open sessions.
    public var count: Int { sessions.withLockedValue { $0.count } }

    /// Adds a session.
    public func add(_ session: WebSocketSession) {
        sessions.withLockedValue { $0[ObjectIdentifier(session)] = session }
    }

    /// Removes a session.
    public func remove(_ session: WebSocketSession) {
        sessions.withLockedValue { _ = $0.removeValue(forKey: ObjectIdentifier(session)) }
    }

    /// A snapshot of the open sessions.
    public var all: [WebSocketSession] {
        sessions.withLockedValue { Array($0.values) }
    }
}
