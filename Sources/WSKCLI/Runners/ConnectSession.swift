// connect on the wire: TCP (through an HTTP CONNECT proxy if configured), TLS for wss://,
// the HTTP/1.1 upgrade request, then frames both ways. In pipe mode each stdin record
// becomes one message and each received message one stdout record; stdin EOF sends close
// 1000 and waits for the server's close. The exit status says how the connection ended.
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WSKCore
import WSKNIO

/// Runs `wsk connect` in pipe mode.
final class ConnectSession: ClientLoopRunner, @unchecked Sendable {
    let url: WebSocketURL
    let configuration: WebSocketClientConfiguration
    let pipe: PipeOptions
    let connection: ClientConnectionOptions
    let output: ClientOutputOptions
    let untilRegex: Regex<AnyRegexOutput>?
    let delimiter: UInt8
    let stdin: StdinReader

    // State shared between the event loop, the stdin thread and run(); guarded by `state`.
    struct State {
        var session: WebSocketSession?
        var received = 0
        var outcome: CloseOutcome?
        var violation: ProtocolViolation?
        var closed: EventLoopPromise<Void>?
        var userClosing = false
        var sender: Task<Void, Never>?
        /// stdin records read on this connection (for line numbers in messages).
        var records = 0
        /// A stdin line was refused (--invalid-utf8 refuse): the run fails.
        var inputRefused = false
        /// The signal that ended the run, if any.
        var signal: Int32?
        /// --jsonl: lines of events that came before the `open` line.
        var early = HeldUntilOpen<[UInt8]>()
        /// When the session opened (the `open` line's time).
        var openedAt: String?
        /// -x: whether every message has gone out, and whether --exit-after or --until was
        /// met before that (the close then waits for them: what -x names is always sent).
        var executeSent = false
        var closeWhenExecuteSent = false
    }
    let state = NIOLockedValueBox(State())

    /// `--listen`: clients connect to this instead of wsk dialling `url`.
    let listener: ConnectListener?

    init(url: WebSocketURL, configuration: WebSocketClientConfiguration, pipe: PipeOptions, connection: ClientConnectionOptions, output: ClientOutputOptions, listener: ConnectListener? = nil) {
        self.url = url
        self.listener = listener
        self.configuration = configuration
        self.pipe = pipe
        self.connection = connection
        self.output = output
        self.untilRegex = pipe.until.flatMap { try? Regex($0) }
        self.delimiter = pipe.nullDelimited ? 0 : UInt8(ascii: "\n")
        self.stdin = StdinReader(binary: pipe.binary, delimiter: delimiter)
    }

    func run() async -> Int32 {
        FileOutput.watchReader(of: 1) { [self] in stdoutClosed() }
        let signals = SignalWatcher.start([SIGINT, SIGTERM]) { [self] signal in interrupted(by: signal) }
        let status = await ClientLoop(url: url, configuration: configuration, reconnect: connection.reconnect, listener: listener).run(self)
        signals.cancel()
        if let signal = state.withLockedValue({ $0.signal }) { return 128 + signal }
        return status
    }

