import CZlib
import NIOCore
import Testing
import WSKCompression
import WSKCore

@Suite("PerMessageDeflate codec")
struct PerMessageDeflateTests {
    /// Default parameters (context takeover, 15-bit windows) for `role`.
    func codec(
        _ role: Role = .server,
        parameters: PerMessageDeflateParameters = PerMessageDeflateParameters()
    ) -> PerMessageDeflate {
        PerMessageDeflate(parameters: parameters, role: role)
    }

    @Test func identity() {
        let codec = codec()
        #expect(codec.name == "permessage-deflate")
        #expect(codec.reservedBits == .rsv1)
        #expect(codec.compressionLevel == PerMessageDeflate.defaultCompressionLevel)
    }

    // MARK: - RFC 7692 §7.2.3 vectors

    /// RFC 7692 §7.2.3.1 "A Message Compressed Using 1 Compressed DEFLATE Block":
    /// "Hello" is `0xf2 0x48 0xcd 0xc9 0xc9 0x07 0x00`.
    @Test(arguments: Role.allCases)
    func rfcSingleBlockHello(role: Role) throws {
        let sender = codec(role)
        #expect(sender.encode(buffer("Hello"))?.bytes == hex("f2 48 cd c9 c9 07 00"))
        let receiver = codec(role.peer)
        #expect(try decodeMessage(receiver, hex("f2 48 cd c9 c9 07 00")) == Array("Hello".utf8))
    }

    /// RFC 7692 §7.2.3.2 "Sharing LZ77 Sliding Window": the second "Hello" on the same
    /// context is `0xf2 0x00 0x11 0x00 0x00`.
    @Test(arguments: Role.allCases)
    func rfcSharedWindow(role: Role) throws {
        let sender = codec(role)
        #expect(sender.encode(buffer("Hello"))?.bytes == hex("f2 48 cd c9 c9 07 00"))
        #expect(sender.encode(buffer("Hello"))?.bytes == hex("f2 00 11 00 00"))

        let receiver = codec(role.peer)
        #expect(try decodeMessage(receiver, hex("f2 48 cd c9 c9 07 00")) == Array("Hello".utf8))
        #expect(try decodeMessage(receiver, hex("f2 00 11 00 00")) == Array("Hello".utf8))
    }

    /// RFC 7692 §7.2.3.2 without context takeover: the second message is compressed on
    /// its own, so it is again `0xf2 0x48 0xcd 0xc9 0xc9 0x07 0x00`.
    @Test(arguments: Role.allCases)
    func rfcNoContextTakeoverSend(role: Role) {
        let parameters = PerMessageDeflateParameters(serverNoContextTakeover: true, clientNoContextTakeover: true)
        let sender = codec(role, parameters: parameters)
        #expect(sender.encode(buffer("Hello"))?.bytes == hex("f2 48 cd c9 c9 07 00"))
        #expect(sender.encode(buffer("Hello"))?.bytes == hex("f2 48 cd c9 c9 07 00"))
    }

    /// A receiver that resets its window (the peer declared no context takeover) cannot
    /// resolve §7.2.3.2's back-reference into the previous message.
    @Test func receiveNoContextTakeoverResetsWindow() throws {
        let receiver = PerMessageDeflate(configuration: .init(receiveNoContextTakeover: true))
        #expect(try decodeMessage(receiver, hex("f2 48 cd c9 c9 07 00")) == Array("Hello".utf8))
        let reason = reasonThrown { _ = try decodeMessage(receiver, hex("f2 00 11 00 00")) }
        #expect(reason == .invalidCompressedData)
    }

    /// RFC 7692 §7.2.3.3 "Using a DEFLATE Block with No Compression":
    /// `0x00 0x05 0x00 0xfa 0xff 0x48 0x65 0x6c 0x6c 0x6f 0x00`.
    @Test func rfcStoredBlock() throws {
        #expect(try decodeMessage(codec(), hex("00 05 00 fa ff 48 65 6c 6c 6f 00")) == Array("Hello".utf8))
    }

    /// RFC 7692 §7.2.3.4 "Using a DEFLATE Block with BFINAL Set to 1":
    /// `0xf3 0x48 0xcd 0xc9 0xc9 0x07 0x00 0x00`. The window survives the end of the
    /// DEFLATE stream, so §7.2.3.2's second message still decodes after it.
    @Test func rfcFinalBlock() throws {
        let receiver = codec()
        #expect(try decodeMessage(receiver, hex("f3 48 cd c9 c9 07 00 00")) == Array("Hello".utf8))
        #expect(try decodeMessage(receiver, hex("f2 00 11 00 00")) == Array("Hello".utf8))
    }

