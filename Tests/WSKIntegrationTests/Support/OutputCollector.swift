import Foundation

/// Collects everything a child process writes to one pipe, on a thread of its own that
/// reads until end of file, so a caller can wait for "all output is in" (every writer has
/// closed the pipe) instead of sleeping and hoping.
final class OutputCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var data = Data()
    private var ended = false

    /// Starts reading `pipe` (the parent's read end) until end of file.
    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                condition.lock()
                if chunk.isEmpty {
                    ended = true
                } else {
                    data.append(chunk)
                }
                condition.broadcast()
                condition.unlock()
                if chunk.isEmpty { return }
            }
        }
    }

    /// What was read so far.
    var bytes: Data {
        condition.lock()
        defer { condition.unlock() }
        return data
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Waits until every writer has closed the pipe (the process and any children it gave
    /// the pipe to have exited); returns whether that happened before `deadline`.
    @discardableResult
    func waitForEnd(deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !ended {
            guard condition.wait(until: deadline) else { return ended }
        }
        return true
    }
}

/// Waits for `process` to exit, up to `deadline`; returns whether it did.
func waitUntilExited(_ process: Process, deadline: Date) -> Bool {
    while process.isRunning {
        if Date() >= deadline { return false }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return true
}

extension Process {
    /// The exit status as a shell reports it: the status for a normal exit, 128 + the signal
    /// number for a process killed by a signal. Foundation's `terminationStatus` gives the
    /// bare signal number there, so a crash (SIGILL is 4) would pass for `wsk`'s own exit
    /// status 4.
    var shellStatus: Int32 {
        terminationReason == .uncaughtSignal ? 128 + terminationStatus : terminationStatus
    }
}
