import Foundation

/// A message payload typed in the REPL: text, bytes (`hex:…`, `base64:…`) or a file
/// (`@path`, read when the command runs).
enum REPLPayload: Equatable, Sendable {
    case text(String)
    case bytes([UInt8])
    case file(String)
}

/// One frame to send exactly as described, valid or not (`/frame`).
struct RawFrameSpec: Equatable, Sendable {
    var isFinal = true
    /// RSV1-3 as the frame's bits 0x40, 0x20, 0x10.
    var reservedBits: UInt8 = 0
    var opcode: UInt8
    /// Clients mask every frame (RFC 6455 §5.3); `nomask` sends one unmasked.
    var masked = true
    var payload: REPLPayload
}

/// What one line typed in the REPL asks for. Parsed by ``REPLInput/parse(_:)``, a pure
/// function, so the whole command language is table-tested without a terminal.
enum REPLCommand: Equatable, Sendable {
    case text(String)
    case binary(REPLPayload)
    case ping([UInt8])
    case pong([UInt8])
    case close(code: UInt16?, reason: String)
    case frame(RawFrameSpec)
    case fragment(size: Int, payload: REPLPayload)
    case quit
    case help
    case empty
    case invalid(String)
}

enum REPLInput {
    /// The slash commands, for `/help` and Tab completion.
    static let commands = ["/text", "/binary", "/ping", "/pong", "/close", "/frame", "/fragment", "/quit", "/help"]

    static let help = """
        Lines are sent as text messages. Commands:
          /text TEXT                 send TEXT as text (also: //TEXT sends /TEXT)
          /binary HEX                send a binary message: 0a0b0c, 0x0a 0b, 'base64:…' or '@file'
          /ping [PAYLOAD]            send a ping; the pong shows the round-trip time
          /pong [PAYLOAD]            send an unsolicited pong
          /close [CODE [REASON]]     start the closing handshake (default 1000)
          /frame [FLAGS] OPCODE [PAYLOAD]
                                     send one raw frame, even an invalid one. FLAGS: nofin rsv1
                                     rsv2 rsv3 nomask; OPCODE: text binary continuation close
                                     ping pong or 0-15
          /fragment SIZE PAYLOAD     send a message in frames of SIZE bytes (binary for hex:,
                                     base64: or @file payloads)
          /quit                      close with 1000 and wait for the server (also Ctrl-D)
          /help                      this text
        PAYLOAD is text, 'hex:0a0b', 'base64:AAE=' or, where files are allowed, '@path'.
        Ctrl-C clears the line; on an empty line it quits.
        """

    static func parse(_ line: String) -> REPLCommand {
        if line.isEmpty { return .empty }
        guard line.hasPrefix("/") else { return .text(line) }
        if line.hasPrefix("//") { return .text(String(line.dropFirst())) }
        let body = line.dropFirst()
        let name = body.prefix { $0 != " " && $0 != "\t" }
        let rest = String(body.dropFirst(name.count).drop { $0 == " " || $0 == "\t" })
        switch name {
        case "text", "t":
            return .text(rest)
        case "binary", "b":
            if rest.isEmpty { return .invalid("usage: /binary HEX | base64:DATA | @file") }
            switch payload(rest, bareIs: .hex, allowFile: true) {
            case .success(let payload): return .binary(payload)
            case .failure(let message): return .invalid(message.text)
            }
        case "ping", "pong":
            switch controlPayload(rest) {
            case .success(let bytes): return name == "ping" ? .ping(bytes) : .pong(bytes)
            case .failure(let message): return .invalid(message.text)
            }
        case "close":
            return parseClose(rest)
        case "frame":
            return parseFrame(rest)
        case "fragment":
            let sizeText = rest.prefix { $0 != " " }
            guard let size = Int(sizeText), size > 0 else {
                return .invalid("usage: /fragment SIZE PAYLOAD (SIZE: bytes per frame, at least 1)")
            }
            let data = String(rest.dropFirst(sizeText.count).drop { $0 == " " })
            switch payload(data, bareIs: .text, allowFile: true) {
            case .success(let payload): return .fragment(size: size, payload: payload)
            case .failure(let message): return .invalid(message.text)
            }
        case "quit", "exit", "q":
            return .quit
        case "help", "?", "h":
            return .help
        default:
            return .invalid("unknown command /\(name); /help lists the commands")
        }
    }

