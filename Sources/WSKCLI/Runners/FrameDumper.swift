// frame-dump never touches the network. It reads bytes one WebSocket endpoint wrote (a
// file, stdin, hex or base64 text) or a packet capture, reassembles each TCP connection,
// finds the HTTP upgrade, and decodes the frames of both directions with the core's
// decoder in inspect mode: every frame becomes a line, and every RFC 6455/7692 violation
// is reported with its section, the close code a conforming peer would send, and its offset.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HTTPTypes
import NIOCore
import WSKCapture
import WSKCompression
import WSKCore

/// Runs `wsk frame-dump`: reads the input, decodes, prints, and returns the totals.
public struct FrameDumper {
    /// What to read and how to show it; built by the `FrameDump` command.
    public struct Configuration: Sendable {
        /// Where the bytes come from.
        public enum Source: Sendable, Hashable {
            /// Standard input.
            case standardInput
            /// A file.
            case file(String)
            /// Bytes already in memory (tests).
            case bytes([UInt8])
        }

        /// How the input is encoded.
        public enum Encoding: Sendable, Hashable {
            /// The frames' bytes as they were on the wire.
            case raw
            /// Hex text.
            case hex
            /// Base64 text.
            case base64
            /// A pcap or pcapng capture.
            case capture
        }

        /// What is printed.
        public enum OutputMode: Sendable, Hashable {
            /// A line per frame, message, violation and handshake.
            case frames
            /// Only violations, then the totals.
            case quiet
            /// Only the totals.
            case count
        }

        public var source: Source = .standardInput
        public var encoding: Encoding = .raw
        /// Who wrote raw bytes; `nil` to detect it from the first frame's mask bit.
        public var writer: Role? = nil
        /// permessage-deflate parameters for raw input.
        public var deflate: PerMessageDeflateParameters? = nil
        /// Capture connections without an HTTP upgrade are decoded from their first
        /// plausible frame (a capture that starts mid-connection).
        public var assumeWebSocket = false
        /// Capture connections to decode: those with either port in the set (empty: all).
        public var ports: Set<UInt16> = []
        public var outputMode: OutputMode = .frames
        public var json = false
        public var full = false
        public var color = false
        /// The largest frame payload, and inflated message, decoded (bytes).
        public var maxFrameSize = 16 * 1024 * 1024
        /// Bytes read from the input per `read(2)`: 1 MiB.
        public var readChunkSize = 1 << 20

        public init() {}
    }

    /// Why the input could not be used.
    public struct InputError: Error, CustomStringConvertible, Sendable {
        /// One sentence.
        public var description: String
    }

    let configuration: Configuration
    let output: OutputBuffer

    /// Creates a dumper writing to `output`.
    public init(configuration: Configuration, output: OutputBuffer) {
        self.configuration = configuration
        self.output = output
    }

    var decoderConfiguration: WebSocketConfiguration {
        // frame-dump never assembles messages, so only a frame (and an inflated message)
        // is held in memory: the message limit only bounds inflation.
        var limits = WebSocketConfiguration(maxFrameSize: configuration.maxFrameSize, maxMessageSize: Int.max)
        limits.requireMinimalLengths = true
        return limits
    }

    func makeSink() -> DumpSink {
        var formatter = FrameFormatter(
            style: configuration.json ? .json : .text,
            color: Style(enabled: configuration.color && !configuration.json),
            full: configuration.full,
            showsConnection: configuration.encoding == .capture
        )
        formatter.summaryIsComment = configuration.outputMode == .frames
        return DumpSink(mode: configuration.outputMode, full: configuration.full, formatter: formatter, output: output)
    }

    /// Decodes the whole input and prints as configured.
    ///
    /// - Returns: the totals (violations decide `--strict`'s exit code).
    /// - Throws: ``InputError`` when the input cannot be read or decoded.
    public func run() throws(InputError) -> DumpSummary {
        let sink = makeSink()
        switch configuration.encoding {
        case .raw:
            try dumpRawStream(sink)
        case .hex, .base64:
            let data = try readAll()
            let text = String(decoding: data, as: UTF8.self)
            let bytes: [UInt8]
            do {
                bytes = configuration.encoding == .hex ? try ByteText.decodeHex(text) : try ByteText.decodeBase64(text)
            } catch {
                throw InputError(description: "--\(configuration.encoding == .hex ? "hex" : "base64") input: \(error)")
            }
            dumpBytes(bytes, sink)
        case .capture:
            try dumpCapture(try readAll(), sink)
        }
        // The totals close every run: after the frames, or alone (--quiet, --count).
        sink.emit(.summary(sink.summary))
        output.flush()
        return sink.summary
    }

    // MARK: - Raw input

    func makeStream(firstBytes: ByteBuffer, sink: DumpSink) -> StreamDump {
        var writer = configuration.writer
        if writer == nil {
            // RFC 6455 §5.1: clients mask every frame, servers never do.
            let masked = firstBytes.readableBytes >= 2 && firstBytes.getInteger(at: firstBytes.readerIndex + 1, as: UInt8.self)! & 0x80 != 0
            writer = masked ? .client : .server
            let why = firstBytes.readableBytes >= 2 ? (masked ? "the first frame is masked" : "the first frame is not masked") : "no frame to look at"
            sink.emit(.note(Note(position: nil, kind: "role-detected", message: "bytes written by the \(writer!) (auto-detected: \(why); use --role to override)")))
        }
        return StreamDump(
            connection: nil,
            writer: writer!,
            baseOffset: 0,
            deflate: configuration.deflate,
            configuration: decoderConfiguration,
            sink: sink
        )
    }

