import HTTPTypes
import NIOCore
import WSKCapture
import WSKCompression
import WSKCore

/// One TCP connection in a capture, for `frame-dump --pcap`: waits for the HTTP upgrade
/// request and its response, reports the handshake and what it negotiated, then decodes
/// both directions' frames with a ``StreamDump`` each.
final class CaptureConnection {
    enum Phase {
        /// Collecting the client's request head (and the server's response head).
        case handshake
        /// Decoding frames.
        case frames
        /// No HTTP upgrade at its start (a capture that begins mid-connection, TLS, another
        /// protocol): bytes are kept to say why at the end, or to decode with --assume-ws.
        case undecoded
        /// Not a WebSocket connection, or the upgrade was refused: ignored from here on.
        case ignored
    }

    /// Bytes kept per direction of an undecoded connection just to say why it is
    /// undecoded (all of them with --assume-ws).
    static let sampleLimit = 64 * 1024

    let info: TCPReassembler.Connection
    let dumper: FrameDumper
    let sink: DumpSink
    var phase = Phase.handshake
    /// Bytes of each direction not yet handed on (the heads, and frames that arrived
    /// before the handshake completed).
    var clientBytes: [UInt8] = []
    var serverBytes: [UInt8] = []
    var request: HTTPHead?
    var response: HTTPHead?
    var streams: [Role: StreamDump] = [:]
    var leftovers: [Role: ByteBuffer] = [:]
    /// Packets of this connection the capture's snap length cut, and the most it kept.
    var cutPackets = 0
    var snapLength = 0
    /// The capture time of the packet whose bytes are being received.
    var packetTime: Int64?

    init(_ info: TCPReassembler.Connection, dumper: FrameDumper, sink: DumpSink) {
        self.info = info
        self.dumper = dumper
        self.sink = sink
    }

    func receive(_ bytes: ArraySlice<UInt8>, from writer: Role) {
        switch phase {
        case .ignored:
            return
        case .undecoded:
            let limit = dumper.configuration.assumeWebSocket ? Int.max : Self.sampleLimit
            if writer == .client {
                clientBytes += bytes.prefix(max(0, limit - clientBytes.count))
            } else {
                serverBytes += bytes.prefix(max(0, limit - serverBytes.count))
            }
        case .frames:
            var buffer = leftovers[writer] ?? ByteBuffer()
            buffer.writeBytes(bytes)
            streams[writer]!.packetTime = packetTime
            streams[writer]!.feed(&buffer)
            leftovers[writer] = buffer.readableBytes > 0 ? buffer : nil
        case .handshake:
            if writer == .client { clientBytes += bytes } else { serverBytes += bytes }
            advanceHandshake()
        }
    }

    func advanceHandshake() {
        if request == nil {
            switch HTTPHead.parse(clientBytes[...]) {
            case .needMore:
                // A server that speaks first (or the client's side missing from the
                // capture): not an HTTP exchange.
                if clientBytes.isEmpty && !serverBytes.isEmpty && HTTPHead.parse(serverBytes[...]) == .notHTTP {
                    phase = .undecoded
                }
                return
            case .notHTTP:
                phase = .undecoded
                return
            case .head(let head):
                guard head.isWebSocketUpgrade else {
                    phase = .ignored
                    note("not-websocket", "an HTTP request (\(head.startLine)), not a WebSocket upgrade: skipped", writer: .client)
                    return
                }
                request = head
            }
        }
        if response == nil {
            switch HTTPHead.parse(serverBytes[...]) {
            case .needMore: return
            case .notHTTP:
                reportHandshake(accepted: false)
                phase = .ignored
                return
            case .head(let head):
                response = head
            }
        }
        let accepted = response!.status == 101
        let deflate = reportHandshake(accepted: accepted)
        guard accepted else {
            phase = .ignored
            return
        }
        phase = .frames
        let configuration = dumper.decoderConfiguration
        for writer in [Role.client, .server] {
            let head = writer == .client ? request! : response!
            streams[writer] = StreamDump(
                connection: info.number,
                writer: writer,
                baseOffset: head.length,
                deflate: deflate,
                configuration: configuration,
                sink: sink
            )
        }
        let pendingClient = clientBytes.dropFirst(request!.length)
        let pendingServer = serverBytes.dropFirst(response!.length)
        clientBytes = []
        serverBytes = []
        if !pendingServer.isEmpty { receive(pendingServer, from: .server) }
        if !pendingClient.isEmpty { receive(pendingClient, from: .client) }
    }

