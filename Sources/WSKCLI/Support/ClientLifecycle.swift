import NIOCore
import WSKCore
import WSKNIO

/// What pipe mode and the REPL share about a client connection's life: dialling with
/// diagnostics, the exit status for how it ended, and whether `--reconnect` redials.
enum ClientLifecycle {
    /// `wsk connect`'s exit statuses.
    enum ExitStatus {
        static let normal: Int32 = 0
        static let connectionFailed: Int32 = 1
        static let handshakeRefused: Int32 = 2
        static let protocolError: Int32 = 3
        static let abnormal: Int32 = 4
    }

    /// Whether `--reconnect` redials: the connection failed or dropped, or the server said
    /// it is going away, restarting or overloaded (1001, 1012, 1013 — what edge runtimes send
    /// on a deploy or an eviction).
    static func worthReconnecting(status: Int32, outcome: CloseOutcome?) -> Bool {
        if status == ExitStatus.abnormal || status == ExitStatus.connectionFailed { return true }
        guard let outcome, outcome.initiatedByPeer else { return false }
        return [1001, 1012, 1013].contains(outcome.code.rawValue)
    }

    /// Connects and upgrades; on failure prints why on stderr (a refused upgrade with the
    /// response's head and the start of its body) and returns the exit status.
    static func connect(
        url: WebSocketURL,
        configuration: WebSocketClientConfiguration,
        group: EventLoopGroup,
        delegate: WebSocketSessionDelegate
    ) async -> (WebSocketClientConnection?, Int32) {
        do {
            let client = try await WebSocketClient.connect(to: url, configuration: configuration, group: group, delegate: delegate)
            if let note = client.note { Diagnostics.note(note) }
            return (client, ExitStatus.normal)
        } catch let error as WebSocketClientError {
            switch error {
            case .connectionFailed(let message):
                Diagnostics.error(message)
                return (nil, ExitStatus.connectionFailed)
            case .handshakeRefused(_, _, let head, let bodyStart, _):
                Diagnostics.error(error.description)
                Diagnostics.raw(head + "\r\n" + bodyStart + (bodyStart.isEmpty || bodyStart.hasSuffix("\n") ? "" : "\n"))
                return (nil, ExitStatus.handshakeRefused)
            }
        } catch {
            Diagnostics.error(UserFacingError.describe(error))
            return (nil, ExitStatus.connectionFailed)
        }
    }

    /// The exit status for how a connection ended; explains failures on stderr.
    static func exitStatus(outcome: CloseOutcome?, violation: ProtocolViolation?, verbose: Bool, report: Bool = true) -> Int32 {
        if let violation {
            if report { Diagnostics.error("protocol error: \(violation)") }
            return ExitStatus.protocolError
        }
        guard let outcome else { return ExitStatus.abnormal }
        switch outcome.code {
        case .normalClosure, .goingAway, .noStatusReceived:
            if verbose && report { Diagnostics.note("closed: \(outcome)") }
            return outcome.wasClean ? ExitStatus.normal : ExitStatus.abnormal
        case .protocolError, .invalidPayloadData, .messageTooBig, .unsupportedData, .mandatoryExtension:
            if report { Diagnostics.error("closed by the server: \(outcome)") }
            return ExitStatus.protocolError
        default:
            if report {
                if outcome.code != .abnormalClosure {
                    Diagnostics.error("closed: \(outcome)")
                } else {
                    Diagnostics.error(outcome.reason.isEmpty ? "connection lost without a close frame (1006)" : outcome.reason)
                }
            }
            return ExitStatus.abnormal
        }
    }

    /// `--show-handshake`: the request and response heads, on stderr.
    static func showHandshake(_ client: WebSocketClientConnection, if shown: Bool) {
        guard shown else { return }
        Diagnostics.raw(client.requestHead + "\r\n" + client.responseHead + "\r\n")
    }
}
