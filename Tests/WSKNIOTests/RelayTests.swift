import NIOCore
import NIOEmbedded
import NIOPosix
import Testing
import WSKCore
@testable import WSKNIO

/// An endpoint that records what the relay asks of it and answers writability as told.
final class RecordingEndpoint: RelayEndpoint {
    weak var relay: Relay?
    var delivered: [Message] = []
    var controls: [Opcode] = []
    var finished: [CloseFrame] = []
    var terminated: [CloseFrame] = []
    var paused = false
    var writable = true

    func deliver(_ message: Message) -> Bool {
        delivered.append(message)
        return writable
    }

    func deliverControl(_ opcode: Opcode, payload: ByteBuffer) -> Bool {
        controls.append(opcode)
        return writable
    }

    func finish(_ close: CloseFrame) { finished.append(close) }
    func terminate(_ close: CloseFrame) { terminated.append(close) }
    func pauseReading() { paused = true }
    func resumeReading() { paused = false }
}

func text(_ string: String) -> Message { Message(opcode: .text, data: ByteBuffer(string: string)) }

@Suite("Relay: both directions, flow control, closes")
struct RelayTests {
    let loop = EmbeddedEventLoop()

    @Test func theClientWaitsForTheUpstreamAndNothingIsLost() {
        let client = RecordingEndpoint(), upstream = RecordingEndpoint()
        let relay = Relay(client: client, upstream: upstream, eventLoop: loop)
        #expect(client.paused, "the client is not read until the upstream is connected")
        relay.received(text("early"), from: .client)
        #expect(upstream.delivered.isEmpty)
        relay.upstreamDidConnect()
        #expect(upstream.delivered == [text("early")])
        #expect(!client.paused)
        relay.received(text("later"), from: .client)
        relay.received(text("back"), from: .upstream)
        #expect(upstream.delivered == [text("early"), text("later")])
        #expect(client.delivered == [text("back")])
        #expect(relay.relayedMessages == [.client: 2, .upstream: 1])
    }

    @Test(arguments: [Relay.Side.client, .upstream])
    func aSideThatCannotTakeMorePausesTheOther(slow: Relay.Side) {
        let client = RecordingEndpoint(), upstream = RecordingEndpoint()
        let relay = Relay(client: client, upstream: upstream, eventLoop: loop)
        relay.upstreamDidConnect()
        let (slowEnd, fastEnd) = slow == .client ? (client, upstream) : (upstream, client)
        slowEnd.writable = false
        relay.received(text("1"), from: slow.other)
        #expect(fastEnd.paused, "the producer is paused while the consumer's buffer is full")
        #expect(!slowEnd.paused)
        relay.becameWritable(slow)
        #expect(!fastEnd.paused, "and resumed once it drains")
        #expect(slowEnd.delivered == [text("1")])
    }

    @Test func theClientsCloseIsAnsweredWhenTheUpstreamHasFinished() {
        // RFC 6455 §5.5.1: the reply carries the client's code; it waits for the upstream.
        let client = RecordingEndpoint(), upstream = RecordingEndpoint()
        let relay = Relay(client: client, upstream: upstream, eventLoop: loop)
        relay.upstreamDidConnect()
        relay.finished(.client, close: CloseFrame(code: .goingAway, reason: "bye"))
        #expect(upstream.finished == [CloseFrame(code: .goingAway, reason: "bye")])
        #expect(client.finished.isEmpty)
        relay.received(text("last words"), from: .upstream)
        relay.ended(.upstream, outcome: CloseOutcome(code: .goingAway, reason: "bye", wasClean: true, initiatedByPeer: false))
        #expect(client.delivered == [text("last words")])
        #expect(client.finished == [CloseFrame(code: .goingAway, reason: "bye")])
    }

    @Test func theCloseReplyDoesNotWaitForeverForAnUpstream() {
        let client = RecordingEndpoint(), upstream = RecordingEndpoint()
        let relay = Relay(client: client, upstream: upstream, eventLoop: loop, closeReplyTimeout: .seconds(5))
        relay.upstreamDidConnect()
        relay.finished(.client, close: CloseFrame(code: .normalClosure))
        loop.advanceTime(by: .seconds(4))
        #expect(client.finished.isEmpty)
        loop.advanceTime(by: .seconds(1))
        #expect(client.finished == [CloseFrame(code: .normalClosure)])
    }