    /// SIGINT or SIGTERM: close with 1001 going away, give the server a second to answer,
    /// and exit 128 + the signal (130, 143).
    func interrupted(by signal: Int32) {
        state.withLockedValue { $0.signal = signal }
        closeByUser(.goingAway, reason: "interrupted")
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) {
            exit(128 + signal)  // the server did not answer in time
        }
    }

    // MARK: - ClientLoopRunner

    func prepareConnection(on loop: EventLoop) -> EventLoopPromise<Void> {
        let closed = loop.makePromise(of: Void.self)
        state.withLockedValue {
            $0 = State()
            $0.closed = closed
        }
        return closed
    }

    func connectionOpened(_ client: WebSocketClientConnection) {
        let session = client.session
        state.withLockedValue { $0.session = session }
        ClientLifecycle.showHandshake(client, if: output.showHandshake)
        if output.verbose {
            let info = session.info
            let peer = listener == nil ? "connected to \(url)" : "client \(info.remoteAddress) connected to \(info.path)"
            Diagnostics.note("\(peer) http=\(info.shape.httpVersion) subprotocol=\(info.subprotocol ?? "-") extensions=\(info.extensions.map(\.description).joined(separator: ", "))")
        }
        if output.jsonl {
            // On the loop, before any event of this connection is written.
            let info = session.info
            let url = self.url
            let listening = listener != nil
            try? session.eventLoop.submit { [self] in
                writeJSONLine("open") { object in
                    if listening {
                        object.string("remote", info.remoteAddress)
                        object.string("path", info.path)
                    } else {
                        object.string("url", url.description)
                    }
                    object.string("http", info.shape.httpVersion)
                    if let subprotocol = info.subprotocol { object.string("subprotocol", subprotocol) } else { object.null("subprotocol") }
                    object.string("extensions", info.extensions.map(\.description).joined(separator: ", "))
                }
            }.wait()
        }
        let sender = Task.detached { [self] in await feed(session) }
        state.withLockedValue { $0.sender = sender }
    }

    func dialFailed(status: Int32) {}

    func connectionEnded() -> (status: Int32, outcome: CloseOutcome?) {
        let (sender, outcome) = state.withLockedValue { ($0.sender, $0.outcome) }
        sender?.cancel()
        return (exitStatus(), outcome)
    }

    var stopRequested: Bool {
        state.withLockedValue { $0.userClosing } || stdin.finished
    }

    func note(_ text: String) { Diagnostics.note(text) }

    func exitStatus() -> Int32 {
        if state.withLockedValue({ $0.inputRefused }) { return ClientLifecycle.ExitStatus.connectionFailed }
        let (outcome, violation) = state.withLockedValue { ($0.outcome, $0.violation) }
        return ClientLifecycle.exitStatus(outcome: outcome, violation: violation, verbose: output.verbose)
    }

    // MARK: - WebSocketSessionDelegate (on the event loop)

    func sessionDidOpen(_ session: WebSocketSession) {
        if output.jsonl {
            let now = EventLog.timestamp()
            state.withLockedValue { $0.openedAt = now }
        }
    }

    func session(_ session: WebSocketSession, didReceive event: ConnectionEvent) {
        switch event {
        case .message(let message):
            received(message, on: session)
        case .ping(let payload):
            if output.verbose { Diagnostics.note("ping \(payload.readableBytes) bytes") }
            if output.jsonl { writeJSONLine("ping") { $0.string("base64", ByteText.base64(payload.readableBytesView)) } }
        case .pong(let payload):
            if output.verbose { Diagnostics.note("pong \(payload.readableBytes) bytes") }
            if output.jsonl { writeJSONLine("pong") { $0.string("base64", ByteText.base64(payload.readableBytesView)) } }
        case .closeReceived(let close):
            if output.verbose { Diagnostics.note("close frame: \(close)") }
            if output.jsonl {
                writeJSONLine("close") { object in
                    if let code = close.code { object.int("code", Int(code.rawValue)) } else { object.null("code") }
                    object.string("reason", close.reason)
                }
            }
        case .failed(let violation):
            state.withLockedValue { $0.violation = violation }
            if output.jsonl {
                writeJSONLine("error") { object in
                    object.string("reason", violation.reason.description)
                    object.int("code", Int(violation.closeCode.rawValue))
                }
            }
        case .closed:
            break
        }
    }

    func received(_ message: Message, on session: WebSocketSession) {
        // After --exit-after or --until is satisfied, later messages are not printed.
        if state.withLockedValue({ $0.userClosing && (pipe.exitAfter != nil || untilRegex != nil) }) { return }
        if !writeRecord(message) {
            stdoutClosed()
            return
        }
        if pipe.echo {
            session.send(message)
        }
        let count = state.withLockedValue {
            $0.received += 1
            return $0.received
        }
        var done = false
        if let exitAfter = pipe.exitAfter, count >= exitAfter { done = true }
        if let untilRegex, message.isText, message.text.contains(untilRegex) { done = true }
        guard done else { return }
        let waitForExecute = !pipe.execute.isEmpty && state.withLockedValue { state -> Bool in
            guard !state.executeSent else { return false }
            state.closeWhenExecuteSent = true
            state.userClosing = true  // later messages are not printed
            return true
        }
        if !waitForExecute { closeByUser(.normalClosure, session: session) }
    }

    func sessionDidClose(_ session: WebSocketSession, outcome: CloseOutcome) {
        let promise = state.withLockedValue { state -> EventLoopPromise<Void>? in
            state.outcome = outcome
            return state.closed
        }
        if output.jsonl {
            writeJSONLine("closed") { object in
                object.int("code", Int(outcome.code.rawValue))
                object.string("reason", outcome.reason)
                object.bool("clean", outcome.wasClean)
            }
        }
        // Let the server close TCP first (RFC 6455 §7.1.1); the session times out otherwise.
        session.closeFuture.whenComplete { _ in promise?.succeed(()) }
    }

    /// Writes one received message to stdout, blocking this event loop while stdout is
    /// slow: reading stops, TCP flow control slows the server, nothing is dropped.
    @discardableResult
    func writeRecord(_ message: Message) -> Bool {
        if output.jsonl {
            return writeJSONLine("message") { object in
                object.string("type", message.isText ? "text" : "binary")
                object.int("bytes", message.data.readableBytes)
                if message.isText {
                    object.string("text", message.text)
                } else {
                    object.string("base64", ByteText.base64(message.data.readableBytesView))
                }
            }
        }
        var bytes: [UInt8] = []
        if output.timestamps {
            bytes += Array((EventLog.timestamp() + " ").utf8)
        }
        if message.isText {
            bytes += Array(message.data.readableBytesView)
            bytes.append(delimiter)
        } else if pipe.base64 {
            bytes += Array(ByteText.base64(message.data.readableBytesView).utf8)
            bytes.append(delimiter)
        } else if pipe.hex {
            bytes += Array(ByteText.hex(message.data.readableBytesView).utf8)
            bytes.append(delimiter)
        } else {
            bytes += Array(message.data.readableBytesView)
            // Raw binary has no delimiter, except with -0: records are NUL-terminated both ways.
            if !pipe.binary || pipe.nullDelimited { bytes.append(delimiter) }
        }
        return FileOutput.writeAll(bytes, to: 1)
    }

    /// The reader of stdout went away (`wsk connect URL | head -1`): close with 1001 going
    /// away and end, instead of reading messages nobody will see.
    func stdoutClosed() {
        closeByUser(.goingAway, reason: "output closed")
    }
}
