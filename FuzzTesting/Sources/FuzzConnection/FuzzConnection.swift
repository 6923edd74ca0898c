// The connection engine in both roles, with every auto-reply policy, with or without
// permessage-deflate (parameters and limits from the second byte). Properties:
// - it never traps;
// - whole vs chunked: the stream received in one piece and received in pieces (split
//   where the selector says) gives the same sequence of events, the same bytes written
//   back to the peer (automatic replies and the harness's own reactions) and the same
//   final state. The harness reacts to events the same way in both runs: it echoes every
//   message (fragmented when bit 7 of byte 1 is set), answers pings itself under
//   passThrough, and answers a close itself unless the policy is automatic.
//
// Byte 0: bit 7 role (0 server, 1 client), bit 6 permessage-deflate, bits 4-5 policy
//   (automatic, passThrough, deferredCloseReply, automatic), bits 0-3 the split pattern.
// Byte 1: bit 0 server_no_context_takeover, bit 1 client_no_context_takeover, bits 2-4
//   window bits (8 + n), bits 5-6 the message limit (1 MiB, 64 KiB, 1000, 125 bytes; the
//   small ones make deflate bombs reach "inflated message too large"), bit 7 fragmented
//   echoes.
import FuzzSupport
import NIOCore
import WSKCompression
import WSKCore

struct Outcome: Equatable {
    var events: [ConnectionEvent] = []
    var output = ByteBuffer()
    var state: ConnectionState = .open
    var sendErrors: [UsageError] = []
}

let limits = [1 << 20, 64 * 1024, 1000, 125]
let policies: [AutoReplyPolicy] = [.automatic, .passThrough, .deferredCloseReply, .automatic]

func run(_ pieces: [ByteBuffer], selector: UInt8, options: UInt8) -> Outcome {
    let role: Role = selector & 0x80 == 0 ? .server : .client
    let policy = policies[Int(selector >> 4 & 3)]
    var configuration = WebSocketConfiguration()
    configuration.maxFrameSize = 1 << 20
    configuration.maxMessageSize = limits[Int(options >> 5 & 3)]
    var extensions: [any WebSocketExtension] = []
    if selector & 0x40 != 0 {
        let bits = 8 + Int(options >> 2 & 7)
        let parameters = PerMessageDeflateParameters(
            serverNoContextTakeover: options & 1 != 0,
            clientNoContextTakeover: options & 2 != 0,
            serverMaxWindowBits: bits,
            clientMaxWindowBits: 23 - bits
        )
        extensions = [PerMessageDeflate(parameters: parameters, role: role)]
    }
    let fragmentSize: Int? = options & 0x80 != 0 ? 7 : nil
    var connection = Connection(
        role: role,
        configuration: configuration,
        extensions: extensions,
        autoReplyPolicy: policy,
        randomNumberGenerator: FixedGenerator(seed: 1)
    )
    var outcome = Outcome()
    func react(to event: ConnectionEvent) {
        outcome.events.append(event)
        do throws(UsageError) {
            switch event {
            case .message(let message):
                try connection.sendMessage(opcode: message.opcode, payload: message.data, fragmentSize: fragmentSize, into: &outcome.output)
            case .ping(let payload) where policy == .passThrough:
                try connection.send(.pong(payload), into: &outcome.output)
            case .closeReceived(let close) where policy != .automatic:
                try connection.send(.close(close.response), into: &outcome.output)
            default:
                break
            }
        } catch {
            outcome.sendErrors.append(error)
        }
    }
    for var piece in pieces {
        connection.receive(&piece)
        while let event = connection.nextEvent(replyingInto: &outcome.output) { react(to: event) }
    }
    connection.receiveEndOfStream()
    while let event = connection.nextEvent(replyingInto: &outcome.output) { react(to: event) }
    outcome.state = connection.state
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)
    guard bytes.count >= 2 else { return 0 }
    let selector = bytes[0]
    let options = bytes[1]
    let stream = bytes.dropFirst(2)
    let whole = run(stream.isEmpty ? [] : [ByteBuffer(bytes: stream)], selector: selector, options: options)
    let pieces = split(stream, seed: selector, maxPiece: pieceSizes[Int(selector & 0x0F)])
    let chunked = run(pieces, selector: selector, options: options)
    require(whole.events == chunked.events, "Connection events differ whole and in \(pieces.count) pieces:\nwhole:   \(whole.events)\nchunked: \(chunked.events)")
    require(whole.output == chunked.output, "Connection output differs whole and in pieces:\nwhole:   \(whole.output.readableBytesView.map { $0 })\nchunked: \(chunked.output.readableBytesView.map { $0 })")
    require(whole == chunked, "Connection outcome differs whole and in pieces:\nwhole:   \(whole)\nchunked: \(chunked)")
    if let last = whole.events.last {
        if case .closed = last {} else { require(false, "the last event is not .closed: \(last)") }
    }
    require(whole.events.filter { if case .closed = $0 { return true } else { return false } }.count == 1, "not exactly one .closed event: \(whole.events)")
    return 0
}

@_cdecl("FuzzConnection_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
