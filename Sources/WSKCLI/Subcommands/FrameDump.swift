import ArgumentParser
import WSKCompression
import WSKCore

/// `wsk frame-dump`: decode WebSocket frames from raw bytes, hex, base64 or a packet capture.
public struct FrameDump: WSKCommand {
    public static let configuration = CommandConfiguration(
        commandName: "frame-dump",
        abstract: "Decode WebSocket frames from bytes, hex, base64 or a pcap, and explain every protocol violation.",
        discussion: """
            Prints one line per frame: stream offset, who wrote it (client or server), FIN, \
            RSV bits, opcode, masking key, payload length and a payload preview (text, or hex \
            for binary; --full shows all). Close frames show their code, its name and the \
            reason. A message line follows the last fragment of a fragmented or compressed \
            message. Every violation of RFC 6455 or RFC 7692 is printed where it happens, \
            with the rule's section, the close code a conforming peer would send and the \
            offset; decoding goes on wherever the framing allows.

            Raw input is the byte stream one endpoint wrote. Clients mask their frames, so \
            by default the writer is detected from the first frame's mask bit; --role \
            fixes it. A capture (--pcap: pcap or pcapng; Ethernet, Linux cooked SLL/SLL2, \
            loopback or raw IP; IPv4 and IPv6) is reassembled per TCP connection; each \
            HTTP upgrade is printed with its subprotocol and extensions, and both \
            directions are decoded. permessage-deflate messages are inflated when the \
            handshake negotiated it, or with --deflate/--extensions for raw input.

            JSON (--json): one object per line with a "type" of handshake, frame, message, \
            violation, note or summary (always last: the totals, with client and server \
            objects). Frame fields: connection and time (captures), direction, \
            offset, fin, rsv1, rsv2, rsv3, opcode, opcode_name, masked, mask, \
            header_length, length, payload_hex, payload_text (text frames), \
            payload_truncated, close_code, close_name, close_reason (close frames), \
            violations (each: direction, offset, id, rfc, close_code, close_name, message). \
            Messages add frames, compressed and inflated_length; handshakes carry \
            client, server, request_line, request_headers, status_line, \
            response_headers, subprotocol, extensions and permessage_deflate.

            Nothing is skipped in silence: a capture connection that cannot be decoded gets a \
            note saying why (encrypted, no handshake seen — try --assume-ws —, packets cut by \
            the snap length, bytes missing), as do a stream that ends inside a frame and a \
            capture file cut short; these count as problems in the totals.

            Exit status: 0 when decoding finished; 1 with --strict when a violation or a \
            problem was found, or when the input cannot be read; 64 for a usage error.

            EXAMPLES:
              printf '81 05 48 65 6c 6c 6f' | wsk frame-dump --hex
              wsk frame-dump --hex --role client <<< '81 85 37 fa 21 3d 7f 9f 4d 51 58'
              xxd frames.bin | wsk frame-dump --hex
              wsk frame-dump --base64 <<< 'gQVIZWxsbw=='
              wsk frame-dump --hex --deflate <<< 'c1 07 f2 48 cd c9 c9 07 00'
              wsk frame-dump --pcap session.pcapng --port 8080
              wsk frame-dump --pcap started-late.pcap --assume-ws
              wsk frame-dump --pcap session.pcap --json | jq 'select(.type == "frame")'
              wsk frame-dump --strict --quiet frames.bin || echo "not conforming"
              wsk frame-dump --count big-stream.bin
            """
    )

    /// Who wrote raw input: `auto` looks at the first frame's mask bit.
    public enum WriterRole: String, ExpressibleByArgument, CaseIterable, Sendable {
        case auto, client, server
    }

    @Argument(help: ArgumentHelp("File with the raw bytes (or hex/base64 text); standard input when omitted or '-'.", valueName: "file"), completion: .file())
    var file: String?

    @Flag(help: "Read hex text: spaces, colons, 0x prefixes, newlines, and xxd, hexdump -C, od -t x1 and tshark -x output (their offsets checked) are accepted.")
    var hex = false

    @Flag(help: "Read base64 text (standard or URL alphabet).")
    var base64 = false

    @Option(
        help: ArgumentHelp("Read a pcap or pcapng capture ('-' for standard input) and decode every WebSocket connection in it.", valueName: "file"),
        completion: .file(extensions: ["pcap", "pcapng", "cap"])
    )
    var pcap: String?

    @Option(help: "Only decode capture connections with this port on either side (repeatable).")
    var port: [Int] = []

    @Option(help: "Who wrote raw input: client (frames masked), server, or auto (from the first frame's mask bit).")
    var role: WriterRole = .auto

    @Flag(help: "Raw input uses permessage-deflate with default parameters: inflate messages with RSV1 set.")
    var deflate = false

