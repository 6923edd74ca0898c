import NIOCore
import Testing
import WSKCompression
import WSKCore

/// The message assembler, shared by `Connection` and frame-dump's stream decoder: the same
/// verdict for the same bytes at every split, and UTF-8 that fails fast inside compressed,
/// fragmented text (RFC 6455 §8.1, RFC 7692 §6).
@Suite("MessageAssembler: one verdict at every split")
struct MessageAssemblerTests {
    static let parameters = PerMessageDeflateParameters()

    /// A compressed text message whose inflated bytes hold an invalid byte near the start,
    /// sent by a client in `fragmentSize`-byte frames.
    static func wire(fragmentSize: Int) throws -> ByteBuffer {
        var client = Connection(
            role: .client,
            extensions: [PerMessageDeflate(parameters: parameters, role: .client)],
            randomNumberGenerator: SplitMix64(state: 3)
        )
        var payload = ByteBuffer(string: "κόσμε ")
        payload.writeInteger(UInt8(0xFF))
        // Text that does not compress much, so the message spans many frames.
        var generator = SplitMix64(state: 7)
        let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
        payload.writeBytes((0..<6000).map { _ in digits[Int(generator.next() % UInt64(digits.count))] })
        var out = ByteBuffer()
        try client.sendMessage(opcode: .text, payload: payload, fragmentSize: fragmentSize, into: &out)
        return out
    }

    /// The stream offsets of each frame's header in `wire`.
    static func frameOffsets(_ wire: ByteBuffer) throws -> [Int] {
        var decoder = FrameDecoder(role: .server, mode: .inspect)
        decoder.allowedReservedBits = .rsv1
        var bytes = wire
        var offsets: [Int] = []
        while let decoded = try decoder.nextFrame(from: &bytes) { offsets.append(decoded.streamOffset) }
        return offsets
    }

    @Test(arguments: [1, 2, 5, 13, 64, 100_000])
    func compressedFragmentedInvalidTextFailsBeforeItsLastFrame(chunk: Int) throws {
        let wire = try Self.wire(fragmentSize: 8)
        let offsets = try Self.frameOffsets(wire)
        #expect(offsets.count > 100)
        var server = Connection(
            role: .server,
            extensions: [PerMessageDeflate(parameters: Self.parameters, role: .server)],
            randomNumberGenerator: SplitMix64(state: 4)
        )
        var replies = ByteBuffer()
        var fed = 0
        var failure: (violation: ProtocolViolation, fedWhenSeen: Int)?
        var messages = 0
        while fed < wire.readableBytes && failure == nil {
            var piece = wire.getSlice(at: wire.readerIndex + fed, length: min(chunk, wire.readableBytes - fed))!
            fed += piece.readableBytes
            server.receive(&piece)
            while let event = server.nextEvent(replyingInto: &replies) {
                switch event {
                case .failed(let violation): failure = (violation, fed)
                case .message: messages += 1
                default: break
                }
            }
        }
        guard let failure else {
            Issue.record("invalid compressed text was not rejected")
            return
        }
        #expect(messages == 0)
        #expect(failure.violation.reason == .invalidUTF8)
        #expect(failure.violation.closeCode == .invalidPayloadData)
        // Fail fast: the verdict comes at a frame near the start, long before the last one.
        #expect(offsets.contains(failure.violation.streamOffset))
        #expect(failure.violation.streamOffset <= offsets[offsets.count / 4], "failed at frame offset \(failure.violation.streamOffset)")
        if chunk < wire.readableBytes {
            #expect(failure.fedWhenSeen < wire.readableBytes / 2, "seen only after \(failure.fedWhenSeen) of \(wire.readableBytes) bytes")
        }
        // A close frame with 1007 went out.
        #expect(replies.getInteger(at: replies.readerIndex, as: UInt8.self) == 0x88)
    }

    @Test(arguments: [1, 3, 100_000])
    func inspectModeGivesTheSameVerdictAsAnEndpoint(chunk: Int) throws {
        // frame-dump's path: an inspecting decoder and its assembler, fed the same bytes.
        let wire = try Self.wire(fragmentSize: 8)
        var decoder = FrameDecoder(role: .server, mode: .inspect)
        decoder.allowedReservedBits = .rsv1
        decoder.messages.messageExtension = PerMessageDeflate(parameters: Self.parameters, role: .server)
        decoder.messages.assemblesMessages = false
        var endpoint = Connection(
            role: .server,
            extensions: [PerMessageDeflate(parameters: Self.parameters, role: .server)],
            randomNumberGenerator: SplitMix64(state: 4)
        )
        var inspected: [ProtocolViolation] = []
        var pending = ByteBuffer()
        var fed = 0
        while fed < wire.readableBytes {
            var piece = wire.getSlice(at: wire.readerIndex + fed, length: min(chunk, wire.readableBytes - fed))!
            fed += piece.readableBytes
            pending.writeBuffer(&piece)
            while let decoded = try decoder.nextFrame(from: &pending) {
                do {
                    _ = try decoder.messages.frameCompleted(decoded)
                } catch {
                    inspected.append(error)
                }
            }
        }
        inspected += decoder.takeViolations()
        var copy = wire
        endpoint.receive(&copy)
        var replies = ByteBuffer()
        var endpointVerdict: ProtocolViolation?
        while let event = endpoint.nextEvent(replyingInto: &replies) {
            if case .failed(let violation) = event { endpointVerdict = violation }
        }
        #expect(inspected.first == endpointVerdict)
        #expect(inspected.count == 1, "one violation for one bad message: \(inspected)")
    }

    @Test func aValidCompressedFragmentedMessageAssemblesWhole() throws {
        var client = Connection(role: .client, extensions: [PerMessageDeflate(parameters: Self.parameters, role: .client)], randomNumberGenerator: SplitMix64(state: 5))
        let text = String(repeating: "héllo wörld ✓ ", count: 300)
        var out = ByteBuffer()
        try client.sendMessage(opcode: .text, payload: ByteBuffer(string: text), fragmentSize: 7, into: &out)
        var assembler = MessageAssembler(messageExtension: PerMessageDeflate(parameters: Self.parameters, role: .server))
        var decoder = FrameDecoder(role: .server)
        decoder.allowedReservedBits = .rsv1
        var assembled: [Message] = []
        while let decoded = try decoder.nextFrame(from: &out) {
            if let message = try assembler.frameCompleted(decoded) { assembled.append(message) }
        }
        #expect(assembled == [Message(opcode: .text, data: ByteBuffer(string: text))])
    }
}
