import NIOCore
import WSKCore

/// When a session pings its peer and what it does when the peer stays silent.
public struct KeepalivePolicy: Sendable {
    /// When pings go out.
    public enum Schedule: Sendable {
        /// After `interval` without any byte from the peer (a server's idle timeout).
        case whenIdle
        /// Every `interval`, whatever the traffic (a client's `--ping-interval`).
        case always
    }

    /// What ends a connection whose peer stays silent.
    public enum Ending: Sendable {
        /// Start the closing handshake with this code and reason (RFC 6455 §7.4.1 1001).
        case close(CloseCode, reason: String)
        /// Drop the transport: the peer is not answering, a close frame would not be read.
        case abort(reason: String)
    }

    /// The payload of keepalive pings, so an application can tell their pongs from others.
    public static let pingPayload = "wsk"

    /// The ping period (or the idle time before a ping).
    public var interval: TimeAmount
    /// How long after a ping the peer may stay silent; `nil` never gives up.
    public var timeout: TimeAmount?
    /// Idle pings or regular pings.
    public var schedule: Schedule
    /// What happens when the peer stays silent past `timeout`.
    public var ending: Ending

    /// Creates a policy.
    public init(interval: TimeAmount, timeout: TimeAmount?, schedule: Schedule, ending: Ending) {
        self.interval = interval
        self.timeout = timeout
        self.schedule = schedule
        self.ending = ending
    }

    /// A server's idle timeout (Bunny's semantics): a client silent for `idle` is pinged,
    /// and closed with 1001 if it stays silent as long again.
    public static func idleTimeout(_ idle: TimeAmount) -> KeepalivePolicy {
        KeepalivePolicy(interval: idle, timeout: idle, schedule: .whenIdle, ending: .close(.goingAway, reason: "idle timeout"))
    }
}

/// Runs a ``KeepalivePolicy`` for one session on its event loop, by the loop's clock. Any
/// byte from the peer counts as a sign of life (a pong, but also a message).
final class SessionKeepalive {
    let policy: KeepalivePolicy
    let eventLoop: EventLoop
    var lastActivity: NIODeadline
    var pingSentAt: NIODeadline?
    var task: Scheduled<Void>?

    init(policy: KeepalivePolicy, eventLoop: EventLoop) {
        self.policy = policy
        self.eventLoop = eventLoop
        self.lastActivity = eventLoop.now
    }

    /// Starts the timer; `ping` sends a ping, `end` ends the connection.
    func start(ping: @escaping () -> Void, end: @escaping (KeepalivePolicy.Ending) -> Void) {
        schedule(at: eventLoop.now + policy.interval, ping: ping, end: end)
    }

    /// The peer sent something.
    func activity() {
        lastActivity = eventLoop.now
        pingSentAt = nil
    }

    func stop() {
        task?.cancel()
        task = nil
    }

    func schedule(at deadline: NIODeadline, ping: @escaping () -> Void, end: @escaping (KeepalivePolicy.Ending) -> Void) {
        task = eventLoop.scheduleTask(deadline: deadline) { [self] in
            fire(ping: ping, end: end)
        }
    }

    func fire(ping: @escaping () -> Void, end: @escaping (KeepalivePolicy.Ending) -> Void) {
        let now = eventLoop.now
        if let sentAt = pingSentAt, let timeout = policy.timeout, now - sentAt >= timeout {
            end(policy.ending)
            return
        }
        if policy.schedule == .whenIdle && pingSentAt == nil && now - lastActivity < policy.interval {
            schedule(at: lastActivity + policy.interval, ping: ping, end: end)
            return
        }
        if pingSentAt == nil || policy.schedule == .always {
            if pingSentAt == nil { pingSentAt = now }
            ping()
        }
        var next = now + policy.interval
        if let sentAt = pingSentAt, let timeout = policy.timeout { next = min(next, sentAt + timeout) }
        schedule(at: next, ping: ping, end: end)
    }
}
