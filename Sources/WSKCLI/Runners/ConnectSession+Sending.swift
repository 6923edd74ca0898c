// connect pipe mode's sending side: -x messages and stdin records onto the connection,
// with flow control, and the closes the user asks for.
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WSKCore
import WSKNIO

extension ConnectSession {
    /// Feeds one connection: -x messages, or stdin records until EOF; stops waiting for
    /// stdin once this connection has ended (--reconnect): the next record belongs to the
    /// next connection.
    func feed(_ session: WebSocketSession) async {
        if pipe.echo && pipe.execute.isEmpty {
            // A reflector (e.g. under a conformance suite): stdin is not read and the server
            // decides when the connection ends.
            return
        }
        if !pipe.execute.isEmpty {
            for message in pipe.execute {
                await send(.text(message), on: session)
            }
            let closeNow = state.withLockedValue { state -> Bool in
                state.executeSent = true
                return state.closeWhenExecuteSent
            }
            if closeNow {
                closeByUser(.normalClosure, session: session)
                return
            }
            let defaultWait: Double? = (pipe.exitAfter == nil && pipe.until == nil) ? 2 : nil
            if let wait = pipe.wait?.value ?? defaultWait {
                try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                // Cancelled: the connection ended meanwhile, and its event loop may be gone.
                if !Task.isCancelled { closeNormally(session) }
            }
            return
        }
        while case .record(let record) = stdin.next(cancelled: { Task.isCancelled }) {
            let line = state.withLockedValue { state -> Int in
                state.records += 1
                return state.records
            }
            guard let message = message(from: record) else {
                Diagnostics.error("stdin line \(line) is not valid UTF-8, and a text message must be (nothing altered is sent); use --invalid-utf8 binary to send such lines as binary messages, or --binary")
                state.withLockedValue { $0.inputRefused = true }
                closeNormally(session)
                return
            }
            guard await send(message, on: session) else {
                stdin.putBack(record)  // the connection ended: the next one sends it
                return
            }
        }
        if Task.isCancelled { return }
        // --exit-after / --until decide when to close: `echo request | wsk connect
        // --exit-after 1` sends and waits for the answer (a close at stdin's end would race
        // the server's reply).
        if pipe.waitForClose || pipe.exitAfter != nil || untilRegex != nil { return }
        if let wait = pipe.wait?.value {
            try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
        }
        if !Task.isCancelled { closeNormally(session) }
    }

    // MARK: - Sending

    /// The message for one stdin record; `nil` for a line that is not valid UTF-8 under
    /// `--invalid-utf8 refuse`.
    func message(from record: [UInt8]) -> OutboundMessage? {
        if pipe.base64 || pipe.hex {
            let text = String(decoding: record, as: UTF8.self)
            if let bytes = try? (pipe.base64 ? ByteText.decodeBase64(text) : ByteText.decodeHex(text)) {
                return .binary(ByteBuffer(bytes: bytes))
            }
            Diagnostics.error("not \(pipe.base64 ? "base64" : "hex"), sent as text: \(text.prefix(60))")
            return .text(text)
        }
        if pipe.binary { return .binary(ByteBuffer(bytes: record)) }
        guard let text = String(validating: record, as: UTF8.self) else {
            return pipe.invalidUtf8 == .binary ? .binary(ByteBuffer(bytes: record)) : nil
        }
        return .text(text)
    }

    /// Sends on the event loop and waits until the socket can take more (backpressure).
    /// Returns false when the connection no longer sends (the message did not go out).
    @discardableResult
    func send(_ message: OutboundMessage, on session: WebSocketSession) async -> Bool {
        let future: EventLoopFuture<Bool> = session.eventLoop.flatSubmit {
            guard session.isSending else { return session.eventLoop.makeSucceededFuture(false) }
            session.send(message)
            return session.whenWritable().map { true }
        }
        return (try? await future.get()) ?? false
    }

    func closeNormally(_ session: WebSocketSession) {
        closeByUser(.normalClosure, session: session)
    }

    /// This side ends the connection (stdin done, --exit-after/--until met, a signal, stdout
    /// gone): no redialling after it, and the close goes out on the connection's loop.
    func closeByUser(_ code: CloseCode, reason: String = "", session given: WebSocketSession? = nil) {
        let current = state.withLockedValue { state -> WebSocketSession? in
            state.userClosing = true
            return state.session
        }
        guard let session = given ?? current else { return }
        if session.eventLoop.inEventLoop {
            session.close(code: code, reason: reason)
        } else {
            session.eventLoop.execute { session.close(code: code, reason: reason) }
        }
    }
}
