import Foundation
import NIOCore
import NIOPosix
import WSKCore
import WSKNIO

/// What pipe mode and the REPL each do around the one client loop.
protocol ClientLoopRunner: WebSocketSessionDelegate {
    /// Resets per-connection state before a dial; returns the promise the runner fulfils
    /// when that connection is over (the loop fulfils it itself when the dial fails).
    func prepareConnection(on loop: EventLoop) -> EventLoopPromise<Void>
    /// The connection is up: start feeding it (returns at once).
    func connectionOpened(_ client: WebSocketClientConnection)
    /// The dial failed with this exit status (already explained on stderr).
    func dialFailed(status: Int32)
    /// The connection is over: its exit status and how it ended.
    func connectionEnded() -> (status: Int32, outcome: CloseOutcome?)
    /// Whether the user asked to stop (Ctrl-D, /quit, stdin consumed): no redialling.
    var stopRequested: Bool { get }
    /// Shows a note (`reconnecting in 1.0 s`).
    func note(_ text: String)
}

/// The one client loop of `wsk connect`, for pipe mode and the REPL alike: dial, run the
/// connection until it ends, and with `--reconnect` dial again while the end is worth it
/// (``ClientLifecycle/worthReconnecting(status:outcome:)``) and the user has not stopped,
/// with backoff (0.5 s doubling to 30 s, back to 0.5 s after a connection succeeds).
/// Keepalive lives in the session; close handling and exit statuses in
/// ``ClientLifecycle``.
struct ClientLoop {
    var url: WebSocketURL
    var configuration: WebSocketClientConfiguration
    var reconnect: Bool
    /// `--listen`: connections are accepted from clients instead of dialled.
    var listener: ConnectListener? = nil

    /// Runs until done; returns the exit status of the last attempt.
    func run(_ runner: ClientLoopRunner) async -> Int32 {
        if let listener { return await listen(listener, runner) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var backoff = 0.5
        var status: Int32
        while true {
            let closed = runner.prepareConnection(on: group.next())
            let (client, dialStatus) = await ClientLifecycle.connect(url: url, configuration: configuration, group: group, delegate: runner)
            var outcome: CloseOutcome? = nil
            if let client {
                backoff = 0.5
                runner.connectionOpened(client)
                try? await closed.futureResult.get()
                (status, outcome) = runner.connectionEnded()
            } else {
                closed.succeed(())
                status = dialStatus
                runner.dialFailed(status: status)
            }
            guard reconnect, !runner.stopRequested, ClientLifecycle.worthReconnecting(status: status, outcome: outcome) else { break }
            runner.note("reconnecting in \(backoff) s")
            let deadline = Date().addingTimeInterval(backoff)
            while Date() < deadline && !runner.stopRequested {
                try? await Task.sleep(nanoseconds: 50_000_000)
            }
            if runner.stopRequested { break }
            backoff = min(backoff * 2, 30)
        }
        try? await group.shutdownGracefully()
        return status
    }

    /// `--listen`: accepts one client, runs it like a dialled connection, and with
    /// --keep-listening waits for the next one after it ends (until the user stops).
    func listen(_ listener: ConnectListener, _ runner: ClientLoopRunner) async -> Int32 {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var status = ClientLifecycle.ExitStatus.connectionFailed
        if await listener.start(group: group, runner: runner) {
            while true {
                let loop = group.next()
                let closed = runner.prepareConnection(on: loop)
                guard let client = await listener.accept(on: loop) else {
                    closed.succeed(())
                    break
                }
                runner.connectionOpened(client)
                try? await closed.futureResult.get()
                status = runner.connectionEnded().status
                guard listener.keepListening, !runner.stopRequested else { break }
                runner.note("waiting for the next client")
            }
            await listener.stop()
        }
        try? await group.shutdownGracefully()
        return status
    }
}
