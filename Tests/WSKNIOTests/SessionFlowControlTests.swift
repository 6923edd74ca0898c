import NIOCore
import NIOEmbedded
import Testing
import WSKCore
@testable import WSKNIO

/// The session's flow-control contract: pause/resume, writability, and the order of the
/// application's answers and the connection's replies.
@Suite("WebSocketSession: flow control and replies")
struct SessionFlowControlTests {
    @Test func pauseHoldsReadsAndResumeReleasesThem() throws {
        let embedded = try EmbeddedSession()
        let before = embedded.counter.reads
        embedded.channel.read()
        #expect(embedded.counter.reads == before + 1)
        embedded.session.pauseReading()
        embedded.channel.read()
        #expect(embedded.counter.reads == before + 1, "a paused session must not read")
        embedded.session.resumeReading()
        #expect(embedded.counter.reads == before + 2, "the held read goes out on resume")
    }

    @Test func anUnwritablePeerPausesReadingAndTheDelegateHearsOfIt() throws {
        let embedded = try EmbeddedSession()
        embedded.channel.isWritable = false
        embedded.channel.pipeline.fireChannelWritabilityChanged()
        let before = embedded.counter.reads
        embedded.channel.read()
        #expect(embedded.counter.reads == before, "an echo session stops reading from a peer that does not read")
        #expect(embedded.session.send(.text("x")) == false, "send reports the peer is not writable")
        embedded.channel.isWritable = true
        embedded.channel.pipeline.fireChannelWritabilityChanged()
        #expect(embedded.counter.reads == before + 1)
        #expect(embedded.delegate.writability == [false, true])
    }

    @Test func aRelaySessionKeepsReadingWhileUnwritable() throws {
        let embedded = try EmbeddedSession(options: SessionOptions(pausesReadingWhileUnwritable: false))
        embedded.channel.isWritable = false
        embedded.channel.pipeline.fireChannelWritabilityChanged()
        let before = embedded.counter.reads
        embedded.channel.read()
        #expect(embedded.counter.reads == before + 1)
    }

    @Test func whenWritableWaitsForTheLowWaterMark() throws {
        let embedded = try EmbeddedSession()
        // A real channel reports each change of its writability; the session keeps the last.
        embedded.channel.isWritable = false
        embedded.channel.pipeline.fireChannelWritabilityChanged()
        let future = embedded.session.whenWritable()
        var done = false
        future.whenSuccess { done = true }
        #expect(!done)
        embedded.channel.isWritable = true
        embedded.channel.pipeline.fireChannelWritabilityChanged()
        #expect(done)
    }

