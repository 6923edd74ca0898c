import NIOConcurrencyHelpers
import NIOCore

/// When each step of a client's opening handshake finished (`wsk bench` reports them
/// separately): TCP connect (with name resolution), the proxy tunnel, TLS, the HTTP
/// upgrade. Times are `DispatchTime`-style uptime nanoseconds (`NIODeadline.now()`).
public final class ConnectTimings: Sendable {
    /// The steps of the opening handshake, in order.
    public enum Step: String, Sendable, CaseIterable {
        case tcp, proxy, tls, upgrade
    }

    struct State {
        var started: UInt64 = 0
        var finished: [Step: UInt64] = [:]
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Marks the start (before name resolution and TCP connect).
    public func start() {
        state.withLockedValue { $0.started = Self.now() }
    }

    public func finish(_ step: Step) {
        let now = Self.now()
        state.withLockedValue { if $0.finished[step] == nil { $0.finished[step] = now } }
    }

    /// How long each finished step took, in nanoseconds (a step starts when the one
    /// before it finished).
    public var durations: [Step: UInt64] {
        state.withLockedValue { state in
            var result: [Step: UInt64] = [:]
            var previous = state.started
            for step in Step.allCases {
                guard let end = state.finished[step] else { continue }
                result[step] = end &- previous
                previous = end
            }
            return result
        }
    }

    /// The first step that did not finish: where a failed handshake failed.
    public func failedStep(secure: Bool, proxied: Bool) -> Step {
        state.withLockedValue { state in
            for step in Step.allCases where state.finished[step] == nil {
                if step == .tls && !secure { continue }
                if step == .proxy && !proxied { continue }
                return step
            }
            return .upgrade
        }
    }

    static func now() -> UInt64 { UInt64(NIODeadline.now().uptimeNanoseconds) }
}
