import NIOCore
import WSKCore
import WSKNIO

/// `--ping-interval` / `--ping-timeout` for the client: a ping every interval; with a
/// timeout, a server that has not answered by then is taken for dead and the connection
/// is dropped (status 4).
enum Keepalive {
    /// The payload of keepalive pings, so the REPL can tell their pongs from the user's.
    static let payload = "wsk"

    static func start(
        session: WebSocketSession,
        interval: Double?,
        timeout: Double?,
        lastPong: @escaping @Sendable () -> NIODeadline,
        onTimeout: @escaping @Sendable (String) -> Void
    ) -> Task<Void, Never>? {
        guard let interval else { return nil }
        return Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                if Task.isCancelled { return }
                let sentAt = NIODeadline.now()
                session.eventLoop.execute { session.send(.ping(ByteBuffer(string: payload))) }
                guard let timeout else { continue }
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                if lastPong() < sentAt && !Task.isCancelled {
                    onTimeout("no pong within \(timeout) s: the server is not answering")
                    session.eventLoop.execute { session.abort() }
                    return
                }
            }
        }
    }
}