    /// RFC 7692 §7.2.3.5 "Two DEFLATE Blocks in 1 Message": "He" and "llo" separated by
    /// an empty stored block.
    @Test func rfcTwoBlocks() throws {
        let payload = hex("f2 48 05 00 00 00 ff ff ca c9 c9 07 00")
        #expect(try decodeMessage(codec(), payload) == Array("Hello".utf8))
    }

    /// RFC 7692 §7.2.3.6 "Generating an Empty Fragment": the empty stored block
    /// `0x00 0x00 0x00 0xff 0xff` minus the tail is the single byte `0x00`.
    @Test(arguments: Role.allCases)
    func emptyMessage(role: Role) throws {
        let sender = codec(role)
        let receiver = codec(role.peer)
        for message in ["", "Hello", "", "", "Hello"] {
            let compressed = try #require(sender.encode(buffer(message)))
            if message.isEmpty { #expect(compressed.bytes == [0x00]) }
            #expect(try decodeMessage(receiver, compressed.bytes) == Array(message.utf8))
        }
    }

    // MARK: - Round trips over every window and takeover setting

    struct RoundTripCase: Sendable, CustomTestStringConvertible {
        var windowBits: Int
        var noContextTakeover: Bool
        var role: Role

        var testDescription: String {
            "\(role) sends, window \(windowBits), \(noContextTakeover ? "no " : "")context takeover"
        }

        static let all: [RoundTripCase] = (8...15).flatMap { bits in
            [false, true].flatMap { nct in
                Role.allCases.map { RoundTripCase(windowBits: bits, noContextTakeover: nct, role: $0) }
            }
        }

        /// Both directions use the same settings, so either role's send side is the case.
        var parameters: PerMessageDeflateParameters {
            PerMessageDeflateParameters(
                serverNoContextTakeover: noContextTakeover,
                clientNoContextTakeover: noContextTakeover,
                serverMaxWindowBits: windowBits,
                clientMaxWindowBits: windowBits
            )
        }
    }

    static let messages: [[UInt8]] = [
        Array("Hello".utf8),
        wordSoup(3000, seed: 1),
        [],
        wordSoup(3000, seed: 1),  // the same again: a context-takeover sender refers back
        randomBytes(5000, seed: 2),  // incompressible
        [UInt8](repeating: 0x61, count: 70_000),  // one long run
        wordSoup(150_000, seed: 3),  // several inflate chunks
        Array("Hello".utf8),
    ]

    /// Every message comes back intact, and also decodes with a strict inflater whose
    /// window is exactly the agreed one: the sender never refers further back than the
    /// handshake allowed, window 8 included.
    @Test(arguments: RoundTripCase.all)
    func roundTrip(_ testCase: RoundTripCase) throws {
        let sender = PerMessageDeflate(parameters: testCase.parameters, role: testCase.role)
        let receiver = PerMessageDeflate(parameters: testCase.parameters, role: testCase.role.peer)
        #expect(sender.configuration.sendMaxWindowBits == testCase.windowBits)
        let strict = StrictInflater(windowBits: Int32(testCase.windowBits))
        for (index, message) in Self.messages.enumerated() {
            let compressed = try #require(sender.encode(buffer(message))).bytes
            #expect(try decodeMessage(receiver, compressed) == message, "message \(index)")
            #expect(try strict.message(compressed) == message, "message \(index) in a strict window")
            if testCase.noContextTakeover { strict.reset() }
        }
    }

    /// Repeats at every distance from 2 to 400 bytes: a window-8 sender must not use the
    /// ones beyond 256 bytes.
    static let distantRepeats: [UInt8] = {
        var out: [UInt8] = []
        for distance in 2...400 {
            let block = randomBytes(distance, seed: UInt64(distance))
            out += block + block.prefix(min(distance, 16))
        }
        return out
    }()

    @Test func windowEightSenderStaysInsideTheWindow() throws {
        let sender = PerMessageDeflate(configuration: .init(sendMaxWindowBits: 8))
        let compressed = try #require(sender.encode(buffer(Self.distantRepeats))).bytes
        #expect(try StrictInflater(windowBits: 8).message(compressed) == Self.distantRepeats)

        // Runs and Huffman coding still pay off on text and on long runs.
        let text = wordSoup(20_000, seed: 6)
        let compressedText = try #require(sender.encode(buffer(text))).bytes
        #expect(compressedText.count < text.count * 3 / 4)
        let run = [UInt8](repeating: 0x20, count: 20_000)
        #expect(try #require(sender.encode(buffer(run))).readableBytes < 100)
    }

    /// The control for the strict inflater: a 10-bit window stream of the same data does
    /// use distances over 256 and is rejected, so passing the check above means something.
    @Test func strictInflaterRejectsDistancesBeyondItsWindow() throws {
        let compressed = ReferenceDeflater(windowBits: 10).message(Self.distantRepeats)
        #expect(throws: StrictInflater.Failure.self) { try StrictInflater(windowBits: 8).message(compressed) }
        #expect(try StrictInflater(windowBits: 10).message(compressed) == Self.distantRepeats)
        // The codec inflates with a 15-bit window and accepts it.
        #expect(try decodeMessage(codec(), compressed) == Self.distantRepeats)
    }

    /// The codec inflates streams from any peer window, 9...15 made by plain zlib and 8
    /// by the run-length sender above.
    @Test(arguments: 9...15)
    func inflatesReferenceStreams(windowBits: Int) throws {
        let deflater = ReferenceDeflater(windowBits: Int32(windowBits))
        let receiver = codec()
        for message in Self.messages where !message.isEmpty {
            #expect(try decodeMessage(receiver, deflater.message(message)) == message)
        }
    }

    @Test(arguments: 0...9)
    func everyCompressionLevel(level: Int) throws {
        let sender = PerMessageDeflate(configuration: .init(), compressionLevel: level)
        let receiver = codec()
        let message = wordSoup(20_000, seed: 9)
        let compressed = try #require(sender.encode(buffer(message)))
        #expect(try decodeMessage(receiver, compressed.bytes) == message)
        if level > 0 { #expect(compressed.readableBytes < message.count / 2) }
    }

    // MARK: - Fragmented input

    /// Feeds `payload` as frames cut at `cuts`, the last one final.
    func decodeFragments(_ codec: PerMessageDeflate, _ payload: [UInt8], cuts: [Int], limit: Int = 1 << 30)
        throws(ProtocolViolation.Reason) -> ByteBuffer
    {
        var output = ByteBuffer()
        let bounds = [0] + cuts + [payload.count]
        for index in 0..<(bounds.count - 1) {
            let frame = Array(payload[bounds[index]..<bounds[index + 1]])
            try codec.decode(buffer(frame), isFinal: index == bounds.count - 2, into: &output, limit: limit)
        }
        return output
    }

    /// Two messages, the second referring into the first, split at every point (and
    /// with an empty frame at the cut); the result never depends on the framing.
    @Test func everySplitPoint() throws {
        let first = wordSoup(600, seed: 4)
        let second = wordSoup(600, seed: 4) + Array("tail".utf8)
        let sender = codec(.client)
        let payloads = [
            try #require(sender.encode(buffer(first))).bytes, try #require(sender.encode(buffer(second))).bytes,
        ]
        for cut in 0...payloads[0].count {
            for secondCut in stride(from: 0, through: payloads[1].count, by: 7) {
                let receiver = codec(.server)
                #expect(try decodeFragments(receiver, payloads[0], cuts: [cut]).bytes == first)
                #expect(try decodeFragments(receiver, payloads[1], cuts: [secondCut, secondCut]).bytes == second)
            }
        }
    }

    @Test func oneByteFrames() throws {
        let message = wordSoup(10_000, seed: 5)
        let payload = try #require(codec(.client).encode(buffer(message))).bytes
        let output = try decodeFragments(codec(.server), payload, cuts: Array(1..<payload.count))
        #expect(output.bytes == message)
    }

    @Test func rfcVectorsFragmented() throws {
        for payload in [
            hex("f2 48 cd c9 c9 07 00"), hex("00 05 00 fa ff 48 65 6c 6c 6f 00"), hex("f3 48 cd c9 c9 07 00 00"),
        ] {
            for cut in 0...payload.count {
                #expect(try decodeFragments(codec(), payload, cuts: [cut]).bytes == Array("Hello".utf8))
            }
        }
    }

    // MARK: - Limits

    /// 100 MiB of zeros, deflated to about 100 KB.
    static let bomb: [UInt8] = ReferenceDeflater(windowBits: 15).message(
        [UInt8](repeating: 0, count: 1 << 20),
        repetitions: 100
    )

    @Test func inflateBombStopsAtTheLimit() throws {
        #expect(Self.bomb.count < 200_000)
        let limit = 1 << 20
        var output = ByteBuffer()
        let reason = reasonThrown {
            try codec().decode(buffer(Self.bomb), isFinal: true, into: &output, limit: limit)
        }
        #expect(reason == .inflatedMessageTooLarge(limit: limit))
        #expect(reason?.closeCode == .messageTooBig)
        #expect(output.readableBytes == limit)
        // Memory never went past the limit: 1 MiB is a power of two, so the capacity is
        // exactly the limit, not the 100 MiB the bomb inflates to.
        #expect(output.capacity == limit)
    }

    /// The same bomb in 16 KiB frames fails at the same point, on a non-final frame.
    @Test func inflateBombInFrames() throws {
        let limit = 1 << 20
        let cuts = Array(stride(from: 16_384, to: Self.bomb.count, by: 16_384))
        let reason = reasonThrown {
            _ = try decodeFragments(codec(), Self.bomb, cuts: cuts, limit: limit)
        }
        #expect(reason == .inflatedMessageTooLarge(limit: limit))
    }

    /// Capacity stays within the power of two above the limit for an odd limit too, and
    /// bytes already in the buffer count towards it.
    @Test func limitCountsExistingBytes() throws {
        let limit = 300_000
        var output = ByteBuffer(bytes: [UInt8](repeating: 7, count: 1000))
        let reason = reasonThrown {
            try codec().decode(buffer(Self.bomb), isFinal: true, into: &output, limit: limit)
        }
        #expect(reason == .inflatedMessageTooLarge(limit: limit))
        #expect(output.readableBytes == limit)
        #expect(output.capacity <= 512 * 1024)
    }

    @Test func messageExactlyAtTheLimitPasses() throws {
        let message = [UInt8](repeating: 0x42, count: 100_000)
        let payload = try #require(codec(.client).encode(buffer(message))).bytes
        #expect(try decodeMessage(codec(), payload, limit: 100_000) == message)
        let reason = reasonThrown { _ = try decodeMessage(codec(), payload, limit: 99_999) }
        #expect(reason == .inflatedMessageTooLarge(limit: 99_999))
        // An empty message fits a zero limit.
        #expect(try decodeMessage(codec(), [0x00], limit: 0) == [])
    }

    // MARK: - Corrupt input

    struct CorruptCase: Sendable, CustomTestStringConvertible {
        var name: String
        var payload: String

        var testDescription: String { name }
    }

    static let corrupt: [CorruptCase] = [
        .init(name: "reserved block type 11", payload: "07"),
        .init(name: "all ones", payload: "ff ff ff ff ff ff"),
        .init(name: "stored block with bad NLEN", payload: "00 05 00 05 00 48 65 6c 6c 6f 00"),
        .init(name: "distance before the start of the stream", payload: "f2 00 11 00 00"),
        .init(name: "truncated mid-block", payload: "f2 48 cd"),
        .init(name: "trailer not stripped, then cut", payload: "f2 48 cd c9 c9 07 00 00 00"),
        .init(name: "data after a final block without the RFC's padding byte", payload: "f3 48 cd c9 c9 07 00"),
    ]

    @Test(arguments: corrupt)
    func corruptDataIsInvalid(_ testCase: CorruptCase) {
        let reason = reasonThrown { _ = try decodeMessage(codec(), hex(testCase.payload)) }
        #expect(reason == .invalidCompressedData)
        #expect(reason?.closeCode == .invalidPayloadData)
    }

    @Test func randomGarbageNeverCrashes() {
        var invalid = 0
        for seed in 0..<500 {
            let garbage = randomBytes(Int(seed % 64) + 1, seed: UInt64(seed) &+ 1000)
            let reason = reasonThrown { _ = try decodeMessage(codec(), garbage, limit: 1 << 20) }
            #expect(
                reason == nil || reason == .invalidCompressedData || reason == .inflatedMessageTooLarge(limit: 1 << 20))
            if reason == .invalidCompressedData { invalid += 1 }
        }
        #expect(invalid > 400)
    }

    /// After a failure the decompressor starts over cleanly.
    @Test func usableAfterFailure() throws {
        let receiver = codec()
        #expect(reasonThrown { _ = try decodeMessage(receiver, hex("07")) } == .invalidCompressedData)
        #expect(try decodeMessage(receiver, hex("f2 48 cd c9 c9 07 00")) == Array("Hello".utf8))
    }
}
