// `wsk connect` on a terminal: a libedit REPL. Lines typed are parsed by REPLInput and sent
// on the connection's event loop; events from the connection are formatted by
// REPLFormatter and printed above the prompt. Ctrl-D (or /quit) closes with 1000 and
// waits for the server's close; the exit status is the same as in pipe mode.
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WSKCore
import WSKLineEditing
import WSKNIO

final class REPLSession: ClientLoopRunner, @unchecked Sendable {
    struct Options {
        var formatter: REPLFormatter
        var showHandshake = false
        /// Whether keepalive pings are sent (their pongs are not shown).
        var keepalive = false
        var reconnect = false
        var history: REPLHistory?
    }

    let url: WebSocketURL
    let configuration: WebSocketClientConfiguration
    let options: Options
    let editor: LineEditor
    var formatter: REPLFormatter { options.formatter }
    /// Set on the first connection; read and written by the client loop's task only.
    var editorStarted = false
    var interrupts: DispatchSourceSignal?

    struct State {
        var session: WebSocketSession?
        var outcome: CloseOutcome?
        var violation: ProtocolViolation?
        var closed: EventLoopPromise<Void>?
        var pingsInFlight: [[UInt8]: NIODeadline] = [:]
        var historyFailed = false
        /// Ctrl-D, Ctrl-C on an empty line or /quit: no reconnecting after this.
        var userQuit = false
        /// With --reconnect, what was typed while disconnected, sent once connected again.
        var queued: [@Sendable (WebSocketSession) -> String?] = []
        /// What the server sends before this connection's `* connected` line, so it never
        /// prints before it.
        var early = HeldUntilOpen<String>()
    }

    /// The most lines kept while disconnected (--reconnect); more are refused.
    static let maxQueued = 100
    let state = NIOLockedValueBox(State())

    /// `--listen`: clients connect to this instead of wsk dialling `url`.
    var listener: ConnectListener? = nil

    init(url: WebSocketURL, configuration: WebSocketClientConfiguration, options: Options, editor: LineEditor, listener: ConnectListener? = nil) {
        self.url = url
        self.listener = listener
        self.configuration = configuration
        self.options = options
        self.editor = editor
    }

    func run() async -> Int32 {
        let status = await ClientLoop(url: url, configuration: configuration, reconnect: options.reconnect, listener: listener).run(self)
        interrupts?.cancel()
        if editorStarted {
            signal(SIGINT, SIG_DFL)
            editor.stop()
        }
        return status
    }

    // MARK: - ClientLoopRunner

    func prepareConnection(on loop: EventLoop) -> EventLoopPromise<Void> {
        let closed = loop.makePromise(of: Void.self)
        state.withLockedValue {
            $0.closed = closed
            $0.outcome = nil
            $0.violation = nil
            $0.session = nil
            $0.early = HeldUntilOpen()
        }
        return closed
    }

