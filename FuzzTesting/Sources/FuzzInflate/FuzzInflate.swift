// permessage-deflate (WSKCompression), two modes chosen by bit 7 of the first byte.
//
// Inflate mode (bit 7 clear): arbitrary compressed payloads split into frames (chunk size
// from bits 0-5), limit 64 KiB (bit 6 clear) or 1000 bytes (bit 6 set). Properties: never
// traps, never holds more than the limit, and the same payload inflated as one frame gives
// the same message or the same error.
//
// Round-trip mode (bit 7 set): byte 1 picks the agreement (bit 0
// server_no_context_takeover, bit 1 client_no_context_takeover, bits 2-4 server window
// 8 + n, bits 5-7 client window 8 + n), byte 2 the compression level (bits 0-3, mod 10)
// and the frame split (bits 4-7); the rest is a list of messages, each a length byte n
// and n bytes, or, for n >= 0xF0, the next byte repeated (n - 0xEF) * 300 times. Every
// message goes client -> server and server -> client. Properties: the receiver's output is
// exactly the message (with the limit set to the message's size), whatever the frame
// split; every compressed message also inflates with a reference zlib inflater whose
// window is exactly the agreed one (so no back-reference reaches past the window,
// including window 8, which wsk serves with Z_RLE); and with no-context-takeover each
// compressed message inflates on its own, with a fresh inflater.
import CFuzzZlib
import FuzzSupport
import NIOCore
import WSKCompression
import WSKCore

// MARK: - Inflate mode

func inflate(_ pieces: [ByteBuffer], limit: Int) -> Result<ByteBuffer, ProtocolViolation.Reason> {
    let codec = PerMessageDeflate(parameters: .init(), role: .server)
    var output = ByteBuffer()
    for (index, piece) in pieces.enumerated() {
        do throws(ProtocolViolation.Reason) {
            try codec.decode(piece, isFinal: index == pieces.count - 1, into: &output, limit: limit)
        } catch {
            return .failure(error)
        }
        require(output.readableBytes <= limit, "inflated past the limit")
    }
    return .success(output)
}

func inflateMode(_ data: UnsafePointer<UInt8>?, _ size: Int) {
    let (selector, pieces) = chunks(data, size)
    guard !pieces.isEmpty else { return }
    let limit = selector & 0x40 == 0 ? 64 * 1024 : 1000
    let split = inflate(pieces, limit: limit)
    var whole = ByteBuffer()
    for var piece in pieces { whole.writeBuffer(&piece) }
    let joined = inflate([whole], limit: limit)
    require(split == joined, "inflating in \(pieces.count) frames and as one frame differ: \(split) vs \(joined)")
}

// MARK: - Round-trip mode

/// Raw inflate with exactly `windowBits`, persistent across messages.
final class ReferenceInflater {
    var stream = z_stream()
    init(windowBits: Int) {
        let status = fuzz_inflateInit2(&stream, -Int32(windowBits))
        require(status == Z_OK, "inflateInit2(\(-windowBits)) failed: \(status)")
    }
    deinit { inflateEnd(&stream) }

    /// Inflates one message (its compressed bytes plus 00 00 ff ff); nil on a zlib error.
    func inflate(_ compressed: [UInt8]) -> [UInt8]? {
        let input = compressed + [0x00, 0x00, 0xFF, 0xFF]
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        return input.withUnsafeBufferPointer { inputPointer -> [UInt8]? in
            stream.next_in = UnsafeMutablePointer(mutating: inputPointer.baseAddress!)
            stream.avail_in = uInt(input.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                    stream.next_out = out.baseAddress!
                    stream.avail_out = uInt(out.count)
                    let status = CFuzzZlib.inflate(&stream, Z_SYNC_FLUSH)
                    return (status, out.count - Int(stream.avail_out))
                }
                output += chunk[..<produced]
                switch status {
                case Z_OK:
                    if stream.avail_in == 0 && produced < chunk.count { return output }
                case Z_BUF_ERROR:
                    return stream.avail_in == 0 ? output : nil
                default:
                    return nil
                }
            }
        }
    }
}

