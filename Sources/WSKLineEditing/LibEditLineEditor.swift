// The REPL's line editor over libedit's readline-compatible callback API. libedit is not
// thread-safe, so every libedit call happens on one thread that polls stdin and a
// self-pipe; other threads queue work (text to print, history, interrupts) and write a
// byte to the pipe. Text is printed above the prompt by clearing the prompt line,
// printing, and redrawing the prompt with the line being typed.
@preconcurrency import CLibEdit
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The editor whose line handler libedit calls (one REPL per process).
nonisolated(unsafe) private var activeEditor: LibEditLineEditor?

/// libedit calls this with each line entered, or with NULL at end of input.
private func lineHandler(_ line: UnsafeMutablePointer<CChar>?) {
    activeEditor?.handleLine(line)
}

/// A ``LineEditor`` over Debian's libedit: history, Emacs key bindings, Tab completion of
/// the words given at start of line.
public final class LibEditLineEditor: LineEditor, @unchecked Sendable {
    /// Whether stdin and stdout are both terminals (the REPL's condition).
    public static func standardStreamsAreTerminals() -> Bool {
        isatty(0) != 0 && isatty(1) != 0
    }

    // Guarded by `lock`; written from any thread. `lock` is a condition so that printers
    // can wait while the terminal is behind.
    private let lock = NSCondition()
    private var pendingOutput: [String] = []
    private var pendingHistory: [String] = []
    private var stopRequested = false
    private var interruptRequested = false
    private var resizeRequested = false
    private var resizeSource: DispatchSourceSignal?
    private var started = false
    private var stopped = false

    // Editor thread only.
    private var prompt = "> "
    private var onLine: (@Sendable (String?) -> Void)?
    private var reading = false
    private var savedTerminal = termios()
    private var hasSavedTerminal = false

    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let finished = DispatchSemaphore(value: 0)
    private var editorThread: Thread?

    /// Creates an editor; `completions` are the words Tab completes at start of line.
    public init(completions: [String] = []) {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)
        for word in completions {
            wsk_add_completion_word(word)
        }
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    public func start(prompt: String, onLine: @escaping @Sendable (String?) -> Void) {
        lock.lock()
        started = true
        lock.unlock()
        self.prompt = prompt
        self.onLine = onLine
        activeEditor = self
        // The window changed size (SIGWINCH): libedit must learn the new width, or the
        // line being typed is drawn at the old one and new characters land mid-line.
        let resize = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        resize.setEventHandler { [weak self] in self?.enqueue { $0.resizeRequested = true } }
        resize.resume()
        resizeSource = resize
        let thread = Thread { [self] in run() }
        thread.name = "wsk-line-editor"
        editorThread = thread
        thread.start()
    }

    /// Sets LC_CTYPE from the environment, falling back to C.UTF-8 when that is not a
    /// UTF-8 locale.
    static func useUTF8Locale() {
        if let name = setlocale(LC_CTYPE, ""), String(cString: name).uppercased().contains("UTF-8") || String(cString: name).uppercased().contains("UTF8") {
            return
        }
        if setlocale(LC_CTYPE, "C.UTF-8") == nil {
            _ = setlocale(LC_CTYPE, "en_US.UTF-8")
        }
    }

    /// Lines queued before ``printAbove(_:)`` waits for the terminal to catch up: a flood
    /// of messages slows the connection down (its event loop waits, so it stops reading)
    /// instead of growing memory or dropping lines.
    public static let maxQueuedOutput = 1024

    public func printAbove(_ text: String) {
        lock.lock()
        if stopped {
            lock.unlock()
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
            return
        }
        pendingOutput.append(text)
        let onEditorThread = Thread.current === editorThread
        while pendingOutput.count > Self.maxQueuedOutput && !stopped && !onEditorThread {
            wake()
            lock.wait()
        }
        lock.unlock()
        wake()
    }

    public func addHistory(_ line: String) {
        enqueue { $0.pendingHistory.append(line) }
    }

    public func interrupt() {
        enqueue { $0.interruptRequested = true }
    }

    public func stop() {
        let wasStarted: Bool = {
            lock.lock()
            defer { lock.unlock() }
            stopRequested = true
            if !started { stopped = true }
            return started
        }()
        wake()
        if wasStarted && Thread.current !== editorThread {
            finished.wait()
        }
    }