    func connectionOpened(_ client: WebSocketClientConnection) {
        let session = client.session
        state.withLockedValue { $0.session = session }
        let info = session.info
        var details: [String] = []
        if info.shape == .extendedConnect { details.append("HTTP/2") }
        if let subprotocol = info.subprotocol { details.append("subprotocol \(subprotocol)") }
        if !info.extensions.isEmpty { details.append(info.extensions.map(\.description).joined(separator: ", ")) }
        let peer = listener == nil ? "connected to \(url)" : "client \(info.remoteAddress) connected to \(info.path)"
        let connectedTo = "\(peer)\(details.isEmpty ? "" : " (" + details.joined(separator: "; ") + ")")"
        let announcement = formatter.note(editorStarted ? connectedTo : connectedTo + ". Lines are sent as text; /help lists commands; Ctrl-D closes.")
        // On the session's loop, where its events are printed: the handshake and
        // `* connected` come first, then what the server already sent, in order.
        let showHandshake = options.showHandshake
        try? session.eventLoop.submit { [self] in
            ClientLifecycle.showHandshake(client, if: showHandshake)
            editor.printAbove(announcement)
            for line in state.withLockedValue({ $0.early.open() }) { editor.printAbove(line) }
        }.wait()
        sendQueued(on: session)
        guard !editorStarted else { return }
        for line in options.history?.load() ?? [] {
            editor.addHistory(line)
        }
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [editor] in editor.interrupt() }
        source.resume()
        interrupts = source
        editor.start(prompt: "> ") { [self] line in handle(line) }
        editorStarted = true
    }

    func dialFailed(status: Int32) {
        if editorStarted { editor.printAbove(formatter.error("cannot reconnect yet")) }
    }

    func connectionEnded() -> (status: Int32, outcome: CloseOutcome?) {
        let (outcome, violation) = state.withLockedValue { ($0.outcome, $0.violation) }
        return (ClientLifecycle.exitStatus(outcome: outcome, violation: violation, verbose: false, report: false), outcome)
    }

    /// Ctrl-D, Ctrl-C on an empty line or /quit.
    var stopRequested: Bool { state.withLockedValue { $0.userQuit } }

    func note(_ text: String) {
        let message = text + " (Ctrl-D to stop)"
        if editorStarted { editor.printAbove(formatter.note(message)) } else { Diagnostics.note(message) }
    }

    // MARK: - Lines typed (on the editor's thread)

    func handle(_ line: String?) {
        guard let line else {
            // Ctrl-D: close normally and wait for the server's close.
            state.withLockedValue { $0.userQuit = true }
            submit({ session in
                session.close(code: .normalClosure)
                return nil
            }, queueable: false)
            return
        }
        if !line.trimmingCharacters(in: .whitespaces).isEmpty {
            editor.addHistory(line)
            saveHistory(line)
        }
        switch REPLInput.parse(line) {
        case .empty:
            break
        case .text(let text):
            submit { $0.send(.text(text)); return nil }
        case .binary(let payload):
            guard let bytes = resolve(payload) else { return }
            submit { $0.send(.binary(ByteBuffer(bytes: bytes))); return nil }
        case .ping(let bytes):
            submit { [self] session in
                state.withLockedValue { $0.pingsInFlight[bytes] = .now() }
                session.send(.ping(ByteBuffer(bytes: bytes)))
                return nil
            }
        case .pong(let bytes):
            submit { $0.send(.pong(ByteBuffer(bytes: bytes))); return nil }
        case .close(let code, let reason):
            let closeCode = CloseCode(code ?? 1000)
            guard closeCode.mayAppearOnWire else {
                editor.printAbove(formatter.error("\(closeCode.rawValue) may not be sent in a close frame (RFC 6455 §7.4); /frame close hex:… sends it anyway"))
                return
            }
            submit { session in
                session.close(code: closeCode, reason: reason)
                return nil
            }
        case .frame(let spec):
            guard let payload = resolve(spec.payload) else { return }
            submit { [formatter] session in
                var frame = ByteBuffer()
                FrameEncoder.encode(
                    isFinal: spec.isFinal,
                    reservedBits: ReservedBits(rawValue: spec.reservedBits),
                    opcode: Opcode(rawValue: spec.opcode)!,
                    maskingKey: spec.masked ? MaskingKey(rawValue: UInt32.random(in: 0...UInt32.max)) : nil,
                    payload: ByteBuffer(bytes: payload),
                    into: &frame
                )
                return session.sendRaw(frame) ? formatter.sent("frame \(frame.readableBytes) bytes: \(ByteText.hex(frame.readableBytesView.prefix(64)))\(frame.readableBytes > 64 ? "…" : "")") : nil
            }
        case .fragment(let size, let payload):
            let opcode: Opcode
            let bytes: [UInt8]
            if case .text(let text) = payload {
                opcode = .text
                bytes = Array(text.utf8)
            } else {
                guard let resolved = resolve(payload) else { return }
                opcode = .binary
                bytes = resolved
            }
            submit { [formatter] session in
                let frames = max(1, (bytes.count + size - 1) / size)
                return session.send(opcode: opcode, payload: ByteBuffer(bytes: bytes), fragmentSize: size)
                    ? formatter.sent("\(opcode.name) message of \(bytes.count) bytes in \(frames) frame\(frames == 1 ? "" : "s") (before compression)")
                    : nil
            }
        case .quit:
            state.withLockedValue { $0.userQuit = true }
            submit({ session in
                session.close(code: .normalClosure)
                return nil
            }, queueable: false)
        case .help:
            editor.printAbove(REPLInput.help)
        case .invalid(let message):
            editor.printAbove(formatter.error(message))
        }
    }

    /// Runs `work` on the connection's event loop if the connection still sends; prints
    /// what it returns, or why nothing was sent.
    func submit(_ work: @escaping @Sendable (WebSocketSession) -> String?, queueable: Bool = true) {
        guard let session = state.withLockedValue({ $0.session }) else {
            notConnected(work, queueable: queueable, why: "not connected")
            return
        }
        session.eventLoop.execute { [self] in
            guard session.state == .open || session.state == .closeReceived else {
                notConnected(work, queueable: queueable, why: "the connection is \(session.state == .closeSent ? "closing" : "closed")")
                return
            }
            if let note = work(session) {
                editor.printAbove(note)
            }
        }
    }

    /// Typed while there is no connection: with --reconnect it waits (in order, at most
    /// ``maxQueued``) for the next connection; otherwise nothing is sent.
    func notConnected(_ work: @escaping @Sendable (WebSocketSession) -> String?, queueable: Bool, why: String) {
        guard options.reconnect && queueable else {
            editor.printAbove(formatter.error("\(why): nothing sent"))
            return
        }
        let waiting = state.withLockedValue { state -> Int? in
            guard !state.userQuit, state.queued.count < Self.maxQueued else { return nil }
            state.queued.append(work)
            return state.queued.count
        }
        if let waiting {
            editor.printAbove(formatter.note("\(why): queued, sent after reconnecting (\(waiting) waiting)"))
        } else {
            editor.printAbove(formatter.error("\(why): \(Self.maxQueued) lines already wait for the reconnection; nothing sent"))
        }
    }

    /// Sends what was typed while disconnected, in order, on the new connection.
    func sendQueued(on session: WebSocketSession) {
        let queued = state.withLockedValue { state -> [@Sendable (WebSocketSession) -> String?] in
            defer { state.queued.removeAll() }
            return state.queued
        }
        guard !queued.isEmpty else { return }
        session.eventLoop.execute { [self] in
            for work in queued {
                if let note = work(session) { editor.printAbove(note) }
            }
        }
    }

    /// The bytes of a payload; reads `@file` payloads, printing why when it cannot.
    func resolve(_ payload: REPLPayload) -> [UInt8]? {
        switch payload {
        case .text(let text): return Array(text.utf8)
        case .bytes(let bytes): return bytes
        case .file(let path):
            let expanded = (path as NSString).expandingTildeInPath
            guard let data = FileManager.default.contents(atPath: expanded) else {
                editor.printAbove(formatter.error("cannot read \(path)"))
                return nil
            }
            return Array(data)
        }
    }

    func saveHistory(_ line: String) {
        guard let history = options.history else { return }
        do {
            try history.append(line)
        } catch {
            let first = state.withLockedValue { state -> Bool in
                defer { state.historyFailed = true }
                return !state.historyFailed
            }
            if first { editor.printAbove(formatter.error("history not saved: \(UserFacingError.describe(error))")) }
        }
    }

    // MARK: - WebSocketSessionDelegate (on the event loop)

    func sessionDidOpen(_ session: WebSocketSession) {}

    /// Prints what the connection reports, after its `* connected` line (on the loop).
    func show(_ text: String) {
        if let text = state.withLockedValue({ $0.early.pass(text) }) { editor.printAbove(text) }
    }

    func session(_ session: WebSocketSession, didReceive event: ConnectionEvent) {
        switch event {
        case .message(let message):
            show(formatter.received(message))
        case .pong(let payload):
            let bytes = Array(payload.readableBytesView)
            let sentAt = state.withLockedValue { $0.pingsInFlight.removeValue(forKey: bytes) }
            if bytes == Array(KeepalivePolicy.pingPayload.utf8) && sentAt == nil && options.keepalive { return }
            let roundTrip = sentAt.map { Double((NIODeadline.now() - $0).nanoseconds) / 1e9 }
            show(formatter.receivedControl(.pong, payload: payload, roundTrip: roundTrip))
        case .ping(let payload):
            show(formatter.receivedControl(.ping, payload: payload))
        case .closeReceived(let close):
            show(formatter.receivedClose(close))
        case .failed(let violation):
            state.withLockedValue { $0.violation = violation }
            show(formatter.error("protocol error: \(violation)"))
        case .closed:
            break
        }
    }

    func sessionDidClose(_ session: WebSocketSession, outcome: CloseOutcome) {
        let promise = state.withLockedValue { state -> EventLoopPromise<Void>? in
            state.outcome = outcome
            return state.closed
        }
        show(formatter.closed(outcome))
        session.closeFuture.whenComplete { _ in promise?.succeed(()) }
    }
}