    struct Message: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    enum Bare { case text, hex }

    static func payload(_ text: String, bareIs bare: Bare, allowFile: Bool) -> Result<REPLPayload, Message> {
        if text.hasPrefix("hex:") {
            do {
                return .success(.bytes(try ByteText.decodeHex(String(text.dropFirst(4)))))
            } catch {
                return .failure(Message("not hex: \(error)"))
            }
        }
        if text.hasPrefix("base64:") {
            do {
                return .success(.bytes(try ByteText.decodeBase64(String(text.dropFirst(7)))))
            } catch {
                return .failure(Message("not base64: \(error)"))
            }
        }
        if allowFile && text.hasPrefix("@") && text.count > 1 {
            return .success(.file(String(text.dropFirst())))
        }
        switch bare {
        case .text:
            return .success(.text(text))
        case .hex:
            do {
                return .success(.bytes(try ByteText.decodeHex(text)))
            } catch {
                return .failure(Message("not hex: \(error) (use base64: or @file for other forms)"))
            }
        }
    }

    static func controlPayload(_ text: String) -> Result<[UInt8], Message> {
        let bytes: [UInt8]
        switch payload(text, bareIs: .text, allowFile: false) {
        case .success(.text(let string)): bytes = Array(string.utf8)
        case .success(.bytes(let data)): bytes = data
        case .success(.file): bytes = []
        case .failure(let message): return .failure(message)
        }
        guard bytes.count <= 125 else {
            return .failure(Message("a control frame carries at most 125 bytes (RFC 6455 §5.5); this one has \(bytes.count)"))
        }
        return .success(bytes)
    }

    static func parseClose(_ rest: String) -> REPLCommand {
        if rest.isEmpty { return .close(code: nil, reason: "") }
        let codeText = rest.prefix { $0 != " " }
        guard let code = UInt16(codeText) else {
            return .invalid("usage: /close [CODE [REASON]]; CODE is a number such as 1000 (use /frame close hex:… for anything else)")
        }
        let reason = String(rest.dropFirst(codeText.count).drop { $0 == " " })
        guard reason.utf8.count <= 123 else {
            return .invalid("a close reason is at most 123 bytes (RFC 6455 §5.5); this one has \(reason.utf8.count)")
        }
        return .close(code: code, reason: reason)
    }

    static let opcodeNames: [String: UInt8] = [
        "continuation": 0, "cont": 0, "text": 1, "binary": 2, "close": 8, "ping": 9, "pong": 10,
    ]

    static func parseFrame(_ rest: String) -> REPLCommand {
        var spec = RawFrameSpec(opcode: 0, payload: .text(""))
        var remaining = Substring(rest)
        while true {
            remaining = remaining.drop { $0 == " " }
            let token = remaining.prefix { $0 != " " }
            if token.isEmpty {
                return .invalid("usage: /frame [nofin] [rsv1] [rsv2] [rsv3] [nomask] OPCODE [PAYLOAD]")
            }
            remaining = remaining.dropFirst(token.count)
            switch token.lowercased() {
            case "fin": spec.isFinal = true
            case "nofin": spec.isFinal = false
            case "rsv1": spec.reservedBits |= 0x40
            case "rsv2": spec.reservedBits |= 0x20
            case "rsv3": spec.reservedBits |= 0x10
            case "nomask": spec.masked = false
            default:
                let lower = token.lowercased()
                let value: UInt8?
                if let named = opcodeNames[lower] {
                    value = named
                } else if lower.hasPrefix("0x") {
                    value = UInt8(lower.dropFirst(2), radix: 16)
                } else {
                    value = UInt8(lower)
                }
                guard let value, value <= 15 else {
                    return .invalid("unknown frame flag or opcode '\(token)'; opcodes: text binary continuation close ping pong or 0-15")
                }
                spec.opcode = value
                let data = String(remaining.dropFirst(remaining.first == " " ? 1 : 0))
                switch payload(data, bareIs: .text, allowFile: true) {
                case .success(let payload): spec.payload = payload
                case .failure(let message): return .invalid(message.text)
                }
                return .frame(spec)
            }
        }
    }
}
