// The client's SOCKS5 handshake (WSKCore.SOCKS5Negotiation): every byte after the greeting
// comes from the proxy. Input: byte 0 picks the target kind (bits 0-1: IPv4, IPv6, a name),
// whether there are credentials (bit 2) and how the replies are cut (bits 4-7, a piece size);
// the rest are the proxy's bytes. Properties:
// - never traps;
// - whole vs chunked: the replies fed at once and fed in pieces give the same sends, the
//   same outcome (established or the same failure) and the same tunnel bytes;
// - what is sent follows RFC 1928/1929: the greeting offers 0x00 (and 0x02 with
//   credentials), the authentication message carries the credentials, the CONNECT request
//   names the target and port, and nothing else is sent;
// - once established, the tunnel bytes are exactly the input after the replies, and every
//   later call passes bytes through unchanged; once failed, it stays failed.
import FuzzSupport
import WSKCore

struct Transcript: Equatable {
    var sent: [[UInt8]] = []
    var outcome: String = "needMore"
    var tunnel: [UInt8] = []
}

/// Feeds `pieces` in order, following `.send` steps as a caller does.
func run(_ negotiation: inout SOCKS5Negotiation, _ pieces: [[UInt8]]) -> Transcript {
    var transcript = Transcript()
    var finished = false
    for piece in pieces {
        var step = negotiation.receive(piece)
        while true {
            switch step {
            case .needMore:
                break
            case .send(let bytes):
                require(!finished, "a send after the handshake ended")
                transcript.sent.append(bytes)
                step = negotiation.receive([])
                continue
            case .established(let leftover):
                if transcript.outcome == "needMore" { transcript.outcome = "established" }
                require(transcript.outcome == "established", "established after \(transcript.outcome)")
                transcript.tunnel += leftover
                finished = true
            case .failed(let failure):
                if transcript.outcome == "needMore" { transcript.outcome = "failed(\(failure))" }
                require(transcript.outcome.hasPrefix("failed"), "failed after \(transcript.outcome)")
                finished = true
            }
            break
        }
    }
    return transcript
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = inputBytes(data, size)
    guard let selector = input.first else { return 0 }
    let replies = Array(input.dropFirst())
    let target: SOCKS5Negotiation.Target
    switch selector & 0x03 {
    case 0: target = .ipv4([127, 0, 0, 1])
    case 1: target = .ipv6([UInt8](repeating: 0, count: 15) + [1])
    default: target = .name("example.com")
    }
    let credentials: (user: [UInt8], password: [UInt8])? = selector & 0x04 != 0 ? (Array("alice".utf8), Array("s3cret".utf8)) : nil
    let negotiation = SOCKS5Negotiation(target: target, port: 443, credentials: credentials)

    // RFC 1928 §3: the greeting.
    require(negotiation.greeting == (credentials == nil ? [5, 1, 0] : [5, 2, 0, 2]), "greeting \(negotiation.greeting)")

    var afterWhole = negotiation
    let whole = run(&afterWhole, [replies])
    let pieces = split(replies[...], seed: selector, maxPiece: pieceSizes[Int(selector >> 4)]).map { Array($0.readableBytesView) }
    var afterChunked = negotiation
    let chunked = run(&afterChunked, pieces.isEmpty ? [[]] : pieces)
    require(whole == chunked, "whole \(whole) vs chunked \(chunked)")

    // What was sent: at most an authentication message, then at most one request.
    let request: [UInt8] = {
        var bytes: [UInt8] = [5, 1, 0]
        switch target {
        case .ipv4(let a): bytes += [1] + a
        case .ipv6(let a): bytes += [4] + a
        case .name(let n): bytes += [3, UInt8(n.utf8.count)] + Array(n.utf8)
        }
        return bytes + [1, 187]
    }()
    let authentication: [UInt8] = [1, 5] + Array("alice".utf8) + [6] + Array("s3cret".utf8)
    var expected: [[UInt8]] = []
    if let first = whole.sent.first, first == authentication {
        require(credentials != nil, "credentials sent that were not given")
        expected.append(authentication)
    }
    if whole.sent.count > expected.count { expected.append(request) }
    require(whole.sent == expected, "sent \(whole.sent), expected a prefix of \(expected)")

    // Established: the tunnel bytes are the input after the replies.
    if whole.outcome == "established" {
        require(whole.sent.last == request, "established without a request")
        let greetingReply = 2
        let authReply = whole.sent.count == 2 ? 2 : 0
        let addressLength: Int
        let kindIndex = greetingReply + authReply + 3
        switch replies[kindIndex] {
        case 1: addressLength = 4
        case 4: addressLength = 16
        default: addressLength = 1 + Int(replies[kindIndex + 1])
        }
        let consumed = greetingReply + authReply + 4 + addressLength + 2
        require(whole.tunnel == Array(replies[consumed...]), "tunnel bytes are not the input after the replies")
        // Later bytes pass through unchanged.
        if case .established(let more) = afterWhole.receive([9, 8, 7]) {
            require(more == [9, 8, 7], "bytes after the handshake changed: \(more)")
        } else {
            require(false, "no longer established after more bytes")
        }
    }
    if whole.outcome.hasPrefix("failed") {
        if case .failed = afterWhole.receive([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]) {} else {
            require(false, "a failed handshake went on")
        }
    }
    return 0
}

@_cdecl("FuzzSOCKS5_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
