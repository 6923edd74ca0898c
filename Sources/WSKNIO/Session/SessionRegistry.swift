import NIOConcurrencyHelpers
import NIOCore

/// The open sessions of a server, across event loops: for broadcast, topics, the
/// connection limit and graceful shutdown. Sessions add themselves on upgrade and are
/// removed when they close; the lock is taken per connection, not per message.
public final class SessionRegistry: Sendable {
    let sessions = NIOLockedValueBox<[ObjectIdentifier: WebSocketSession]>([:])
    /// Upgrades admitted under the connection limit whose session is not added yet (the
    /// limit counts them, so upgrades on several event loops cannot overshoot it).
    let reserved = NIOLockedValueBox(0)

    /// Creates an empty registry.
    public init() {}

    /// The number of open sessions.
    public var count: Int { sessions.withLockedValue { $0.count } }

    /// Admits one more upgrade if open sessions and admitted upgrades stay within `limit`;
    /// the caller then ``add(_:reserved:)``s its session or ``release()``s the place.
    public func reserve(limit: Int) -> Bool {
        sessions.withLockedValue { sessions in
            reserved.withLockedValue { reserved in
                guard sessions.count + reserved < limit else { return false }
                reserved += 1
                return true
            }
        }
    }

    /// Gives back a place ``reserve(limit:)`` admitted (the upgrade did not happen).
    public func release() {
        reserved.withLockedValue { $0 = max(0, $0 - 1) }
    }

    /// Adds a session, taking the place reserved for it, if any.
    public func add(_ session: WebSocketSession, reserved fromReservation: Bool = false) {
        sessions.withLockedValue { sessions in
            sessions[ObjectIdentifier(session)] = session
            if fromReservation { reserved.withLockedValue { $0 = max(0, $0 - 1) } }
        }
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
