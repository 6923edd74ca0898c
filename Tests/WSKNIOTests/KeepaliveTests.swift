import NIOCore
import NIOEmbedded
import Testing
import WSKCore
@testable import WSKNIO

/// SessionKeepalive on the embedded loop's clock: idle pings, the idle timeout (1001), and
/// a client's ping interval with a timeout that drops a silent server.
@Suite("SessionKeepalive")
struct KeepaliveTests {
    static func advance(_ embedded: EmbeddedSession, by amount: TimeAmount) {
        (embedded.channel.eventLoop as! EmbeddedEventLoop).advanceTime(by: amount)
    }

    @Test func aSilentClientIsPingedThenClosedWith1001() throws {
        let embedded = try EmbeddedSession(options: SessionOptions(keepalive: .idleTimeout(.seconds(10))))
        Self.advance(embedded, by: .seconds(9))
        #expect(try embedded.writtenFrames().isEmpty)
        Self.advance(embedded, by: .seconds(1))
        let ping = try embedded.writtenFrames()
        #expect(ping.map(\.opcode) == [.ping])
        #expect(ping.first?.payload == ByteBuffer(string: KeepalivePolicy.pingPayload))
        Self.advance(embedded, by: .seconds(10))
        let close = try embedded.writtenFrames()
        #expect(close.map(\.opcode) == [.close])
        #expect(close.first.flatMap { try? CloseFrame.parse(payload: $0.payload).get() } == CloseFrame(code: .goingAway, reason: "idle timeout"))
    }

    @Test func trafficKeepsAClientFromBeingPinged() throws {
        let embedded = try EmbeddedSession(options: SessionOptions(keepalive: .idleTimeout(.seconds(10))))
        for _ in 0..<5 {
            Self.advance(embedded, by: .seconds(6))
            try embedded.channel.writeInbound(try EmbeddedSession.clientBytes([.pong(ByteBuffer())]))
        }
        #expect(try embedded.writtenFrames().isEmpty, "a client heard from every 6 s is never pinged with a 10 s idle timeout")
    }

    @Test func anAnsweredPingKeepsTheConnection() throws {
        let embedded = try EmbeddedSession(options: SessionOptions(keepalive: .idleTimeout(.seconds(10))))
        Self.advance(embedded, by: .seconds(10))
        #expect(try embedded.writtenFrames().map(\.opcode) == [.ping])
        Self.advance(embedded, by: .seconds(3))
        try embedded.channel.writeInbound(try EmbeddedSession.clientBytes([.pong(ByteBuffer(string: "wsk"))]))
        Self.advance(embedded, by: .seconds(9))
        #expect(try embedded.writtenFrames().isEmpty)
        #expect(embedded.delegate.outcome == nil)
    }

    @Test func aClientPingsEveryIntervalAndDropsASilentServer() throws {
        let policy = KeepalivePolicy(interval: .seconds(1), timeout: .seconds(2), schedule: .always, ending: .abort(reason: "no pong within 2 s"))
        let embedded = try EmbeddedSession(role: .client, options: SessionOptions(keepalive: policy))
        Self.advance(embedded, by: .seconds(1))
        #expect(try embedded.writtenFrames().map(\.opcode) == [.ping])
        Self.advance(embedded, by: .seconds(1))
        #expect(try embedded.writtenFrames().map(\.opcode) == [.ping], "pings go out every interval")
        #expect(embedded.channel.isActive)
        Self.advance(embedded, by: .seconds(1))
        #expect(!embedded.channel.isActive, "dropped 2 s after the first unanswered ping")
        #expect(embedded.delegate.outcome == CloseOutcome(code: .abnormalClosure, reason: "no pong within 2 s", wasClean: false, initiatedByPeer: false))
    }
}