    private func enqueue(_ change: (LibEditLineEditor) -> Void) {
        lock.lock()
        change(self)
        lock.unlock()
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    // MARK: - The editor thread

    private func run() {
        if tcgetattr(0, &savedTerminal) == 0 { hasSavedTerminal = true }
        // libedit decodes multi-byte characters by the locale; a Swift program starts in the
        // "C" locale, where every byte over 0x7F is dropped. Take the user's (LANG, LC_ALL),
        // and a UTF-8 one when theirs is plain ASCII: wsk speaks UTF-8 everywhere.
        Self.useUTF8Locale()
        using_history()
        wsk_install_completion()
        rl_callback_handler_install(prompt, lineHandler)
        wsk_install_interrupt_key()
        reading = true
        while true {
            var fds = [
                pollfd(fd: reading ? 0 : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if fds[1].revents != 0 {
                var sink = [UInt8](repeating: 0, count: 256)
                while read(wakeRead, &sink, sink.count) > 0 {}
            }
            lock.lock()
            let output = pendingOutput
            let history = pendingHistory
            let interrupted = interruptRequested
            let resized = resizeRequested
            let stopping = stopRequested
            pendingOutput.removeAll()
            pendingHistory.removeAll()
            interruptRequested = false
            resizeRequested = false
            lock.broadcast()
            lock.unlock()

            for line in history {
                _ = add_history(line)
            }
            if resized {
                redrawAfterResize()
            }
            if !output.isEmpty {
                show(output)
            }
            if interrupted {
                handleInterrupt()
            }
            if stopping {
                break
            }
            if reading && fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                linesDelivered = 0
                rl_callback_read_char()
                switch wsk_take_interrupt() {
                case 1:
                    // Ctrl-C on a line: it was dropped; show that and a fresh prompt.
                    wsk_write_output("^C\n")
                    rl_callback_read_char()  // the queued Ctrl-U
                    wsk_write_output("\r\u{1B}[2K")
                    rl_forced_update_display()
                case 2:
                    wsk_write_output("^C")
                    handleLine(nil)
                default:
                    if linesDelivered == 0 { runPushedKeys() }
                }
            }
        }
        if reading {
            // Stopped while reading (the server closed): drop the prompt line.
            reading = false
            rl_callback_handler_remove()
            wsk_write_output("\r\u{1B}[2K")
        }
        resizeSource?.cancel()
        if hasSavedTerminal {
            tcsetattr(0, TCSADRAIN, &savedTerminal)
        }
        activeEditor = nil
        lock.lock()
        stopped = true
        let late = pendingOutput
        pendingOutput.removeAll()
        lock.broadcast()
        lock.unlock()
        if !late.isEmpty {
            wsk_write_output(late.joined(separator: "\n") + "\n")
        }
        finished.signal()
    }

    /// Lines handed to ``onLine`` during the current key (editor thread).
    private var linesDelivered = 0

    /// Runs keys libedit pushed back for itself. Ending an incremental search (Ctrl-R)
    /// with Enter pushes the Enter back into libedit's own input queue, which it reads
    /// only on the next call: the line would wait for another key. When the terminal has
    /// no input waiting, one more call runs what was pushed; its stdin is then an empty
    /// pipe at end of file, so a call with nothing pushed returns at once instead of
    /// blocking the editor thread.
    private func runPushedKeys() {
        var input = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        guard reading, poll(&input, 1, 0) == 0 else { return }
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        close(ends[1])
        let terminal = dup(0)
        guard terminal >= 0 else {
            close(ends[0])
            return
        }
        dup2(ends[0], 0)
        close(ends[0])
        rl_callback_read_char()
        dup2(terminal, 0)
        close(terminal)
    }

    /// Goes to the first row of the prompt (a long line wraps over several: the cursor is
    /// on the row of its offset at the terminal's current width) and clears to the end of
    /// the screen.
    private func clearPromptRows() -> String {
        let columns = Int(wsk_terminal_columns())
        let cursorRow = columns > 0 ? (prompt.count + Int(wsk_cursor_offset())) / columns : 0
        return (cursorRow > 0 ? "\u{1B}[\(cursorRow)A" : "") + "\r\u{1B}[J"
    }

    /// After a resize: clear the prompt's rows (terminals rewrap the line to the new width,
    /// so its rows are counted at that width), tell libedit the new size and redraw.
    private func redrawAfterResize() {
        guard reading else { return }
        wsk_write_output(clearPromptRows())
        rl_resize_terminal()
        rl_forced_update_display()
    }

    private func show(_ texts: [String]) {
        var text = texts.joined(separator: "\n") + "\n"
        if reading {
            // Clear the prompt's rows, print, then let libedit redraw the prompt and the
            // typed line from there.
            text = clearPromptRows() + text
            wsk_write_output(text)
            rl_forced_update_display()
        } else {
            wsk_write_output(text)
        }
    }

    private func handleInterrupt() {
        // SIGINT reaches the process only when the terminal's ISIG is on (not while
        // editing): treat it as end of input.
        guard reading else { return }
        wsk_write_output("^C")
        handleLine(nil)
    }

    fileprivate func handleLine(_ line: UnsafeMutablePointer<CChar>?) {
        guard let line else {
            // End of input (Ctrl-D on an empty line): libedit prints no newline.
            reading = false
            rl_callback_handler_remove()
            wsk_write_output("\n")
            onLine?(nil)
            return
        }
        linesDelivered += 1
        let text = String(cString: line)
        free(line)
        // libedit quirk: without re-installing the handler here the next prompt and the
        // echo of typed characters vanish.
        rl_callback_handler_install(prompt, lineHandler)
        onLine?(text)
    }
}
