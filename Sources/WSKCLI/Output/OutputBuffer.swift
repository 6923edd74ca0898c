#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Collects output lines and writes them to a file descriptor in large blocks, or keeps
/// them in memory (tests).
public final class OutputBuffer {
    /// Where the text goes.
    public enum Destination {
        /// A file descriptor, written in blocks of about 64 KiB.
        case fileDescriptor(Int32)
        /// Kept in ``text``.
        case memory
    }

    let destination: Destination
    var pending: [UInt8] = []
    /// Everything written, for ``Destination/memory``.
    public private(set) var text = ""

    /// Creates a buffer.
    public init(_ destination: Destination) {
        self.destination = destination
        pending.reserveCapacity(64 * 1024)
    }

    /// Appends one line (a newline is added).
    public func line(_ line: String) {
        switch destination {
        case .memory:
            text += line
            text += "\n"
        case .fileDescriptor:
            pending.append(contentsOf: line.utf8)
            pending.append(0x0A)
            if pending.count >= 64 * 1024 { flush() }
        }
    }

    /// Appends one line written as bytes by `body` (a newline is added): no String is built.
    public func line(bytes body: (inout [UInt8]) -> Void) {
        switch destination {
        case .memory:
            var bytes: [UInt8] = []
            body(&bytes)
            text += String(decoding: bytes, as: UTF8.self)
            text += "\n"
        case .fileDescriptor:
            body(&pending)
            pending.append(0x0A)
            if pending.count >= 64 * 1024 { flush() }
        }
    }

    /// Writes what is pending.
    public func flush() {
        guard case .fileDescriptor(let fd) = destination, !pending.isEmpty else { return }
        pending.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // a closed pipe: drop the output, as `head` users expect
                }
                offset += written
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}
