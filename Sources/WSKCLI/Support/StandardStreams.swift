import Foundation

/// Reads stdin records on one dedicated thread into a short queue (at most
/// ``maxQueued`` records: a slow connection slows the reading down). Senders take records
/// with ``next(cancelled:)``, which gives up when its connection has ended, so with
/// `--reconnect` no record is consumed by a connection that is gone.
final class StdinReader: @unchecked Sendable {
    enum Next {
        case record([UInt8])
        case end
        case cancelled
    }

    static let maxQueued = 16
    let binary: Bool
    let delimiter: UInt8
    let condition = NSCondition()
    var records: [[UInt8]] = []
    var atEOF = false
    var started = false

    init(binary: Bool, delimiter: UInt8) {
        self.binary = binary
        self.delimiter = delimiter
    }

    /// Whether stdin has ended and every record was taken.
    var finished: Bool {
        condition.lock()
        defer { condition.unlock() }
        return atEOF && records.isEmpty
    }

    /// The next record (without its delimiter), `.end` at EOF, or `.cancelled` as soon as
    /// `cancelled()` says so while waiting.
    func next(cancelled: () -> Bool) -> Next {
        condition.lock()
        defer { condition.unlock() }
        if !started {
            started = true
            let thread = Thread { [self] in produce() }
            thread.name = "wsk-stdin"
            thread.start()
        }
        while records.isEmpty && !atEOF {
            if cancelled() { return .cancelled }
            _ = condition.wait(until: Date().addingTimeInterval(0.1))
        }
        guard !records.isEmpty else { return .end }
        // The connection may have ended while we waited: the record is the next one's.
        if cancelled() { return .cancelled }
        let record = records.removeFirst()
        condition.broadcast()
        return .record(record)
    }

    /// Puts back a record that its connection could not send (it ended meanwhile): it goes
    /// first to the next connection.
    func putBack(_ record: [UInt8]) {
        condition.lock()
        records.insert(record, at: 0)
        condition.broadcast()
        condition.unlock()
    }

    private func enqueue(_ record: [UInt8]) {
        condition.lock()
        while records.count >= Self.maxQueued {
            condition.wait()
        }
        records.append(record)
        condition.broadcast()
        condition.unlock()
    }

    private func produce() {
        var buffer: [UInt8] = []
        var endOfInput = false
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            while var record = extract(from: &buffer, atEnd: endOfInput) {
                if !binary && delimiter == UInt8(ascii: "\n") && record.last == UInt8(ascii: "\r") {
                    record.removeLast()
                }
                enqueue(record)
            }
            if endOfInput {
                condition.lock()
                atEOF = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                endOfInput = true
            } else {
                buffer += chunk[..<count]
            }
        }
    }

    /// One record from `buffer`: with --binary (and no -0), whatever one read gave;
    /// otherwise up to the delimiter, or the rest at the end of input.
    private func extract(from buffer: inout [UInt8], atEnd: Bool) -> [UInt8]? {
        if binary && delimiter != 0 {
            guard !buffer.isEmpty else { return nil }
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        if let index = buffer.firstIndex(of: delimiter) {
            let record = Array(buffer[..<index])
            buffer.removeSubrange(...index)
            return record
        }
        if atEnd && !buffer.isEmpty {
            defer { buffer.removeAll() }
            return buffer
        }
        return nil
    }
}

/// Writes whole buffers to a file descriptor, retrying short writes.
enum FileOutput {
    /// Writes every byte; false when the reader went away (EPIPE) or the write failed.
    @discardableResult
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return false  // EPIPE: the reader went away
            }
            offset += written
        }
        return true
    }

    /// Calls `gone` once when the reader of `descriptor` goes away (`wsk connect | head -1`),
    /// even while nothing is being written: a thread waits for POLLERR on the pipe. Only
    /// for pipes and sockets (a terminal or a file has no reader to lose).
    static func watchReader(of descriptor: Int32, gone: @escaping @Sendable () -> Void) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return }
        let type = info.st_mode & S_IFMT
        guard type == S_IFIFO || type == S_IFSOCK else { return }
        let thread = Thread {
            var entry = pollfd(fd: descriptor, events: 0, revents: 0)
            while true {
                let ready = poll(&entry, 1, -1)
                if ready < 0 && errno == EINTR { continue }
                if ready > 0 && entry.revents & Int16(POLLERR | POLLHUP) != 0 { gone() }
                return
            }
        }
        thread.name = "wsk-stdout-watch"
        thread.start()
    }
}

/// Status and errors on stderr (never stdout).
enum Diagnostics {
    static func error(_ message: String) { raw("wsk: \(message)\n") }
    static func note(_ message: String) { raw("wsk: \(message)\n") }
    static func raw(_ text: String) { FileOutput.writeAll(Array(text.utf8), to: 2) }
}