    @Test func anEchoGoesOutBeforeTheCloseReplyOfTheSameRead() throws {
        // RFC 6455 §5.5.1: after its close frame an endpoint sends no data; the reply to a
        // close that arrived with a message must follow the application's answer.
        let embedded = try EmbeddedSession()
        embedded.delegate.echoes = true
        let bytes = try EmbeddedSession.clientBytes([.text("last"), .close(CloseFrame(code: .normalClosure, reason: "bye"))])
        try embedded.channel.writeInbound(bytes)
        embedded.channel.pipeline.fireChannelReadComplete()
        let frames = try embedded.writtenFrames()
        #expect(frames.map(\.opcode) == [.text, .close])
        #expect(frames.first?.payload == ByteBuffer(string: "last"))
        #expect(embedded.delegate.events == [
            .message(Message(opcode: .text, data: ByteBuffer(string: "last"))),
            .closeReceived(CloseFrame(code: .normalClosure, reason: "bye")),
        ])
        #expect(embedded.delegate.outcome?.code == .normalClosure)
    }

    @Test func pingsAreAnsweredAndReportedAsEvents() throws {
        let embedded = try EmbeddedSession()
        try embedded.channel.writeInbound(try EmbeddedSession.clientBytes([.ping(ByteBuffer(string: "p"))]))
        embedded.channel.pipeline.fireChannelReadComplete()
        let frames = try embedded.writtenFrames()
        #expect(frames.map(\.opcode) == [.pong])
        #expect(frames.first?.payload == ByteBuffer(string: "p"))
        #expect(embedded.delegate.events == [.ping(ByteBuffer(string: "p"))])
    }

    /// Payloads from 4 KiB on are written after their header without being copied into
    /// the session's buffer; the frames still leave in the order they were produced, the
    /// automatic pong between two large echoes included.
    @Test func largeEchoesAreWrittenUncopiedAndInOrder() throws {
        let embedded = try EmbeddedSession()
        embedded.delegate.echoes = true
        let large = ByteBuffer(bytes: (0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let largeText = String(repeating: "é", count: 2600)  // 5,200 bytes of UTF-8
        let bytes = try EmbeddedSession.clientBytes([
            .text("first"), .binary(large), .ping(ByteBuffer(string: "p")), .text(largeText), .binary(ByteBuffer(string: "last")),
        ])
        try embedded.channel.writeInbound(bytes)
        embedded.channel.pipeline.fireChannelReadComplete()
        var writes: [ByteBuffer] = []
        while let part = try embedded.channel.readOutbound(as: ByteBuffer.self) { writes.append(part) }
        #expect(writes.contains(large), "the 8 KiB payload is written as it was received, not copied into the output")
        var all = ByteBuffer()
        for var part in writes { all.writeBuffer(&part) }
        var decoder = FrameDecoder(role: .client)
        var frames: [Frame] = []
        while let decoded = try decoder.nextFrame(from: &all) { frames.append(decoded.frame) }
        #expect(frames.map(\.opcode) == [.text, .binary, .pong, .text, .binary])
        #expect(frames.map(\.payload) == [
            ByteBuffer(string: "first"), large, ByteBuffer(string: "p"), ByteBuffer(string: largeText), ByteBuffer(string: "last"),
        ])
        #expect(all.readableBytes == 0)
    }

    /// A large payload that is a small part of its storage (a slice of a receive buffer) is
    /// copied, so a queued write never pins much more memory than it counts.
    @Test func aSmallSliceOfALargeBufferIsCopiedNotPinned() throws {
        let embedded = try EmbeddedSession()
        var receiveBuffer = ByteBuffer(repeating: 0x41, count: 64 * 1024)
        let slice = receiveBuffer.readSlice(length: 5000)!
        let whole = ByteBuffer(repeating: 0x42, count: 5000)
        embedded.session.send(opcode: .binary, payload: slice)
        embedded.session.send(opcode: .binary, payload: whole)
        embedded.channel.embeddedEventLoop.run()
        var writes: [ByteBuffer] = []
        while let part = try embedded.channel.readOutbound(as: ByteBuffer.self) { writes.append(part) }
        #expect(!writes.contains(slice), "the slice's bytes were copied into the output")
        #expect(writes.contains(whole), "a payload that is its whole storage goes uncopied")
        var all = ByteBuffer()
        for var part in writes { all.writeBuffer(&part) }
        var decoder = FrameDecoder(role: .client)
        var payloads: [ByteBuffer] = []
        while let decoded = try decoder.nextFrame(from: &all) { payloads.append(decoded.frame.payload) }
        #expect(payloads == [slice, whole])
    }

    @Test func aViolationIsAnEventAndClosesWithItsCode() throws {
        let embedded = try EmbeddedSession()
        try embedded.channel.writeInbound(ByteBuffer(bytes: [0x81, 0x01, 0x41]))  // unmasked client frame
        let frames = try embedded.writtenFrames()
        #expect(frames.last?.opcode == .close)
        #expect(frames.last?.payload.getInteger(at: frames.last!.payload.readerIndex, as: UInt16.self) == 1002)
        guard case .failed(let violation) = embedded.delegate.events.first else {
            Issue.record("expected a violation, got \(embedded.delegate.events)")
            return
        }
        #expect(violation.closeCode == .protocolError)
        #expect(embedded.delegate.outcome?.code == .protocolError)
    }
}