    /// Prints the handshake, checks it (RFC 6455 §4) and returns the agreed
    /// permessage-deflate parameters.
    @discardableResult
    func reportHandshake(accepted: Bool) -> PerMessageDeflateParameters? {
        guard let request else { return nil }
        sink.summary.connections += 1
        var violations: [ViolationRecord] = []
        func fault(_ writer: Role, _ id: String, _ section: String, _ message: String) {
            violations.append(
                ViolationRecord(
                    position: StreamPosition(connection: info.number, writer: writer, offset: 0),
                    identifier: id,
                    rfcSection: section,
                    closeCode: .protocolError,
                    message: message
                )
            )
        }

        // The request, through the core's server-side validation.
        var fields = HTTPFields()
        for field in request.fields {
            if let name = HTTPField.Name(field.name) { fields.append(HTTPField(name: name, value: field.value)) }
        }
        let method = HTTPRequest.Method(request.method ?? "GET") ?? .get
        var key: String? = nil
        do {
            let handshake = try ServerHandshake(method: method, httpVersion: request.version ?? (1, 1), headerFields: fields)
            key = handshake.key
        } catch {
            fault(.client, "handshake-request", "RFC 6455 §4.2.1", "upgrade request: \(error)")
        }

        var deflate: PerMessageDeflateParameters? = nil
        var subprotocol: String? = nil
        var extensions: String? = nil
        if let response, accepted {
            subprotocol = response.values("Sec-WebSocket-Protocol").first
            let extensionValues = response.values("Sec-WebSocket-Extensions")
            extensions = extensionValues.isEmpty ? nil : extensionValues.joined(separator: ", ")
            // RFC 6455 §4.2.2 item 5.4: the accept key proves the server read this request.
            if let key {
                let expected = AcceptKey.compute(forKey: key)
                let got = response.values("Sec-WebSocket-Accept").first
                if got != expected {
                    fault(.server, "handshake-accept-key", "RFC 6455 §4.2.2", "Sec-WebSocket-Accept is \(got.map { "\"\($0)\"" } ?? "missing"), expected \"\(expected)\"")
                }
            }
            do {
                let elements = try ExtensionHeaderParser.parse(extensionValues)
                if let element = elements.first(where: { $0.name.lowercased() == PerMessageDeflateNegotiator.extensionName }) {
                    do {
                        deflate = try PerMessageDeflateNegotiator().accept(element)
                    } catch {
                        fault(.server, "handshake-permessage-deflate", "RFC 7692 §7", "permessage-deflate response: \(error)")
                    }
                }
            } catch {
                fault(.server, "handshake-extensions", "RFC 6455 §9.1", "Sec-WebSocket-Extensions: \(error)")
            }
        }
        sink.countViolations(violations.count)
        sink.emit(
            .handshake(
                HandshakeRecord(
                    connection: info.number,
                    client: info.client.description,
                    server: info.server.description,
                    request: HTTPHeadSummary(startLine: request.startLine, fields: request.fields),
                    response: response.map { HTTPHeadSummary(startLine: $0.startLine, fields: $0.fields) },
                    subprotocol: subprotocol,
                    extensions: extensions,
                    deflate: deflate?.description,
                    violations: violations
                )
            )
        )
        return deflate
    }

    func gap(at offset: Int, length: Int, writer: Role) {
        guard phase == .frames else { return }
        sink.emit(
            .note(
                Note(
                    position: StreamPosition(connection: info.number, writer: writer, offset: offset),
                    kind: "capture-gap",
                    message: "\(length) bytes missing from the capture; \(writer) frames stop here",
                    isProblem: true
                )
            )
        )
        if let stream = streams[writer] {
            stream.finish(remaining: leftovers[writer]?.readableBytes ?? 0)
            stream.stopped = true
            leftovers[writer] = nil
        }
    }

    /// A note about the connection (or, with `offset`, a place in one direction).
    func note(_ kind: String, _ message: String, writer: Role = .client, offset: Int? = nil, problem: Bool = false) {
        sink.emit(
            .note(
                Note(
                    position: StreamPosition(connection: info.number, writer: writer, offset: offset ?? 0),
                    kind: kind,
                    message: message,
                    isProblem: problem,
                    showsOffset: offset != nil
                )
            )
        )
    }

    func finish() {
        if cutPackets > 0 {
            note(
                "cut-packets",
                "\(cutPackets) packet\(cutPackets == 1 ? " was" : "s were") cut by the capture's snap length (\(snapLength) bytes kept): frames in them are incomplete; capture with a larger snap length (tcpdump -s 0)",
                problem: true)
        }
        if phase == .handshake, request != nil {
            reportHandshake(accepted: false)
        }
        if phase == .undecoded || (phase == .handshake && request == nil) {
            explainUndecoded()
            return
        }
        guard phase == .frames else { return }
        for writer in [Role.client, .server] {
            guard let stream = streams[writer], !stream.stopped else { continue }
            stream.finish(remaining: leftovers[writer]?.readableBytes ?? 0)
        }
    }

    /// A connection without an HTTP upgrade: says why nothing was decoded, or decodes it
    /// from the first plausible frame (--assume-ws).
    func explainUndecoded() {
        guard !clientBytes.isEmpty || !serverBytes.isEmpty else { return }
        // Packets cut by the snap length were reported; what is left of them explains nothing.
        guard cutPackets == 0 else { return }
        if request == nil, case .needMore = HTTPHead.parse(clientBytes[...]), clientBytes.first.map({ (0x41...0x5A).contains($0) }) == true {
            note("incomplete-handshake", "the HTTP upgrade request is incomplete in the capture (bytes missing or the capture ended): frames not decoded", problem: true)
            return
        }
        if FrameHeuristic.looksLikeTLS(clientBytes[...]) || FrameHeuristic.looksLikeTLS(serverBytes[...]) {
            note("encrypted", "encrypted (TLS): its WebSocket frames cannot be decoded; capture the unencrypted side (in front of the TLS terminator) instead", problem: true)
            return
        }
        let starts: [(Role, ArraySlice<UInt8>, Int?)] = [(.client, clientBytes[...]), (.server, serverBytes[...])].map { writer, bytes in
            (writer, bytes, FrameHeuristic.firstPlausibleFrame(in: bytes, masked: writer == .client)
                ?? FrameHeuristic.firstPlausibleFrame(in: bytes, masked: writer != .client))
        }
        guard starts.contains(where: { $0.2 != nil }) else {
            note("not-websocket", "neither an HTTP upgrade nor WebSocket frames: skipped")
            return
        }
        guard dumper.configuration.assumeWebSocket else {
            note("no-handshake", "no HTTP upgrade in the capture (it starts after the handshake?): frames not decoded; --assume-ws decodes them", problem: true)
            return
        }
        sink.summary.connections += 1
        for (direction, bytes, start) in starts {
            guard let start else {
                if !bytes.isEmpty { note("assumed-websocket", "no plausible frame in the \(direction) bytes", writer: direction, problem: true) }
                continue
            }
            // RFC 6455 §5.1: the side that masks is the client, whatever the capture says.
            let writer: Role = bytes[bytes.startIndex + start + 1] & 0x80 != 0 ? .client : .server
            note(
                "assumed-websocket",
                "no handshake seen: \(direction) bytes decoded as WebSocket \(writer) frames from offset \(start) (--assume-ws; compression unknown)",
                writer: writer, offset: start)
            let stream = StreamDump(connection: info.number, writer: writer, baseOffset: start, deflate: nil, configuration: dumper.decoderConfiguration, sink: sink)
            var buffer = ByteBuffer(bytes: bytes.dropFirst(start))
            stream.feed(&buffer)
            stream.finish(remaining: buffer.readableBytes)
        }
    }
}