    func dumpBytes(_ bytes: [UInt8], _ sink: DumpSink) {
        var buffer = ByteBuffer(bytes: bytes)
        sink.summary.inputBytes = bytes.count
        let stream = makeStream(firstBytes: buffer, sink: sink)
        stream.feed(&buffer)
        stream.finish(remaining: buffer.readableBytes)
    }

    /// Reads the input in ``Configuration/readChunkSize`` pieces into one cumulation buffer
    /// and decodes as it goes, so memory stays at about one chunk plus one frame.
    func dumpRawStream(_ sink: DumpSink) throws(InputError) {
        if case .bytes(let bytes) = configuration.source {
            dumpBytes(bytes, sink)
            return
        }
        let fd = try openInput()
        defer { if case .file = configuration.source { close(fd) } }
        let chunk = configuration.readChunkSize
        var buffer = ByteBufferAllocator().buffer(capacity: chunk * 2)
        var stream: StreamDump? = nil
        var total = 0
        while true {
            // Keep the unread tail (at most a partial frame) at the front.
            if buffer.readerIndex > 0 && buffer.readableBytes < chunk {
                buffer.discardReadBytes()
            }
            var readError: Int32 = 0
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunk) { pointer in
                while true {
                    let n = read(fd, pointer.baseAddress, pointer.count)
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { readError = errno; return 0 }
                    return n
                }
            }
            if readError != 0 {
                throw InputError(description: "cannot read \(inputName): \(String(cString: strerror(readError)))")
            }
            if count == 0 { break }
            total += count
            if stream == nil {
                if buffer.readableBytes < 2 { continue }
                stream = makeStream(firstBytes: buffer, sink: sink)
            }
            stream!.feed(&buffer)
        }
        sink.summary.inputBytes = total
        if stream == nil { stream = makeStream(firstBytes: buffer, sink: sink) ; stream!.feed(&buffer) }
        stream!.finish(remaining: buffer.readableBytes)
    }

    var inputName: String {
        switch configuration.source {
        case .standardInput: return "standard input"
        case .file(let path): return path
        case .bytes: return "input"
        }
    }

    func openInput() throws(InputError) -> Int32 {
        switch configuration.source {
        case .standardInput, .bytes:
            return 0
        case .file(let path):
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                throw InputError(description: "cannot open \(path): \(String(cString: strerror(errno)))")
            }
            return fd
        }
    }

    func readAll() throws(InputError) -> [UInt8] {
        if case .bytes(let bytes) = configuration.source { return bytes }
        let fd = try openInput()
        defer { if case .file = configuration.source { close(fd) } }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: configuration.readChunkSize)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(description: "cannot read \(inputName): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            data.append(contentsOf: chunk[0..<n])
        }
        return data
    }

    // MARK: - Captures

    /// The connection a segment's events belong to.
    static func connectionNumber(in events: [TCPReassembler.Event]) -> Int? {
        for event in events {
            switch event {
            case .opened(let connection): return connection.number
            case .data(let number, _, _, _), .gap(let number, _, _, _), .ended(let number, _, _): return number
            }
        }
        return nil
    }

    func dumpCapture(_ data: [UInt8], _ sink: DumpSink) throws(InputError) {
        let contents: CaptureFile.Contents
        do {
            contents = try CaptureFile.contents(of: data)
        } catch {
            throw InputError(description: "\(inputName): \(error)")
        }
        let packets = contents.packets
        if let offset = contents.truncatedAt {
            sink.emit(
                .note(
                    Note(
                        position: nil,
                        kind: "capture-truncated",
                        message: "\(inputName) ends inside a packet record at byte \(offset) (\(data.count - offset) bytes left over): later packets are missing; was it copied while still being written?",
                        isProblem: true
                    )
                )
            )
        }
        if let unsupported = packets.first(where: { !$0.linkType.isSupported }) {
            throw InputError(description: "\(inputName): link type \(unsupported.linkType) is not supported")
        }
        var reassembler = TCPReassembler()
        var connections: [Int: CaptureConnection] = [:]
        let ports = configuration.ports

        func handle(_ events: [TCPReassembler.Event]) {
            for event in events {
                switch event {
                case .opened(let connection):
                    if ports.isEmpty || ports.contains(connection.client.port) || ports.contains(connection.server.port) {
                        connections[connection.number] = CaptureConnection(connection, dumper: self, sink: sink)
                    }
                case .data(let number, let direction, _, let bytes):
                    guard let connection = connections[number] else { continue }
                    sink.summary.inputBytes += bytes.count
                    connection.receive(bytes, from: direction == .clientToServer ? .client : .server)
                case .gap(let number, let direction, let offset, let length):
                    connections[number]?.gap(at: offset, length: length, writer: direction == .clientToServer ? .client : .server)
                case .ended:
                    break
                }
            }
        }

        for packet in packets {
            guard let segment = PacketDecoder.tcpSegment(in: packet) else { continue }
            let events = reassembler.process(segment)
            for connection in connections.values { connection.packetTime = packet.timestampNanoseconds }
            handle(events)
            if packet.isCut, let number = Self.connectionNumber(in: events) ?? reassembler.connectionNumber(of: segment),
                let connection = connections[number]
            {
                connection.cutPackets += 1
                connection.snapLength = max(connection.snapLength, packet.data.count)
            }
        }
        handle(reassembler.finish())
        for number in connections.keys.sorted() {
            connections[number]!.finish()
        }
    }
}