    @Option(
        help: ArgumentHelp(
            "Raw input uses the extensions of this Sec-WebSocket-Extensions response value, e.g. 'permessage-deflate; server_no_context_takeover'.",
            valueName: "header"
        )
    )
    var extensions: String?

    @Flag(help: "One JSON object per line instead of text.")
    var json = false

    @Flag(help: "Show whole payloads instead of previews.")
    var full = false

    @Flag(help: "Print only the totals (no per-frame output): the fastest mode.")
    var count = false

    @Flag(help: "Print only violations and the totals.")
    var quiet = false

    @Flag(help: "Exit with status 1 if any violation was found, or anything could not be decoded (a frame cut short, a connection without a handshake, encrypted or cut packets, a capture file cut short).")
    var strict = false

    @Flag(name: .customLong("assume-ws"), help: "Captures: decode connections without an HTTP upgrade (a capture started mid-connection) from their first plausible frame; the masked side is the client.")
    var assumeWebSocket = false

    @Flag(inversion: .prefixedNo, help: "Colour the output (default: on a terminal, unless NO_COLOR is set).")
    var color: Bool?

    @Option(help: ArgumentHelp("The largest frame payload, and inflated message, decoded, in bytes.", valueName: "bytes"))
    var maxFrameSize: Int = 16 * 1024 * 1024

    public init() {}

    /// The agreed permessage-deflate parameters from --deflate/--extensions.
    func deflateParameters() throws -> PerMessageDeflateParameters? {
        if let extensions {
            let elements: [WebSocketExtensionOffer]
            do {
                elements = try ExtensionHeaderParser.parse(extensions)
            } catch {
                throw ValidationError("--extensions: \(error)")
            }
            guard let element = elements.first(where: { $0.name.lowercased() == PerMessageDeflateNegotiator.extensionName })
            else {
                throw ValidationError("--extensions: no permessage-deflate element in '\(extensions)'")
            }
            do {
                return try PerMessageDeflateNegotiator().accept(element)
            } catch {
                throw ValidationError("--extensions: \(error)")
            }
        }
        return deflate ? PerMessageDeflateParameters() : nil
    }

    public func validate() throws {
        if hex && base64 { throw ValidationError("--hex and --base64 cannot be used together") }
        if pcap != nil {
            if hex || base64 { throw ValidationError("--pcap cannot be combined with --\(hex ? "hex" : "base64")") }
            if file != nil { throw ValidationError("--pcap takes the capture file; do not also give a file argument") }
            if role != .auto { throw ValidationError("--role applies to raw input; a capture's handshake tells who is who (drop --pcap or --role)") }
            if deflate || extensions != nil {
                throw ValidationError("--\(deflate ? "deflate" : "extensions") applies to raw input; with --pcap the handshake decides")
            }
        } else if !port.isEmpty {
            throw ValidationError("--port filters capture connections; it needs --pcap")
        } else if assumeWebSocket {
            throw ValidationError("--assume-ws applies to captures (--pcap); raw input is always decoded as frames")
        }
        if let bad = port.first(where: { !(1...65535).contains($0) }) {
            throw ValidationError("--port \(bad) is outside 1...65535")
        }
        if count && quiet { throw ValidationError("--count and --quiet cannot be used together") }
        if full && (count || quiet) { throw ValidationError("--full has no effect with --\(count ? "count" : "quiet")") }
        if maxFrameSize < 1 { throw ValidationError("--max-frame-size must be at least 1 byte") }
        _ = try deflateParameters()
    }

    /// The runner's configuration for these options.
    func makeConfiguration() throws -> FrameDumper.Configuration {
        var configuration = FrameDumper.Configuration()
        if let pcap {
            configuration.source = pcap == "-" ? .standardInput : .file(pcap)
            configuration.encoding = .capture
        } else {
            configuration.source = file.map { $0 == "-" ? .standardInput : .file($0) } ?? .standardInput
            configuration.encoding = hex ? .hex : (base64 ? .base64 : .raw)
        }
        switch role {
        case .auto: configuration.writer = nil
        case .client: configuration.writer = .client
        case .server: configuration.writer = .server
        }
        configuration.deflate = try deflateParameters()
        configuration.assumeWebSocket = assumeWebSocket
        configuration.ports = Set(port.map { UInt16($0) })
        configuration.outputMode = count ? .count : (quiet ? .quiet : .frames)
        configuration.json = json
        configuration.full = full
        configuration.color = Terminal.usesColor(flag: color)
        configuration.maxFrameSize = maxFrameSize
        return configuration
    }

    public func execute() async throws {
        let output = OutputBuffer(.fileDescriptor(1))
        let summary: DumpSummary
        do {
            summary = try FrameDumper(configuration: try makeConfiguration(), output: output).run()
        } catch {
            output.flush()
            throw error
        }
        output.flush()
        if strict && (summary.violations > 0 || summary.problems > 0) {
            throw ExitCode.failure
        }
    }
}