    @Test func anUpstreamThatEndsClosesTheClientWithItsCode() {
        let client = RecordingEndpoint(), upstream = RecordingEndpoint()
        let relay = Relay(client: client, upstream: upstream, eventLoop: loop)
        relay.upstreamDidConnect()
        relay.ended(.upstream, outcome: CloseOutcome(code: .messageTooBig, reason: "", wasClean: true, initiatedByPeer: true))
        #expect(client.finished == [CloseFrame(code: .messageTooBig)])
        // A close that may not go on the wire (1006) becomes 1001.
        let other = RecordingEndpoint()
        let second = Relay(client: other, upstream: RecordingEndpoint(), eventLoop: loop)
        second.upstreamDidConnect()
        second.ended(.upstream, outcome: CloseOutcome(code: .abnormalClosure, reason: "", wasClean: false, initiatedByPeer: true))
        #expect(other.finished == [CloseFrame(code: .goingAway, reason: "upstream connection lost")])
    }

    @Test func aClientThatLeavesTerminatesTheUpstream() {
        let client = RecordingEndpoint(), upstream = RecordingEndpoint()
        let relay = Relay(client: client, upstream: upstream, eventLoop: loop)
        relay.upstreamDidConnect()
        relay.ended(.client, outcome: CloseOutcome(code: .abnormalClosure, reason: "", wasClean: false, initiatedByPeer: true))
        #expect(upstream.terminated == [CloseFrame(code: .goingAway, reason: "client connection lost")])
        relay.received(text("too late"), from: .upstream)
        #expect(client.delivered.isEmpty)
    }

    @Test func anUnreachableUpstreamCloses1011() {
        let client = RecordingEndpoint(), upstream = RecordingEndpoint()
        let relay = Relay(client: client, upstream: upstream, eventLoop: loop)
        relay.received(text("lost cause"), from: .client)
        relay.upstreamFailed()
        #expect(client.terminated == [CloseFrame(code: .internalError, reason: "upstream unavailable")])
        #expect(!client.paused, "the client's close reply must be read")
        #expect(upstream.delivered.isEmpty)
    }

    // MARK: - The upstream first (proxy answers the client's upgrade once it is connected)

    @Test func whatTheUpstreamSaysBeforeTheClientIsOpenWaitsForIt() {
        let client = RecordingEndpoint(), upstream = RecordingEndpoint()
        let relay = Relay(client: client, upstream: upstream, eventLoop: loop, connecting: .client)
        #expect(upstream.paused && !client.paused)
        relay.received(text("welcome"), from: .upstream)
        relay.receivedControl(.ping, payload: ByteBuffer(string: "early"), from: .upstream)
        #expect(client.delivered.isEmpty && client.controls.isEmpty)
        relay.didConnect(.client)
        #expect(client.delivered == [text("welcome")])
        #expect(client.controls == [.ping])
        #expect(!upstream.paused)
    }

    @Test func anUpstreamThatClosesBeforeTheClientIsOpenClosesItOnceOpen() {
        let client = RecordingEndpoint(), upstream = RecordingEndpoint()
        let relay = Relay(client: client, upstream: upstream, eventLoop: loop, connecting: .client)
        relay.received(text("last words"), from: .upstream)
        relay.finished(.upstream, close: CloseFrame(code: .goingAway, reason: "restarting"))
        relay.ended(.upstream, outcome: CloseOutcome(code: .goingAway, reason: "restarting", wasClean: true, initiatedByPeer: true))
        #expect(client.finished.isEmpty)
        relay.didConnect(.client)
        #expect(client.delivered == [text("last words")])
        #expect(client.finished.first == CloseFrame(code: .goingAway, reason: "restarting"))
    }

    @Test func aClientThatNeverComesEndsTheUpstream() {
        let client = RecordingEndpoint(), upstream = RecordingEndpoint()
        let relay = Relay(client: client, upstream: upstream, eventLoop: loop, connecting: .client)
        relay.received(text("unheard"), from: .upstream)
        relay.connectFailed(.client)
        #expect(upstream.terminated == [CloseFrame(code: .goingAway, reason: "client left")])
        #expect(client.delivered.isEmpty)
    }

    @Test func pingsAndPongsAreRelayedAndPacedLikeMessages() {
        let client = RecordingEndpoint(), upstream = RecordingEndpoint()
        let relay = Relay(client: client, upstream: upstream, eventLoop: loop)
        relay.upstreamDidConnect()
        relay.receivedControl(.ping, payload: ByteBuffer(string: "a"), from: .client)
        #expect(upstream.controls == [.ping])
        client.writable = false
        relay.receivedControl(.pong, payload: ByteBuffer(string: "a"), from: .upstream)
        #expect(client.controls == [.pong])
        #expect(upstream.paused, "a side that cannot take a pong pauses the other")
    }
}