func messages(from bytes: ArraySlice<UInt8>) -> [[UInt8]] {
    var result: [[UInt8]] = []
    var index = bytes.startIndex
    while index < bytes.endIndex {
        let n = Int(bytes[index])
        index += 1
        if n >= 0xF0 {
            let byte = index < bytes.endIndex ? bytes[index] : 0
            index += 1
            result.append([UInt8](repeating: byte, count: (n - 0xEF) * 300))
        } else {
            let end = min(bytes.endIndex, index + n)
            result.append(Array(bytes[index..<end]))
            index = end
        }
    }
    return result
}

func roundTripMode(_ bytes: [UInt8]) {
    guard bytes.count >= 3 else { return }
    let agreement = bytes[1]
    let parameters = PerMessageDeflateParameters(
        serverNoContextTakeover: agreement & 1 != 0,
        clientNoContextTakeover: agreement & 2 != 0,
        serverMaxWindowBits: 8 + Int(agreement >> 2 & 7),
        clientMaxWindowBits: 8 + Int(agreement >> 5 & 7)
    )
    let level = Int(bytes[2] & 0x0F) % 10
    let splitSeed = bytes[2] >> 4
    let list = messages(from: bytes.dropFirst(3))
    for senderRole in [Role.client, .server] {
        let sender = PerMessageDeflate(parameters: parameters, role: senderRole, compressionLevel: level)
        let receiver = PerMessageDeflate(parameters: parameters, role: senderRole == .client ? .server : .client)
        let windowBits = sender.configuration.sendMaxWindowBits
        let noContextTakeover = sender.configuration.sendNoContextTakeover
        require(receiver.configuration.receiveNoContextTakeover == noContextTakeover, "the two ends disagree on context takeover")
        let reference = ReferenceInflater(windowBits: windowBits)
        for message in list {
            let payload = ByteBuffer(bytes: message)
            guard let compressed = sender.encode(payload) else {
                require(false, "encode returned nil")
                return
            }
            // At most about 64 frames a message: 1-byte frames of a long message cost more
            // than they find.
            let maxPiece = max(pieceSizes[Int(splitSeed)], compressed.readableBytes / 64 + 1)
            let frames = split(Array(compressed.readableBytesView)[...], seed: splitSeed, maxPiece: maxPiece)
            var output = ByteBuffer()
            let pieces = frames.isEmpty ? [ByteBuffer()] : frames
            for (index, frame) in pieces.enumerated() {
                do throws(ProtocolViolation.Reason) {
                    try receiver.decode(frame, isFinal: index == pieces.count - 1, into: &output, limit: message.count)
                } catch {
                    require(false, "a \(message.count)-byte message from the \(senderRole) (\(parameters), level \(level)) does not inflate: \(error)")
                }
            }
            require(output == payload, "round trip changed a \(message.count)-byte message from the \(senderRole) (\(parameters), level \(level))")
            let compressedBytes = Array(compressed.readableBytesView)
            require(reference.inflate(compressedBytes) == message, "a message from the \(senderRole) does not inflate with a \(windowBits)-bit window (\(parameters), level \(level))")
            if noContextTakeover {
                let fresh = PerMessageDeflate(parameters: parameters, role: senderRole == .client ? .server : .client)
                var alone = ByteBuffer()
                do throws(ProtocolViolation.Reason) {
                    try fresh.decode(compressed, isFinal: true, into: &alone, limit: message.count)
                } catch {
                    require(false, "with no context takeover a message does not inflate on its own: \(error)")
                }
                require(alone == payload, "with no context takeover a message inflates differently on its own")
            }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    if data[0] & 0x80 == 0 {
        inflateMode(data, size)
    } else {
        roundTripMode(inputBytes(data, size))
    }
    return 0
}

@_cdecl("FuzzInflate_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
