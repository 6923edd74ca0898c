// The frame decoder in both roles and both modes. Properties:
// - it never traps;
// - whole vs chunked: the input fed in one piece and fed in pieces (split where the
//   selector byte says) gives the same sequence of frames, violations and thrown error,
//   and the same open message, failure state and (when nothing was thrown) final
//   stream offset;
// - every byte fed is decoded or held back as part of a header (less than 14 bytes).
// Selector (first byte): bit 7 role, bit 6 mode (strict/inspect), bit 5 RSV1 allowed,
// bit 4 small limits (frame 64, message 100 bytes), bits 0-3 the split pattern.
import FuzzSupport
import NIOCore
import WSKCore

enum Entry: Equatable {
    case frame(DecodedFrame)
    case violation(ProtocolViolation)
    case thrown(ProtocolViolation)
}

struct Outcome: Equatable {
    var log: [Entry] = []
    var streamOffset = 0
    var hasFailed = false
    var openMessage: FrameDecoder.OpenMessage?
}

func decode(_ pieces: [ByteBuffer], selector: UInt8) -> Outcome {
    var configuration = WebSocketConfiguration()
    let small = selector & 0x10 != 0
    configuration.maxFrameSize = small ? 64 : 1 << 20
    configuration.maxMessageSize = small ? 100 : 1 << 20
    var decoder = FrameDecoder(
        role: selector & 0x80 == 0 ? .server : .client,
        configuration: configuration,
        mode: selector & 0x40 == 0 ? .strict : .inspect
    )
    decoder.allowedReservedBits = selector & 0x20 == 0 ? [] : .rsv1
    var outcome = Outcome()
    var cumulation = ByteBuffer()
    var fed = 0
    var thrown = false
    feeding: for var piece in pieces {
        fed += piece.readableBytes
        cumulation.writeBuffer(&piece)
        while true {
            do {
                let frame = try decoder.nextFrame(from: &cumulation)
                outcome.log += decoder.takeViolations().map(Entry.violation)
                guard let frame else { break }
                outcome.log.append(.frame(frame))
            } catch {
                outcome.log += decoder.takeViolations().map(Entry.violation)
                outcome.log.append(.thrown(error))
                thrown = true
                break feeding
            }
        }
    }
    // After a thrown violation the decoder is dead and how far it read is not meaningful
    // (a whole payload may have been taken before its bad byte was found).
    outcome.streamOffset = thrown ? -1 : decoder.streamOffset
    if !thrown {
        // Everything fed is either decoded (the stream offset) or held back as a partial header.
        require(decoder.streamOffset + cumulation.readableBytes == fed, "decoded \(decoder.streamOffset) + held \(cumulation.readableBytes) != fed \(fed)")
        require(cumulation.readableBytes < 14, "\(cumulation.readableBytes) bytes held back, more than a header")
    }
    outcome.hasFailed = decoder.hasFailed
    outcome.openMessage = decoder.openMessage
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)
    guard let selector = bytes.first else { return 0 }
    let stream = bytes.dropFirst()
    let whole = decode(stream.isEmpty ? [] : [ByteBuffer(bytes: stream)], selector: selector)
    let pieces = split(stream, seed: selector, maxPiece: pieceSizes[Int(selector & 0x0F)])
    let chunked = decode(pieces, selector: selector)
    require(whole == chunked, "FrameDecoder gives different results whole and in \(pieces.count) pieces:\nwhole:   \(whole)\nchunked: \(chunked)")
    return 0
}

@_cdecl("FuzzFrameDecoder_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
