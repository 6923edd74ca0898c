#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Collects output lines and writes them to a file descriptor in large blocks, or keeps
/// them in memory (tests). Lines can be written as bytes straight into the buffer
/// (``line(maxBytes:_:)``), the fast path of `frame-dump --json`.
public final class OutputBuffer {
    /// Where the text goes.
    public enum Destination {
        /// A file descriptor, written in blocks of about 64 KiB.
        case fileDescriptor(Int32)
        /// Kept in ``text``.
        case memory
    }

    let destination: Destination
    /// Bytes not yet written: `storage[0..<used]`.
    var storage: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var used = 0
    /// Everything written, for ``Destination/memory``.
    public private(set) var text = ""

    /// The size at which pending bytes are written out.
    static let blockSize = 64 * 1024

    /// Creates a buffer.
    public init(_ destination: Destination) {
        self.destination = destination
        capacity = 2 * Self.blockSize
        storage = .allocate(capacity: capacity)
    }

    /// Appends one line (a newline is added).
    public func line(_ line: String) {
        switch destination {
        case .memory:
            text += line
            text += "\n"
        case .fileDescriptor:
            var line = line
            line.withUTF8 { bytes in
                let target = reserve(bytes.count + 1)
                if let base = bytes.baseAddress { target.update(from: base, count: bytes.count) }
                target[bytes.count] = 0x0A
                used += bytes.count + 1
            }
            if used >= Self.blockSize { flush() }
        }
    }

    /// Appends one line that `body` writes as bytes into room for at least `maxBytes`,
    /// returning how many it wrote (a newline is added).
    public func line(maxBytes: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        let target = reserve(maxBytes + 1)
        let count = body(target)
        precondition(count <= maxBytes, "a line wrote more than it reserved")
        target[count] = 0x0A
        switch destination {
        case .memory:
            text += String(decoding: UnsafeBufferPointer(start: target, count: count + 1), as: UTF8.self)
        case .fileDescriptor:
            used += count + 1
            if used >= Self.blockSize { flush() }
        }
    }

    /// Room for `count` more bytes after the pending ones.
    func reserve(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        if used + count > capacity {
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: max(capacity * 2, used + count))
            grown.update(from: storage, count: used)
            storage.deallocate()
            storage = grown
            capacity = max(capacity * 2, used + count)
        }
        return storage + used
    }

    /// Writes what is pending.
    public func flush() {
        guard case .fileDescriptor(let fd) = destination, used > 0 else { return }
        var offset = 0
        while offset < used {
            let written = write(fd, storage + offset, used - offset)
            if written < 0 {
                if errno == EINTR { continue }
                break  // a closed pipe: drop the output, as `head` users expect
            }
            offset += written
        }
        used = 0
    }

    deinit {
        flush()
        storage.deallocate()
    }
}
