#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOCore
import WSKCore

/// A TCP server on 127.0.0.1 (a free port) that runs a script on each accepted connection,
/// each on its own thread: the misbehaving or special-purpose peers `wsk` is tested
/// against (a server that drops the connection, never answers pings, sends a masked frame,
/// an HTTP CONNECT proxy, a TCP service), written here so those tests need no other
/// program.
///
/// A script gets the accepted socket as a ``RawClient`` (see
/// ``RawClient/acceptHandshake(autoReplyPolicy:)``) and returns what the test checks; the
/// test reads it with ``outcome(timeout:)``. Scripts must not call `#expect` themselves
/// (they run outside the test's task): they return values or throw.
final class ScriptedServer<Outcome: Sendable>: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let results = Results()

    final class Results: @unchecked Sendable {
        let condition = NSCondition()
        var finished: [Result<Outcome, any Error>] = []
    }

    /// Listens, and runs `script` for every connection accepted until this object goes away.
    init(_ script: @escaping @Sendable (RawClient) throws -> Outcome) throws {
        let listeningSocket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listeningSocket >= 0 else { throw TestFailure("socket failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listeningSocket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listeningSocket, 16) == 0 else {
            close(listeningSocket)
            throw TestFailure("bind/listen failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listeningSocket, $0, &length) }
        }
        listener = listeningSocket
        port = Int(UInt16(bigEndian: address.sin_port))

        let results = self.results
        Thread.detachNewThread {
            while true {
                let accepted = accept(listeningSocket, nil, nil)
                if accepted < 0 {
                    if errno == EINTR { continue }
                    return  // the listener was shut down
                }
                Thread.detachNewThread {
                    let result: Result<Outcome, any Error>
                    do {
                        // The socket closes (RawClient.deinit) before the outcome is visible.
                        let connection = RawClient(acceptedSocket: accepted)
                        result = Result { try script(connection) }
                    }
                    results.condition.lock()
                    results.finished.append(result)
                    results.condition.broadcast()
                    results.condition.unlock()
                }
            }
        }
    }

    /// Waits until `count` scripts have ended, and returns their outcomes in the order they
    /// ended; throws the first script's error, or on timeout.
    func outcomes(count: Int, timeout: Double = 15) throws -> [Outcome] {
        let deadline = Date().addingTimeInterval(timeout)
        results.condition.lock()
        defer { results.condition.unlock() }
        while results.finished.count < count {
            guard results.condition.wait(until: deadline) else {
                throw TestFailure("\(results.finished.count) of \(count) scripted connections ended within \(timeout) s")
            }
        }
        return try results.finished.prefix(count).map { try $0.get() }
    }

    /// The outcome of the first connection's script (waits for it).
    func outcome(timeout: Double = 15) throws -> Outcome {
        try outcomes(count: 1, timeout: timeout)[0]
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

// MARK: - Scripts

extension RawClient {
    /// Reads and discards everything until the peer closes the TCP connection; returns
    /// whether it did so within `timeout`.
    func drainUntilEOF(timeout: Double = 10) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !sawEOF {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return false }
            guard try readSome(timeout: remaining) != nil else { return false }
        }
        return true
    }

    /// Relays bytes both ways between this socket and `other` until either side ends.
    func relay(with other: RawClient) throws {
        if leftover.readableBytes > 0 {
            try other.sendRaw(leftover)
            leftover.clear()
        }
        var descriptors = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: other.fd, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            guard poll(&descriptors, 2, 30_000) > 0 else { return }
            for (index, (from, to)) in [(self, other), (other, self)].enumerated() where descriptors[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { recv(from.fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 {
                    shutdown(to.fd, Int32(SHUT_WR))
                    return
                }
                try to.sendRaw(Array(buffer[..<count]))
            }
        }
    }
}

/// An HTTP CONNECT proxy (RFC 9110 §9.3.6) to 127.0.0.1 ports, with optional Basic
/// `Proxy-Authorization`; it records each CONNECT request.
final class ConnectProxy: @unchecked Sendable {
    struct Request: Equatable, Sendable {
        var target: String
        var authorized: Bool
    }

    private let server: ScriptedServer<Void>
    private let log = Log()
    var port: Int { server.port }

    final class Log: @unchecked Sendable {
        let lock = NSLock()
        var requests: [Request] = []
    }

    /// The CONNECT requests so far, in order.
    var requests: [Request] { log.lock.withLock { log.requests } }

    init(credentials: String? = nil) throws {
        let log = self.log
        server = try ScriptedServer { client in
            let head = try client.readHead()
            let lines = head.components(separatedBy: "\r\n")
            let requestLine = lines[0].split(separator: " ")
            guard requestLine.count == 3, requestLine[0] == "CONNECT" else {
                try client.sendRaw(Array("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n".utf8))
                return
            }
            let target = String(requestLine[1])
            let expected = credentials.map { "Basic " + Data($0.utf8).base64EncodedString() }
            let given = lines.first { $0.lowercased().hasPrefix("proxy-authorization:") }
                .map { $0.dropFirst("proxy-authorization:".count).trimmingCharacters(in: .whitespaces) }
            let authorized = expected == nil || given == expected
            log.lock.withLock { log.requests.append(Request(target: target, authorized: authorized)) }
            guard authorized else {
                try client.sendRaw(Array("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"wsk-test\"\r\nContent-Length: 0\r\n\r\n".utf8))
                return
            }
            guard target.hasPrefix("127.0.0.1:"), let port = Int(target.dropFirst("127.0.0.1:".count)) else {
                try client.sendRaw(Array("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".utf8))
                return
            }
            let upstream = try RawClient(port: port)
            try client.sendRaw(Array("HTTP/1.1 200 Connection Established\r\n\r\n".utf8))
            try client.relay(with: upstream)
        }
    }
}
