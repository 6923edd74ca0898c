#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOCore
import WSKCompression
import WSKCore

/// A blocking WebSocket client over a real loopback socket, built on WSKCore, for driving
/// the `wsk` binary in tests. It can also send raw bytes to provoke violations.
///
/// The same type serves the server side of a scripted server (``ScriptedServer``): wrap an
/// accepted socket with ``init(acceptedSocket:)`` and answer with ``acceptHandshake(autoReplyPolicy:)``.
final class RawClient {
    let fd: Int32
    var connection: Connection?
    var requestHead = ""
    var responseStatus = 0
    var responseHead = ""
    var responseBody = ""
    var subprotocol: String?
    var extensions: [WebSocketExtensionOffer] = []
    var leftover = ByteBuffer()
    var sawEOF = false

    /// Opens a TCP connection to 127.0.0.1:`port`.
    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw TestFailure("connect to port \(port) failed: errno \(errno)")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Wraps a socket accepted by a scripted server; it is closed with this object.
    init(acceptedSocket: Int32) {
        fd = acceptedSocket
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The local port of this socket (what the peer logs as this side's address).
    var localPort: Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Reads an HTTP head up to and including the blank line; bytes after it stay in
    /// ``leftover``.
    func readHead(timeout: Double = 5) throws -> String {
        var head = [UInt8]()
        let terminator: [UInt8] = [13, 10, 13, 10]
        while !(head.count >= 4 && Array(head.suffix(4)) == terminator) {
            guard let byte = try readByte(timeout: timeout) else {
                throw TestFailure("no complete HTTP head; got \(String(decoding: head, as: UTF8.self))")
            }
            head.append(byte)
        }
        return String(decoding: head, as: UTF8.self)
    }

    /// Server side: reads the client's upgrade request and answers 101 with the right
    /// accept key (no extensions, no subprotocol); frames are then read and written with a
    /// server-role ``Connection``.
    func acceptHandshake(autoReplyPolicy: AutoReplyPolicy = .automatic) throws {
        requestHead = try readHead()
        let key = requestHead.components(separatedBy: "\r\n")
            .first { $0.lowercased().hasPrefix("sec-websocket-key:") }
            .map { $0.dropFirst("sec-websocket-key:".count).trimmingCharacters(in: .whitespaces) }
        guard let key else { throw TestFailure("no Sec-WebSocket-Key in \(requestHead)") }
        let response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(AcceptKey.compute(forKey: key))\r\n\r\n"
        try sendRaw(Array(response.utf8))
        connection = Connection(role: .server, autoReplyPolicy: autoReplyPolicy, randomNumberGenerator: SystemRandomNumberGenerator())
    }

    /// Connects and performs the opening handshake; `handshakeOK` tells whether it got 101.
    static func connect(
        port: Int,
        path: String = "/",
        subprotocols: [String] = [],
        compression: PerMessageDeflateOptions? = nil,
        headers: [(String, String)] = [],
        configuration: WebSocketConfiguration = .init(),
        autoReplyPolicy: AutoReplyPolicy = .automatic
    ) throws -> RawClient {
        let client = try RawClient(port: port)
        try client.handshake(
            path: path,
            subprotocols: subprotocols,
            compression: compression,
            headers: headers,
            configuration: configuration,
            autoReplyPolicy: autoReplyPolicy
        )
        return client
    }

    var handshakeOK: Bool { connection != nil }

    func handshake(
        path: String,
        subprotocols: [String],
        compression: PerMessageDeflateOptions?,
        headers: [(String, String)],
        configuration: WebSocketConfiguration,
        autoReplyPolicy: AutoReplyPolicy = .automatic
    ) throws {
        var key = [UInt8](repeating: 0, count: 16)
        for index in key.indices { key[index] = UInt8.random(in: 0...255) }
        let keyText = Data(key).base64EncodedString()
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: \(keyText)\r\nSec-WebSocket-Version: 13\r\n"
        if !subprotocols.isEmpty { request += "Sec-WebSocket-Protocol: \(subprotocols.joined(separator: ", "))\r\n" }
        let negotiator = compression.map { PerMessageDeflateNegotiator(options: $0) }
        if let negotiator { request += "Sec-WebSocket-Extensions: \(negotiator.offer())\r\n" }
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        try sendRaw(Array(request.utf8))

        // Read the response head.
        responseHead = try readHead()
        let lines = responseHead.components(separatedBy: "\r\n")
        responseStatus = Int(lines[0].split(separator: " ")[1]) ?? 0
        var fields: [(String, String)] = []
        for line in lines.dropFirst() where line.contains(":") {
            let parts = line.split(separator: ":", maxSplits: 1)
            fields.append((String(parts[0]).lowercased(), parts[1].trimmingCharacters(in: .whitespaces)))
        }
        guard responseStatus == 101 else {
            if let length = fields.first(where: { $0.0 == "content-length" }).flatMap({ Int($0.1) }) {
                var body = [UInt8]()
                while body.count < length, let byte = try readByte(timeout: 5) { body.append(byte) }
                responseBody = String(decoding: body, as: UTF8.self)
            }
            return
        }
        let expected = AcceptKey.compute(forKey: keyText)
        guard fields.first(where: { $0.0 == "sec-websocket-accept" })?.1 == expected else {
            throw TestFailure("bad accept key in \(responseHead)")
        }
        subprotocol = fields.first(where: { $0.0 == "sec-websocket-protocol" })?.1
        var negotiated: [any WebSocketExtension] = []
        if let header = fields.first(where: { $0.0 == "sec-websocket-extensions" })?.1 {
            extensions = try ExtensionHeaderParser.parse(header)
            if let negotiator, let offer = extensions.first {
                let parameters = try negotiator.accept(offer)
                negotiated.append(PerMessageDeflate(parameters: parameters, role: .client))
            }
        }
        connection = Connection(
            role: .client,
            configuration: configuration,
            extensions: negotiated,
            autoReplyPolicy: autoReplyPolicy,
            randomNumberGenerator: SystemRandomNumberGenerator()
        )
    }

    deinit { close(fd) }

    // MARK: - Bytes

    func sendRaw(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { throw TestFailure("send failed: errno \(errno)") }
            offset += sent
        }
    }

    func sendRaw(_ buffer: ByteBuffer) throws {
        try sendRaw(Array(buffer.readableBytesView))
    }

    /// Reads what is available within `timeout` seconds; nil on timeout, [] on EOF.
    func readSome(timeout: Double) throws -> [UInt8]? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(timeout * 1000))
        if ready == 0 { return nil }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == ECONNRESET { sawEOF = true; return [] }
            throw TestFailure("recv failed: errno \(errno)")
        }
        if count == 0 { sawEOF = true }
        return Array(buffer.prefix(count))
    }

    func readByte(timeout: Double) throws -> UInt8? {
        if leftover.readableBytes > 0 { return leftover.readInteger(as: UInt8.self) }
        guard let bytes = try readSome(timeout: timeout), !bytes.isEmpty else { return nil }
        leftover.writeBytes(bytes)
        return leftover.readInteger(as: UInt8.self)
    }

    // MARK: - Messages

    func send(_ message: OutboundMessage) throws {
        var out = ByteBuffer()
        try connection!.send(message, into: &out)
        try sendRaw(out)
    }

    func sendFragmented(_ opcode: Opcode, _ payload: ByteBuffer, fragmentSize: Int) throws {
        var out = ByteBuffer()
        try connection!.sendMessage(opcode: opcode, payload: payload, fragmentSize: fragmentSize, into: &out)
        try sendRaw(out)
    }

    /// The next event, reading from the socket as needed; nil on timeout.
    func nextEvent(timeout: Double = 5) throws -> ConnectionEvent? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            var replies = ByteBuffer()
            let event = connection!.nextEvent(replyingInto: &replies)
            if replies.readableBytes > 0 { try? sendRaw(replies) }
            if let event { return event }
            if leftover.readableBytes > 0 {
                connection!.receive(&leftover)
                continue
            }
            if sawEOF {
                connection!.receiveEndOfStream()
                var replies = ByteBuffer()
                return connection!.nextEvent(replyingInto: &replies)
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return nil }
            guard let bytes = try readSome(timeout: remaining) else { return nil }
            var buffer = ByteBuffer(bytes: bytes)
            if !bytes.isEmpty { connection!.receive(&buffer) }
        }
    }

    /// The next message, skipping control events; nil on timeout or close.
    func nextMessage(timeout: Double = 5) throws -> Message? {
        while let event = try nextEvent(timeout: timeout) {
            if case .message(let message) = event { return message }
            if case .closed = event { return nil }
        }
        return nil
    }

    /// Events until the connection closes (or the timeout passes).
    func eventsUntilClosed(timeout: Double = 5) throws -> [ConnectionEvent] {
        var events: [ConnectionEvent] = []
        while let event = try nextEvent(timeout: timeout) {
            events.append(event)
            if case .closed = event { break }
        }
        return events
    }

    /// Whether the server closes the TCP connection within `timeout` (reading and dropping data).
    func waitForEOF(timeout: Double = 5) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !sawEOF {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return false }
            guard let bytes = try readSome(timeout: remaining) else { return false }
            leftover.writeBytes(bytes)
        }
        return true
    }

    /// The close frame the server sent, reading raw frames (without a Connection).
    static func closeCode(in events: [ConnectionEvent]) -> CloseCode? {
        for event in events {
            if case .closeReceived(let frame) = event { return frame.code }
        }
        return nil
    }
}
